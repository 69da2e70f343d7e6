"""Helpers shared by the test modules."""

from __future__ import annotations

import signal
import sys

import pytest

from boolnet.cli import main


@pytest.fixture(autouse=True)
def _close_figures():
    """Close the figures a test opened (pyplot keeps them, and the doctests that run after the tests would
    otherwise pass matplotlib's 20-figure warning)."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def _same_table(a, b) -> None:
    """Same columns, same rows in the same order, same bits (floats compared as bytes)."""
    assert a.columns.tolist() == b.columns.tolist()
    assert len(a) == len(b)
    for c in a.columns:
        x, y = a[c].to_numpy(), b[c].to_numpy()
        if x.dtype.kind == "f":
            assert x.tobytes() == y.tobytes(), c
        else:
            assert (x.astype(str) == y.astype(str)).all(), c


@pytest.fixture
def assert_same_table():
    """``assert_same_table(a, b)``: two tables equal bit for bit (a resumed or distributed run against the
    uninterrupted local one)."""
    return _same_table


@pytest.fixture
def saved_orbits():
    """``saved_orbits(path) -> int``: orbits an exact checkpoint holds (0 while it is missing or half written)."""

    def read(path) -> int:
        import numpy as np

        try:
            with np.load(path) as data:
                return int(data["done"])
        except (OSError, ValueError, KeyError, EOFError):
            return 0

    return read


@pytest.fixture
def kill_after_first_save(saved_orbits):
    """``kill_after_first_save(cmd, checkpoint, cwd) -> orbits saved``: start the command, SIGKILL it once its exact
    checkpoint holds an orbit (a crash at an arbitrary moment after the first save), and say how many it held."""

    def run(cmd, checkpoint, cwd=None, timeout=300, env=None):
        import subprocess
        import time

        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + timeout
        try:
            while saved_orbits(checkpoint) == 0 and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            proc.send_signal(signal.SIGKILL)
        finally:
            _, err = proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL, err
        return saved_orbits(checkpoint)

    return run


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of two one-thread worker processes for a test module; its scheduler's address."""
    import logging

    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=logging.ERROR) as c:
        yield c.scheduler_address


@pytest.fixture
def run_cli(capsys):
    """``run_cli(*argv) -> (status, stdout, stderr)`` through :func:`boolnet.cli.main`."""

    def run(*argv):
        status = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture
def assert_usage_error(run_cli):
    """``assert_usage_error(*argv, mentions=())``: exit 2 with one stderr line naming each of ``mentions``."""

    def check(*argv, mentions=()):
        status, out, err = run_cli(*argv)
        assert status == 2, (status, out, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1, err  # one line, no traceback
        assert "Traceback" not in err
        for word in mentions:
            assert word in lines[0], (word, lines[0])
        return lines[0]

    return check


@pytest.fixture
def sigterm_after_first_chunk(monkeypatch):
    """``arm(cls) -> (calls, disarm)``: ``cls.run_workers`` raises SIGTERM once its first chunk is done.

    ``calls`` lists the chunks run; ``disarm()`` puts the real method back (to resume the run).
    """

    def arm(cls):
        real = cls.run_workers
        calls = []

        def run_workers(self, step, pool=None):
            real(self, step, pool)
            calls.append(1)
            if len(calls) == 1:
                signal.raise_signal(signal.SIGTERM)

        monkeypatch.setattr(cls, "run_workers", run_workers)
        return calls, lambda: monkeypatch.setattr(cls, "run_workers", real)

    return arm
