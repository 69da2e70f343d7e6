"""Helpers shared by the test modules."""

from __future__ import annotations

import signal

import pytest

from boolnet.cli import main


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
