"""Checkpoints of the exact perceptron engine: kill -9, SIGTERM and Ctrl-C, resume bit for bit, refusals.

Oracle: an uninterrupted run in this process; a stopped or killed run resumed from
its checkpoint must give exactly its table (every column, every bit).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import boolnet as bn
from boolnet import runs
from boolnet.errors import BoolnetError, Interrupted
from boolnet.exact import engine
from boolnet.priors import Prior

ROOT = Path(__file__).resolve().parents[1]
CUBE = Prior("uniform", fan_in_scaling=False)



@pytest.fixture(scope="module")
def n5_cube():
    """The n = 5 cube table by orbits, uninterrupted (about 15 s)."""
    return bn.exact_table(5, prior=CUBE, orbits=True)


@pytest.fixture(scope="module")
def n4_gaussian():
    return bn.exact_table(4)


@pytest.fixture
def one_orbit_chunks(monkeypatch):
    monkeypatch.setattr(runs, "CHUNK_SECONDS", 0.0)  # one orbit per chunk: many chunks, many saves



def test_kill_9_and_resume_gives_the_same_table(tmp_path, n5_cube, assert_same_table, kill_after_first_save):
    """`boolnet exact --n 5 ... --checkpoint` killed with SIGKILL part way, resumed: the uninterrupted table."""
    ckpt, out = tmp_path / "n5.ckpt", tmp_path / "n5.parquet"
    cmd = [sys.executable, "-m", "boolnet.cli", "exact", "--n", "5", "--prior", "uniform", "--no-fan-in-scaling",
           "--orbits", "--checkpoint", str(ckpt), "--checkpoint-interval", "1e-9", "--quiet", "-o", str(out)]
    killed_at = kill_after_first_save(cmd, ckpt, ROOT, timeout=240)
    total = n5_cube.attrs["boolnet"]["orbits"]
    assert 0 < killed_at < total and not out.exists()
    resumed = subprocess.run(cmd[:-5] + ["-o", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    table = bn.read_table(out)
    assert_same_table(table, n5_cube)
    meta = table.attrs["boolnet"]
    assert meta["resumed_orbits"] >= killed_at and meta["probability_sum_exact"] == "1"


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGINT"])
def test_a_signal_stops_between_orbits_with_a_partial_table_and_the_checkpoint_resumes(
        tmp_path, monkeypatch, one_orbit_chunks, n4_gaussian, signame, assert_same_table, saved_orbits):
    ckpt = tmp_path / "n4.ckpt"
    real = engine._OrbitVolumes.compute
    calls = []

    def compute(self, first, count):
        calls.append(first)
        if len(calls) == 3:  # during the third chunk, as a user would
            os.kill(os.getpid(), getattr(signal, signame))
        real(self, first, count)

    monkeypatch.setattr(engine._OrbitVolumes, "compute", compute)
    with pytest.raises(Interrupted) as info:
        bn.exact_table(4, checkpoint=ckpt, checkpoint_interval=3600)
    exc = info.value
    monkeypatch.setattr(engine._OrbitVolumes, "compute", real)
    total = n4_gaussian.attrs["boolnet"]["orbits"]
    assert exc.signal_name == signame and exc.done == 3 and exc.total == total
    assert exc.checkpoint == str(ckpt) and saved_orbits(ckpt) == 3
    assert f"stopped by {signame} after 3 of {total} symmetry orbits; volumes saved to checkpoint" in str(exc)
    # The partial table: the functions of the three orbits done, with their final values.
    partial = exc.partial
    meta = partial.attrs["boolnet"]
    assert meta["interrupted"] == signame and meta["orbits"] == 3 and meta["orbits_total"] == total
    full = n4_gaussian.set_index("function")
    assert len(partial) == meta["functions"] < len(full)
    assert (full.loc[partial["function"], "probability"].to_numpy() == partial["probability"].to_numpy()).all()
    # Resumed: the uninterrupted table, bit for bit; the three orbits are not computed again.
    firsts = []

    def recording(self, first, count):
        firsts.append(first)
        real(self, first, count)

    monkeypatch.setattr(engine._OrbitVolumes, "compute", recording)
    table = bn.exact_table(4, checkpoint=ckpt)
    assert firsts[0] == 3 and table.attrs["boolnet"]["resumed_orbits"] == 3
    assert_same_table(table, n4_gaussian)
    # A finished checkpoint gives the table at once, and by orbits too (the checkpoint holds orbits, not rows).
    monkeypatch.setattr(engine._OrbitVolumes, "compute", lambda *a: pytest.fail("recomputed"))
    assert_same_table(bn.exact_table(4, checkpoint=ckpt), n4_gaussian)
    assert "resumed_orbits" not in n4_gaussian.attrs["boolnet"]
    monkeypatch.setattr(engine._OrbitVolumes, "compute", real)
    assert_same_table(bn.exact_table(4, checkpoint=ckpt, orbits=True), bn.exact_table(4, orbits=True))


def test_chunking_changes_no_bit(monkeypatch, one_orbit_chunks, n4_gaussian, assert_same_table):
    assert_same_table(bn.exact_table(4), n4_gaussian)
    assert_same_table(bn.exact_table(3, prior=CUBE), engine.exact_table(3, CUBE))


def test_stop_before_the_first_orbit_gives_an_empty_table(monkeypatch):
    def stopping_drive(*args, **kwargs):
        result = runs.drive(*args, **kwargs)
        result.signal_name = "SIGINT"
        result.done = 0
        return result

    monkeypatch.setattr(engine, "drive", stopping_drive)
    with pytest.raises(Interrupted) as info:
        bn.exact_table(2, prior=CUBE)
    partial = info.value.partial
    assert len(partial) == 0 and partial.attrs["boolnet"]["orbits"] == 0
    assert "probability_exact" in partial.columns
    assert "nothing saved (give a checkpoint path" in str(info.value)


def test_checkpoint_is_checked_at_the_front_door(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "threshold_orbits", lambda *a, **k: pytest.fail("work started"))
    for bad in (tmp_path / "missing" / "x.ckpt", tmp_path):
        with pytest.raises(BoolnetError) as info:
            bn.exact_table(4, checkpoint=bad)
        assert info.value.param == "checkpoint"
    with pytest.raises(BoolnetError) as info:
        bn.exact_table(4, checkpoint=tmp_path / "x.ckpt", checkpoint_interval=0)
    assert info.value.param == "checkpoint_interval"
    with pytest.raises(BoolnetError) as info:
        bn.exact_table("2-2-1", activation="step", checkpoint=tmp_path / "x.ckpt")
    assert info.value.param == "checkpoint" and "perceptrons only" in str(info.value)


def test_checkpoint_of_other_options_or_another_kind_is_refused(tmp_path):
    ckpt = tmp_path / "n2.ckpt"
    bn.exact_table(2, checkpoint=ckpt)
    with pytest.raises(BoolnetError, match="different options.*prior: 'gaussian' there, 'uniform' here") as info:
        bn.exact_table(2, prior=CUBE, checkpoint=ckpt)
    assert info.value.param == "checkpoint"
    with pytest.raises(BoolnetError, match="different options"):
        bn.exact_table(3, checkpoint=ckpt)
    sampled = tmp_path / "sample.ckpt"
    bn.sample_table("2-1", samples=4096, checkpoint=sampled)
    with pytest.raises(BoolnetError, match="not a boolnet exact checkpoint"):
        bn.exact_table(2, checkpoint=sampled)
    with pytest.raises(BoolnetError, match="not a boolnet checkpoint"):
        bn.sample_table("2-1", samples=4096, checkpoint=ckpt)


def test_damaged_checkpoint_is_refused(tmp_path):
    ckpt = tmp_path / "n3.ckpt"
    bn.exact_table(3, prior=CUBE, checkpoint=ckpt)
    with np.load(ckpt) as data:
        arrays = {k: data[k].copy() for k in data.files}
    arrays["representatives"][1] ^= np.uint64(1)  # another orbit
    with open(ckpt, "wb") as fh:
        np.savez(fh, **arrays)
    with pytest.raises(BoolnetError, match="its orbits are not those of these options"):
        bn.exact_table(3, prior=CUBE, checkpoint=ckpt)
    ckpt.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(BoolnetError, match="not a boolnet exact checkpoint"):
        bn.exact_table(3, prior=CUBE, checkpoint=ckpt)


def test_cli_checkpoint_flags(tmp_path, run_cli, assert_usage_error):
    assert_usage_error("exact", "--n", "2", "--checkpoint-interval", "5", mentions=("--checkpoint",))
    assert_usage_error("exact", "--n", "2", "--checkpoint", tmp_path / "no" / "x.ckpt", mentions=("--checkpoint",))
    status, out, err = run_cli("exact", "--n", "3", "--prior", "uniform", "--no-fan-in-scaling", "--checkpoint",
                               tmp_path / "n3.ckpt", "-o", tmp_path / "a.csv")
    assert status == 0, err
    status, out, err = run_cli("exact", "--n", "3", "--prior", "uniform", "--no-fan-in-scaling", "--checkpoint",
                               tmp_path / "n3.ckpt", "-o", tmp_path / "b.csv")
    assert status == 0, err
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()


def test_progress_bar_counts_orbits(capsys):
    bn.exact_table(3, progress=True)
    err = capsys.readouterr().err
    assert "volumes n=3" in err and "orbits" in err


def test_a_full_disk_at_the_last_save_rescues_the_volumes_elsewhere(tmp_path, monkeypatch, assert_same_table):
    import errno
    import tempfile

    from boolnet.errors import BoolnetWarning
    from boolnet.io import checkpoint as C

    disk, elsewhere = tmp_path / "disk", tmp_path / "elsewhere"
    disk.mkdir()
    elsewhere.mkdir()
    real = C._write_npz

    def writer(path, **arrays):
        if Path(path).parent == disk:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, **arrays)

    monkeypatch.setattr(C, "_write_npz", writer)
    monkeypatch.setattr(tempfile, "tempdir", str(elsewhere))
    with pytest.warns(BoolnetWarning, match="the volumes of all 17 symmetry orbits were saved to") as record:
        table = bn.exact_table(3, prior=CUBE, checkpoint=disk / "n3.ckpt")
    rescued = [p for p in elsewhere.iterdir()]
    assert len(rescued) == 1 and str(rescued[0]) in str(record[0].message) and not (disk / "n3.ckpt").exists()
    monkeypatch.setattr(C, "_write_npz", real)
    monkeypatch.setattr(engine._OrbitVolumes, "compute", lambda *a: pytest.fail("recomputed"))
    assert_same_table(bn.exact_table(3, prior=CUBE, checkpoint=rescued[0]), table)
