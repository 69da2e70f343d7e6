"""The chunked driver and checkpoints: stops (SIGINT, SIGTERM), failed saves, damaged checkpoints.

Oracle throughout: the counts of an uninterrupted run without a checkpoint
(the counts depend only on the options and the seed).
"""

from __future__ import annotations

import errno
import os
import signal
import threading
import warnings

import numpy as np
import pytest

from boolnet.checks import check_checkpoint_interval
from boolnet.errors import BoolnetError, BoolnetWarning, Interrupted
from boolnet.sampling import _rng as R
from boolnet.io import checkpoint as C
from boolnet import runs as driver
from boolnet.sampling import sample_table
from boolnet.sampling.counts import Counts

ARCH = "4-3-1"
OPTIONS = dict(activation="relu", samples=6 * R.BLOCK_SIZE + 17, seed=21, threads=2)


@pytest.fixture(scope="module")
def reference():
    df = sample_table(ARCH, **OPTIONS)
    return dict(zip(df["function"], df["count"]))


def _counts(df):
    return dict(zip(df["function"], df["count"]))


@pytest.fixture
def small_chunks(monkeypatch):
    """One block per worker per chunk, so a run has several chunks (and several saves)."""
    monkeypatch.setattr(driver, "CHUNK_SECONDS", 0.0)


def _failing_writer(monkeypatch, fail_calls, err=errno.ENOSPC):
    """Make the checkpoint writer raise OSError(err) on the given call numbers (1-based); return the call log."""
    real = C._write_npz
    calls = []

    def writer(path, **arrays):
        calls.append(path)
        if fail_calls == "all" or len(calls) in fail_calls:
            with open(path, "wb") as fh:  # half a file, as a full disk leaves it
                fh.write(b"PK\x03\x04 half")
            raise OSError(err, os.strerror(err))
        real(path, **arrays)

    monkeypatch.setattr(C, "_write_npz", writer)
    return calls


def test_full_disk_during_a_save_keeps_the_run_going(tmp_path, monkeypatch, reference, small_chunks):
    path = tmp_path / "run.ckpt"
    calls = _failing_writer(monkeypatch, {1, 2})
    with pytest.warns(BoolnetWarning) as record:
        df = sample_table(ARCH, checkpoint=path, checkpoint_interval=1e-9, **OPTIONS)
    assert _counts(df) == reference  # nothing lost
    messages = [str(w.message) for w in record if issubclass(w.category, BoolnetWarning)]
    assert len(messages) == 2  # one warning per failed save, none at the end (the last save worked)
    for message in messages:
        assert str(path) in message and "disk is full" in message and "free some space" in message
        assert "goes on with the counts in memory" in message and "tries again" in message
    assert len(calls) >= 3
    with np.load(path) as data:  # a later save succeeded: the checkpoint is complete
        assert int(data["done"]) == OPTIONS["samples"]
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_run_ending_with_a_failed_save_says_so(tmp_path, monkeypatch, reference, small_chunks):
    path = tmp_path / "run.ckpt"
    _failing_writer(monkeypatch, "all", errno.EACCES)  # e.g. the folder became read-only
    with pytest.warns(BoolnetWarning) as record:
        df = sample_table(ARCH, checkpoint=path, checkpoint_interval=1e-9, **OPTIONS)
    assert _counts(df) == reference
    messages = [str(w.message) for w in record]
    assert all("tries again" in m for m in messages[:-1]) and len(messages) >= 3  # every periodic save failed
    last = messages[-1]
    assert "final save of checkpoint" in last and "was never written" in last and "permission denied" in last
    assert f"the resulting table has all {OPTIONS['samples']} samples" in last
    assert not path.exists() and not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_interruption_with_a_failed_save_carries_the_counts(tmp_path, monkeypatch, reference, small_chunks):
    path = tmp_path / "run.ckpt"
    _failing_writer(monkeypatch, {2, 3})  # the first save works, then the disk fills
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BoolnetWarning)
        with pytest.raises(Interrupted) as info:
            sample_table(ARCH, checkpoint=path, checkpoint_interval=1e-9, _stop_after=3 * R.BLOCK_SIZE, **OPTIONS)
    exc = info.value
    message = str(exc)
    assert f"the last save of checkpoint {path} failed" in message and "disk is full" in message
    with np.load(path) as data:
        saved = int(data["done"])
    assert f"holds the counts of {saved} samples" in message and saved < exc.done
    assert exc.partial["count"].sum() == exc.done  # the counts are carried
    monkeypatch.undo()
    resumed = sample_table(ARCH, checkpoint=path, **OPTIONS)  # and the file resumes from what it holds
    assert _counts(resumed) == reference


def _full_disk_for(monkeypatch, folder):
    """Every write into ``folder`` fails with ENOSPC; writes elsewhere work."""
    real = C._write_npz

    def writer(path, **arrays):
        if os.path.dirname(os.path.abspath(path)) == str(folder):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, **arrays)

    monkeypatch.setattr(C, "_write_npz", writer)


def test_counts_saved_elsewhere_when_the_last_save_fails(tmp_path, monkeypatch, reference, small_chunks):
    """A stop or an end with the checkpoint's disk full: the counts go to the temporary folder, and resume from there."""
    import tempfile

    disk, elsewhere = tmp_path / "disk", tmp_path / "elsewhere"
    disk.mkdir()
    elsewhere.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(elsewhere))
    _full_disk_for(monkeypatch, disk)
    path = disk / "run.ckpt"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BoolnetWarning)
        with pytest.raises(Interrupted) as info:
            sample_table(ARCH, checkpoint=path, checkpoint_interval=1e-9, _stop_after=2 * R.BLOCK_SIZE, **OPTIONS)
    exc = info.value
    rescued = [p for p in elsewhere.iterdir() if not p.name.startswith(".")]
    assert len(rescued) == 1 and rescued[0].name.startswith("run-") and rescued[0].suffix == ".ckpt"
    assert exc.checkpoint == str(rescued[0]) and f"were saved to {rescued[0]} instead" in str(exc)
    assert f"move that file to {path} to resume" in str(exc)
    assert _counts(sample_table(ARCH, checkpoint=rescued[0], **OPTIONS)) == reference
    # The same at the end of a run: the warning names the file, which gives the table at once.
    rescued[0].unlink()
    with pytest.warns(BoolnetWarning) as record:
        df = sample_table(ARCH, checkpoint=path, **OPTIONS)
    assert _counts(df) == reference
    rescued = [p for p in elsewhere.iterdir() if not p.name.startswith(".")]
    assert len(rescued) == 1 and f"were saved to {rescued[0]} instead" in str(record[-1].message)
    again = sample_table(ARCH, checkpoint=rescued[0], **OPTIONS)
    assert _counts(again) == reference and again.attrs["boolnet"]["resumed_from"] == OPTIONS["samples"]


def test_sigterm_stops_like_ctrl_c_and_handlers_are_restored(tmp_path, sigterm_after_first_chunk, reference):
    path = tmp_path / "run.ckpt"
    calls, disarm = sigterm_after_first_chunk(Counts)
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    with pytest.raises(Interrupted) as info:
        sample_table(ARCH, checkpoint=path, **OPTIONS)
    exc = info.value
    assert exc.signal_name == "SIGTERM" and "stopped by SIGTERM" in str(exc) and len(calls) == 1
    assert exc.checkpoint == str(path) and 0 < exc.done < exc.total
    assert exc.partial.attrs["boolnet"]["samples_done"] == exc.done
    assert {s: signal.getsignal(s) for s in before} == before
    disarm()
    assert _counts(sample_table(ARCH, checkpoint=path, **OPTIONS)) == reference


def test_no_signal_handlers_off_the_main_thread(reference):
    out = {}
    thread = threading.Thread(target=lambda: out.setdefault("df", sample_table(ARCH, **OPTIONS)))
    thread.start()
    thread.join()
    assert _counts(out["df"]) == reference


def _saved_checkpoint(tmp_path):
    path = tmp_path / "good.ckpt"
    sample_table("2-1", samples=5000, seed=1, checkpoint=path)
    return path.read_bytes()


@pytest.mark.parametrize("content,fragment", [
    (lambda good: os.urandom(3000), "not a NumPy .npz file"),
    (lambda good: b"", "empty file"),
    (lambda good: good[: len(good) // 2], "truncated or damaged"),
    (lambda good: good[:-30], "truncated or damaged"),
    (None, "without the arrays of a checkpoint"),
])
def test_damaged_checkpoints_are_refused_clearly(tmp_path, content, fragment):
    path = tmp_path / "run.ckpt"
    if content is None:
        np.savez(path.open("wb"), x=np.arange(3))
    else:
        path.write_bytes(content(_saved_checkpoint(tmp_path)))
    with pytest.raises(BoolnetError) as info:
        sample_table("2-1", samples=5000, seed=1, checkpoint=path)
    message = str(info.value)
    assert f"checkpoint {path} is not a boolnet checkpoint" in message and fragment in message, message
    assert "delete it or choose another path" in message
    assert "allow_pickle" not in message and "\n" not in message


def test_checkpoint_of_other_options_names_the_differences(tmp_path):
    path = tmp_path / "run.ckpt"
    sample_table("2-1", samples=5000, seed=1, checkpoint=path)
    with pytest.raises(BoolnetError) as info:
        sample_table("2-1", samples=6000, seed=1, encoding="pm1", checkpoint=path)
    message = str(info.value)
    assert "different options" in message and "samples: 5000 there, 6000 here" in message
    assert "encoding: '01' there, 'pm1' here" in message


def test_checkpoint_paths_checked_up_front(tmp_path):
    with pytest.raises(BoolnetError, match="is a directory") as info:
        sample_table("2-1", samples=10, checkpoint=tmp_path)
    assert info.value.param == "checkpoint"
    with pytest.raises(BoolnetError, match="does not exist"):
        sample_table("2-1", samples=10, checkpoint=tmp_path / "missing" / "c.ckpt")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to a read-only folder")
def test_unwritable_checkpoint_folder_refused_up_front(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(BoolnetError, match="permission denied") as info:
            sample_table("2-1", samples=10, checkpoint=folder / "c.ckpt")
        assert info.value.param == "checkpoint"
    finally:
        folder.chmod(0o700)


def test_stale_temp_files_are_cleaned_at_start(tmp_path):
    path = tmp_path / "run.ckpt"
    stale = [tmp_path / ".run.ckpt.999999999.tmp", tmp_path / ".run.ckpt.abc123.tmp"]  # new and 0.1-style names
    for p in stale:
        p.write_bytes(b"half a checkpoint")
    mine = tmp_path / f".run.ckpt.{os.getpid()}.tmp"  # a live writer's file is left alone... until we write
    sample_table("2-1", samples=5000, seed=1, checkpoint=path)
    assert not any(p.exists() for p in stale) and not mine.exists() and path.exists()


@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf"), "abc", True])
def test_checkpoint_interval_refused(value):
    with pytest.raises(BoolnetError) as info:
        check_checkpoint_interval(value)
    assert info.value.param == "checkpoint_interval"


def test_ctrl_c_while_compiling_stops_at_once(monkeypatch):
    """Kernels compile before the stop signals are caught: Ctrl-C then is a plain KeyboardInterrupt."""
    from boolnet.sampling import jobs

    def compiling(self):
        assert signal.getsignal(signal.SIGINT) is before  # no driver handler yet
        raise KeyboardInterrupt

    before = signal.getsignal(signal.SIGINT)
    monkeypatch.setattr(jobs.SampleJob, "prepare", compiling)
    with pytest.raises(KeyboardInterrupt) as info:
        sample_table(ARCH, **OPTIONS)
    assert not isinstance(info.value, Interrupted) and signal.getsignal(signal.SIGINT) is before


def test_growth_to_the_projected_size_changes_no_count_and_saves_doublings(monkeypatch):
    """Partitions that grow straight to the run's projected size hold the same counts as ones that double.

    7-input perceptrons at sigma_b = 1: about half the samples are new functions, so the master
    table must grow many times; the projection (Counts.plan) needs fewer, larger growths.
    """
    from boolnet.network import NetworkSpec
    from boolnet.priors import Prior
    from boolnet.sampling import counts as CT
    from boolnet.sampling.sampler import sample_counts

    growths = []
    rehash = CT.K.rehash

    def counting_rehash(table, grown):
        growths.append(grown.shape[0] // table.shape[0])
        return rehash(table, grown)

    monkeypatch.setattr(CT.K, "rehash", counting_rehash)
    monkeypatch.setattr(driver, "CHUNK_SECONDS", 0.02)  # many chunks: the projection is updated often
    spec = NetworkSpec("7-1", "relu", "01", True)
    runs = {}
    for factor in (1, CT.MAX_GROWTH):
        monkeypatch.setattr(CT, "MAX_GROWTH", factor)
        growths.clear()
        counts, result, _ = sample_counts(spec, Prior(), samples=400_000, seed=5, threads=1)
        words, cnt = counts.entries()
        order = np.lexsort((words[:, 0], words[:, 1]))
        runs[factor] = (words[order], cnt[order], list(growths))
    (w1, c1, g1), (w16, c16, g16) = runs[1], runs[CT.MAX_GROWTH]
    assert np.array_equal(w1, w16) and np.array_equal(c1, c16)
    assert int(c1.sum()) == 400_000 and len(c1) > 100_000  # many new functions: the case the projection is for
    assert set(g1) == {2} and len(g16) < len(g1) and max(g16) > 2
