"""`boolnet sample` killed mid-run (SIGKILL, SIGINT) resumes to the counts of an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from boolnet.priors import Prior
from boolnet.sampling import sample_table

ARCH = "3-1"
SAMPLES = 4_000_000
SEED = 5


@pytest.fixture(scope="module")
def reference():
    # Uninterrupted run in this process (also compiles the kernels into numba's
    # cache before the subprocesses start).
    df = sample_table(ARCH, samples=SAMPLES, seed=SEED)
    return dict(zip(df["function"], df["count"]))


def _start(checkpoint):
    cmd = [sys.executable, "-m", "boolnet.cli", "sample", "--arch", ARCH, "--samples", str(SAMPLES),
           "--seed", str(SEED), "--checkpoint", str(checkpoint), "--checkpoint-interval", "1e-9", "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not checkpoint.exists():  # the first checkpoint follows the first chunk
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "no checkpoint written"
        time.sleep(0.005)
    return proc


def _done(checkpoint):
    with np.load(checkpoint) as data:
        return int(data["done"])


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_interrupted_run_resumes_to_uninterrupted_counts(tmp_path, reference, sig):
    checkpoint = tmp_path / "run.ckpt"
    proc = _start(checkpoint)
    proc.send_signal(sig)
    code = proc.wait(timeout=120)
    err = proc.stderr.read()
    if sig == signal.SIGINT:
        # Ctrl-C: the current chunk ends, the checkpoint is saved, exit status 130.
        assert code == 130, err
        assert "counts saved to checkpoint" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    else:
        assert code == -signal.SIGKILL
    done = _done(checkpoint)
    assert 0 < done < SAMPLES, "the run was not interrupted mid-way"
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")] or sig == signal.SIGKILL
    # The same options resume from the checkpoint and end with the uninterrupted counts.
    df = sample_table(ARCH, samples=SAMPLES, seed=SEED, checkpoint=checkpoint, prior=Prior())
    assert dict(zip(df["function"], df["count"])) == reference
    assert _done(checkpoint) == SAMPLES
