"""The Dask backend: identical counts to the local backend, whatever the tasks, failures and restarts.

One LocalCluster of 2 worker processes (one thread each) serves the module; each
test passes its address as ``scheduler``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

distributed = pytest.importorskip("dask.distributed")

from boolnet.errors import BoolnetError, Interrupted  # noqa: E402
from boolnet.io import read_table  # noqa: E402
from boolnet.sampling.sampler import sample_table  # noqa: E402


@pytest.fixture(scope="module")
def local():
    """Local-backend tables the Dask runs must reproduce."""
    return {
        "5-1": sample_table("5-1", samples=100_000, seed=7, threads=2),
        "3-4-1": sample_table("3-4-1", activation="tanh", encoding="pm1", samples=30_000, seed=2, threads=1),
    }


def same(a, b):
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def same_rows(a, b):
    """The same rows in the same order (a table read back from a file may type its strings differently)."""
    assert list(a.columns) == list(b.columns)
    assert a["function"].astype(str).tolist() == b["function"].astype(str).tolist()
    for col in a.columns[1:]:
        assert (a[col].to_numpy() == b[col].to_numpy()).all(), col


@pytest.mark.parametrize("options", [
    {"task_blocks": 1, "fan_in": 2},             # 25 tasks, pairs added on the workers
    {"task_blocks": 3, "fan_in": 4, "window": 2},  # fewer, bigger tasks, few in flight
    {},                                            # the defaults
])
def test_dask_counts_equal_local(cluster, local, options):
    df = sample_table("5-1", samples=100_000, seed=7, backend="dask", scheduler=cluster, _dask_options=options)
    same(local["5-1"], df)
    meta = df.attrs["boolnet"]
    assert meta["backend"] == "dask" and meta["dask"]["workers"] == 2 and meta["samples_done"] == 100_000


def test_mlp_equal_local(cluster, local):
    df = sample_table("3-4-1", activation="tanh", encoding="pm1", samples=30_000, seed=2, backend="dask",
                      scheduler=cluster, _dask_options={"task_blocks": 2})
    same(local["3-4-1"], df)


def test_killed_worker_and_failed_task_change_nothing(cluster, local, tmp_path):
    # Task 3's first attempt kills its own worker process (the nanny restarts it; the task is recomputed).
    killed = sample_table("5-1", samples=100_000, seed=7, backend="dask", scheduler=cluster,
                          _dask_options={"task_blocks": 1, "fault": ("kill", str(tmp_path / "kill"), 3)})
    assert (tmp_path / "kill").exists()
    same(local["5-1"], killed)
    # Task 2's first attempt raises; Dask retries it.
    retried = sample_table("5-1", samples=100_000, seed=7, backend="dask", scheduler=cluster,
                           _dask_options={"task_blocks": 2, "fault": ("raise", str(tmp_path / "raise"), 2)})
    assert (tmp_path / "raise").exists()
    same(local["5-1"], retried)


def test_stopped_driver_resumes_from_its_checkpoint(cluster, local, tmp_path):
    ckpt = tmp_path / "run.ckpt"
    with pytest.raises(Interrupted) as info:
        sample_table("5-1", samples=100_000, seed=7, backend="dask", scheduler=cluster, checkpoint=ckpt,
                     _stop_after=30_000, _dask_options={"task_blocks": 1, "fan_in": 2})
    done = info.value.done
    assert 30_000 <= done < 100_000 and ckpt.exists()
    assert int(info.value.partial["count"].sum()) == done
    df = sample_table("5-1", samples=100_000, seed=7, backend="dask", scheduler=cluster, checkpoint=ckpt,
                      _dask_options={"task_blocks": 3})
    assert df.attrs["boolnet"]["resumed_from"] == done
    same(local["5-1"], df)


def test_checkpoints_move_between_backends(cluster, local, tmp_path):
    ckpt = tmp_path / "run.ckpt"
    with pytest.raises(Interrupted):
        sample_table("5-1", samples=100_000, seed=7, threads=1, checkpoint=ckpt, _stop_after=20_000)
    same(local["5-1"], sample_table("5-1", samples=100_000, seed=7, backend="dask", scheduler=cluster,
                                    checkpoint=ckpt))
    # A finished checkpoint gives the table at once, on either backend.
    same(local["5-1"], sample_table("5-1", samples=100_000, seed=7, threads=1, checkpoint=ckpt))


def test_killed_driver_resumes(cluster, local, tmp_path):
    """kill -9 of a `boolnet sample --backend dask` process; the same command then finishes the run."""
    ckpt, out = tmp_path / "run.ckpt", tmp_path / "t.parquet"
    argv = [sys.executable, "-m", "boolnet.cli", "sample", "--arch", "5-1", "--samples", "100000", "--seed", "7",
            "--backend", "dask", "--scheduler", cluster, "--checkpoint", str(ckpt), "--checkpoint-interval",
            "0.001", "-o", str(out), "--quiet"]
    env = dict(os.environ, BOOLNET_TEST_GROUP_SLEEP="0.5")
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 120
        while not ckpt.exists() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, proc.stderr.read().decode()
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert not out.exists()
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    same_rows(local["5-1"], read_table(out))


def test_cli_dask_writes_a_dataset(cluster, local, tmp_path, run_cli):
    status, out, err = run_cli("sample", "--arch", "5-1", "--samples", "100000", "--seed", "7", "--backend",
                               "dask", "--scheduler", cluster, "-o", f"{tmp_path}/ds/", "--quiet")
    assert status == 0, err
    same_rows(local["5-1"], read_table(tmp_path / "ds"))


def test_bad_options(tmp_path, monkeypatch, assert_usage_error):
    with pytest.raises(BoolnetError, match="backend must be 'local' or 'dask'") as info:
        sample_table("2-1", samples=10, backend="spark")
    assert info.value.param == "backend"
    with pytest.raises(BoolnetError, match="only with backend='dask'"):
        sample_table("2-1", samples=10, workers=2)
    with pytest.raises(BoolnetError, match="workers must be a whole number"):
        sample_table("2-1", samples=10, backend="dask", workers=0)
    assert_usage_error("sample", "--arch", "2-1", "--samples", "10", "--scheduler", "tcp://x:1",
                       mentions=["--scheduler", "only with --backend dask"])
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # as if dask were not installed
    with pytest.raises(BoolnetError, match=r"pip install 'boolnet\[dask\]'"):
        sample_table("2-1", samples=10, backend="dask")


def test_default_local_cluster(local):
    """Without a scheduler, a LocalCluster of worker processes is started here and closed."""
    df = sample_table("5-1", samples=100_000, seed=7, backend="dask", workers=1)
    same(local["5-1"], df)
    assert df.attrs["boolnet"]["dask"]["scheduler"] == "LocalCluster"


def test_workers_of_another_boolnet_are_refused():
    from boolnet.sampling import dask_backend as DB

    class Client:
        def __init__(self, answer):
            self.answer = answer

        def run(self, fn):
            if isinstance(self.answer, Exception):
                raise self.answer
            return self.answer

    DB.check_worker_versions(Client({"tcp://a:1": DB.worker_versions()}))
    with pytest.raises(BoolnetError, match="run another boolnet") as info:
        DB.check_worker_versions(Client({"tcp://a:1": DB.worker_versions(), "tcp://b:1": ["0.1.0", "old"]}))
    assert info.value.param == "scheduler" and "tcp://b:1" in str(info.value)
    with pytest.raises(BoolnetError, match="cannot run boolnet"):
        DB.check_worker_versions(Client(ModuleNotFoundError("No module named 'boolnet'")))


def test_a_task_that_always_fails_stops_the_run_with_its_checkpoint(cluster, tmp_path, monkeypatch):
    from boolnet.sampling import dask_backend as DB

    monkeypatch.setattr(DB, "RETRIES", 0)
    ckpt = tmp_path / "run.ckpt"
    with pytest.raises(BoolnetError, match="Dask task of blocks 4 to 4 failed") as info:
        sample_table("5-1", samples=100_000, seed=7, backend="dask", scheduler=cluster, checkpoint=ckpt,
                     _dask_options={"task_blocks": 1, "fan_in": 1, "window": 1,
                                    "fault": ("raise", str(tmp_path / "raise"), 4)})
    assert "resume" in str(info.value) and ckpt.exists()


def test_sigterm_while_waiting_for_a_slow_task_stops_at_once(cluster, local, tmp_path):
    import threading

    ckpt = tmp_path / "run.ckpt"
    sent = []

    def terminate_once_running():  # the first checkpoint save shows the driver's signal handlers are in place
        while not ckpt.exists():
            time.sleep(0.01)
        sent.append(time.perf_counter())
        os.kill(os.getpid(), signal.SIGTERM)

    watcher = threading.Thread(target=terminate_once_running, daemon=True)
    watcher.start()
    with pytest.raises(Interrupted) as info:
        sample_table("5-1", samples=100_000, seed=7, backend="dask", scheduler=cluster, checkpoint=ckpt,
                     checkpoint_interval=0.001, _dask_options={"task_blocks": 1, "fan_in": 1, "window": 2,
                                                               "fault": ("sleep", str(tmp_path / "sleep"), 1)})
    assert time.perf_counter() - sent[0] < 2.5  # did not wait for the slow task (4 s)
    assert info.value.signal_name == "SIGTERM" and info.value.done == 4096  # task 0 done, task 1 still running
    time.sleep(3)  # let the slow task end before the next test uses the workers
    same(local["5-1"], sample_table("5-1", samples=100_000, seed=7, backend="dask", scheduler=cluster,
                                    checkpoint=ckpt))
