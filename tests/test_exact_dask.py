"""The exact engine's orbits on the Dask backend: the local backend's table, bit for bit, whatever happens.

Oracle: the local backend's table of the same options (every column, every bit). One
LocalCluster of 2 worker processes (one thread each) serves the module, as in
tests/test_dask.py; each test passes its address as ``scheduler``.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys

import pytest

distributed = pytest.importorskip("dask.distributed")

import boolnet as bn
from boolnet import runs
from boolnet.errors import BoolnetError, Interrupted
from boolnet.exact import engine
from boolnet.io import read_table
from boolnet.priors import Prior

CUBE = Prior("uniform", fan_in_scaling=False)
#: n = 6 with -1/+1 inputs on the cube: 135 orbits of B_7, exact rationals, about 3 s locally.
N6_CUBE = {"prior": CUBE, "encoding": "pm1", "orbits": True}


@pytest.fixture(scope="module")
def local():
    """Local-backend tables the Dask runs must reproduce."""
    return {"n6 cube": bn.exact_table(6, **N6_CUBE),   # exact rationals, one row per orbit
            "n4 gaussian": bn.exact_table(4)}           # quadrature with bounds, one row per function



def dask_table(n, cluster, options=None, *, prior=None, encoding="01", orbits=False, checkpoint=None):
    """The Dask backend's table: through bn.exact_table, or with the driver's test options (``options``)."""
    if options is None:
        return bn.exact_table(n, prior=prior, encoding=encoding, orbits=orbits, checkpoint=checkpoint,
                              backend="dask", scheduler=cluster)
    return engine.exact_table(n, prior, encoding, orbits_only=orbits, checkpoint=checkpoint, backend="dask",
                              scheduler=cluster, _dask_options=options)


@pytest.mark.parametrize("options", [
    {"task_orbits": 1},                  # 135 tasks of one orbit
    {"task_orbits": 7, "window": 2},     # bigger tasks, few in flight
    None,                                # the defaults, through bn.exact_table
])
def test_dask_table_equals_local(cluster, local, options, assert_same_table):
    table = dask_table(6, cluster, options, **N6_CUBE)
    assert_same_table(local["n6 cube"], table)
    meta = table.attrs["boolnet"]
    assert meta["backend"] == "dask" and meta["dask"]["workers"] == 2 and meta["orbits"] == 135
    assert meta["probability_sum_exact"] == "1"
    assert "backend" not in local["n6 cube"].attrs["boolnet"]  # the local table's metadata is unchanged


def test_gaussian_rows_per_function_equal_local(cluster, local, assert_same_table):
    assert_same_table(local["n4 gaussian"], dask_table(4, cluster, {"task_orbits": 4}))


def test_killed_worker_and_failed_task_change_nothing(cluster, local, tmp_path, assert_same_table):
    # Task 3's first attempt kills its own worker process (the nanny restarts it; the task is recomputed).
    killed = dask_table(6, cluster, {"task_orbits": 5, "fault": ("kill", str(tmp_path / "kill"), 3)}, **N6_CUBE)
    assert (tmp_path / "kill").exists()
    assert_same_table(local["n6 cube"], killed)
    # Task 2's first attempt raises; Dask retries it.
    retried = dask_table(6, cluster, {"task_orbits": 5, "fault": ("raise", str(tmp_path / "raise"), 2)}, **N6_CUBE)
    assert (tmp_path / "raise").exists()
    assert_same_table(local["n6 cube"], retried)


def test_stopped_driver_resumes_on_either_backend(cluster, local, tmp_path, monkeypatch, assert_same_table):
    ckpt = tmp_path / "run.ckpt"
    with pytest.raises(Interrupted) as info:
        dask_table(6, cluster, {"task_orbits": 4, "stop_after": 40}, checkpoint=ckpt, **N6_CUBE)
    done = info.value.done
    assert 40 <= done < 135 and ckpt.exists() and info.value.partial.attrs["boolnet"]["orbits"] == done
    # The Dask checkpoint finished by the local backend ...
    resumed = bn.exact_table(6, checkpoint=ckpt, **N6_CUBE)
    assert resumed.attrs["boolnet"]["resumed_orbits"] == done
    assert_same_table(local["n6 cube"], resumed)
    # ... and a local checkpoint finished on Dask.
    other = tmp_path / "local.ckpt"
    monkeypatch.setattr(engine, "drive", functools.partial(runs.drive, stop_after=30))
    monkeypatch.setattr(runs, "CHUNK_SECONDS", 0.0)
    with pytest.raises(Interrupted):
        bn.exact_table(6, checkpoint=other, **N6_CUBE)
    monkeypatch.undo()
    resumed = bn.exact_table(6, checkpoint=other, backend="dask", scheduler=cluster, **N6_CUBE)
    assert 30 <= resumed.attrs["boolnet"]["resumed_orbits"] < 135
    assert_same_table(local["n6 cube"], resumed)


def test_killed_driver_resumes(cluster, local, tmp_path, assert_same_table, kill_after_first_save):
    """kill -9 of a `boolnet exact --backend dask` process part way; the same command then finishes the table."""
    ckpt, out = tmp_path / "run.ckpt", tmp_path / "t.parquet"
    argv = [sys.executable, "-m", "boolnet.cli", "exact", "--n", "6", "--encoding", "pm1", "--prior", "uniform",
            "--no-fan-in-scaling", "--orbits", "--backend", "dask", "--scheduler", cluster, "--checkpoint", str(ckpt),
            "--checkpoint-interval", "0.001", "-o", str(out), "--quiet"]
    env = dict(os.environ, BOOLNET_TEST_GROUP_SLEEP="0.3")  # the driver merges a task every 0.3 s at most
    killed_at = kill_after_first_save(argv, ckpt, timeout=120, env=env)
    assert not out.exists()
    assert 0 < killed_at < 135
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    table = read_table(out)
    assert 0 < table.attrs["boolnet"]["resumed_orbits"] < 135
    assert_same_table(local["n6 cube"], table)


def test_a_task_that_always_fails_stops_the_run_with_its_checkpoint(cluster, tmp_path, monkeypatch):
    from boolnet import dask_plumbing

    monkeypatch.setattr(dask_plumbing, "RETRIES", 0)
    ckpt = tmp_path / "run.ckpt"
    with pytest.raises(BoolnetError, match="Dask task of orbits 20 to 24 failed") as info:
        dask_table(6, cluster, {"task_orbits": 5, "window": 1, "fault": ("raise", str(tmp_path / "raise"), 4)},
                   checkpoint=ckpt, **N6_CUBE)
    assert "the volumes of the first 20 orbits are in checkpoint" in str(info.value) and ckpt.exists()


def test_bad_options(tmp_path, assert_usage_error):
    with pytest.raises(BoolnetError, match="backend must be 'local' or 'dask'") as info:
        bn.exact_table(3, backend="spark")
    assert info.value.param == "backend"
    with pytest.raises(BoolnetError, match="only with backend='dask'") as info:
        bn.exact_table(3, workers=2)
    assert info.value.param == "workers"
    for arch, activation, what in (("2-2-1", "step", "an MLP"), ("2-inf-1", None, "the infinite-width limit")):
        with pytest.raises(BoolnetError, match=f"perceptrons; {arch} is {what}") as info:
            bn.exact_table(arch, activation=activation, backend="dask")
        assert info.value.param == "backend"
    assert_usage_error("exact", "--arch", "2-2-1", "--activation", "step", "--backend", "dask",
                       mentions=["--backend dask", "perceptrons", "MLP"])
    assert_usage_error("exact", "--n", "3", "--scheduler", "tcp://x:1", mentions=["--scheduler", "only with --backend dask"])
    assert_usage_error("exact", "--n", "3", "--backend", "dask", "--scheduler", "http://x:1",
                       mentions=["not a Dask scheduler address"])


def test_help_names_the_dask_options():
    import argparse

    from boolnet.commands import exact

    parser = argparse.ArgumentParser()
    exact.add_arguments(parser)
    text = parser.format_help()
    for option in ("--backend {local,dask}", "--scheduler ADDRESS", "--workers WORKERS"):
        assert option in text
