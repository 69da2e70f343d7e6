"""`boolnet sample` and `boolnet enumerate` as processes: signals, kill -9 during a save, a file-size limit.

Oracle: an uninterrupted run in this process; a stopped or killed run resumed
from its checkpoint must end with exactly its counts.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from boolnet.priors import Prior
from boolnet.sampling import sample_table

ARCH = "3-1"
SAMPLES = 4_000_000
SEED = 5
CMD = ["sample", "--arch", ARCH, "--samples", str(SAMPLES), "--seed", str(SEED)]


@pytest.fixture(scope="module")
def reference():
    # Uninterrupted run in this process (also compiles the kernels into numba's
    # cache before the subprocesses start).
    df = sample_table(ARCH, samples=SAMPLES, seed=SEED)
    return dict(zip(df["function"], df["count"]))


def _start(checkpoint):
    cmd = [sys.executable, "-m", "boolnet.cli", *CMD, "--checkpoint", str(checkpoint), "--checkpoint-interval",
           "1e-9", "--quiet"]
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


def _resume(checkpoint):
    df = sample_table(ARCH, samples=SAMPLES, seed=SEED, checkpoint=checkpoint, prior=Prior())
    return dict(zip(df["function"], df["count"]))


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM])
def test_interrupted_run_resumes_to_uninterrupted_counts(tmp_path, reference, sig):
    checkpoint = tmp_path / "run.ckpt"
    proc = _start(checkpoint)
    proc.send_signal(sig)
    code = proc.wait(timeout=120)
    err = proc.stderr.read()
    if sig == signal.SIGKILL:
        assert code == -signal.SIGKILL
    else:
        # Ctrl-C or SIGTERM: the current chunk ends, the checkpoint is saved, one line, exit status 128 + signal.
        assert code == 128 + sig, err
        assert f"stopped by {signal.Signals(sig).name}" in err and "counts saved to checkpoint" in err, err
        assert "rerun the same command to resume" in err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
        assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    done = _done(checkpoint)
    assert 0 < done < SAMPLES, "the run was not interrupted mid-way"
    # The same options resume from the checkpoint and end with the uninterrupted counts.
    assert _resume(checkpoint) == reference
    assert _done(checkpoint) == SAMPLES


def test_kill_during_a_save_leaves_a_temp_file_that_the_next_run_removes(tmp_path, reference):
    """kill -9 in the middle of writing a checkpoint: the old checkpoint stays whole, the temp file goes next start."""
    checkpoint = tmp_path / "run.ckpt"
    script = textwrap.dedent(f"""
        import os, signal
        from boolnet.io import checkpoint as C
        from boolnet.sampling import sample_table
        real = C._write_npz
        calls = []
        def writer(path, **arrays):
            calls.append(path)
            if len(calls) == 3:  # third save: half written, then killed
                with open(path, "wb") as fh:
                    fh.write(b"PK\\x03\\x04" + b"x" * 100)
                    fh.flush()
                os.kill(os.getpid(), signal.SIGKILL)
            real(path, **arrays)
        C._write_npz = writer
        sample_table({ARCH!r}, samples={SAMPLES}, seed={SEED}, checkpoint={str(checkpoint)!r}, checkpoint_interval=1e-9)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    temps = [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    assert len(temps) == 1 and temps[0].startswith(".run.ckpt.") and temps[0][len(".run.ckpt."):-4].isdigit()
    assert 0 < _done(checkpoint) < SAMPLES  # the second save, complete
    assert _resume(checkpoint) == reference
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def _limit_file_size():
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))  # `ulimit -f 1`: every checkpoint is larger


def test_file_size_limit_during_saves_keeps_the_run_and_its_counts(tmp_path, reference):
    checkpoint = tmp_path / "run.ckpt"
    out = tmp_path / "table.parquet"
    cmd = [sys.executable, "-m", "boolnet.cli", *CMD, "--checkpoint", str(checkpoint), "--checkpoint-interval",
           "0.2", "--quiet"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, preexec_fn=_limit_file_size)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines and all(line.startswith("boolnet sample: warning: ") for line in lines), proc.stderr
    assert "final save of checkpoint" in lines[-1] and "was never written" in lines[-1]
    assert "file-size limit" in lines[-1] and f"the resulting table has all {SAMPLES} samples" in lines[-1]
    assert not checkpoint.exists() and not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    rows = [line.split() for line in proc.stdout.splitlines()]
    header = next(r for r in rows if r and r[0] == "function")
    rows = [r for r in rows if len(r) == len(header) and set(r[0]) <= {"0", "1"}]
    shown = {r[0]: int(r[header.index("count")]) for r in rows}  # the terminal shows the first rows
    assert len(shown) >= 10 and all(reference[f] == c for f, c in shown.items())
    assert not out.exists()


@pytest.mark.parametrize("argv,mentions", [
    (CMD[:5] + ["--checkpoint-interval", "nan", "--checkpoint", "c.ckpt"], ["--checkpoint-interval", "> 0"]),
    (CMD[:5] + ["--checkpoint-interval", "5"], ["--checkpoint-interval", "--checkpoint PATH"]),
    (["sample", "--arch", "3-1", "--samples", "abc"], ["--samples must be a whole number"]),
    (["sample", "--arch", "3-1", "--samples", "10", "--seed", "-5"], ["--seed must be"]),
    (["sample", "--arch", "3-1", "--samples", "10", "--threads", "0"], ["--threads must be a whole number from 1 to 256"]),
    (["sample", "--arch", "3-1", "--samples", "10", "--checkpoint", "/no/such/c.ckpt"],
     ["--checkpoint", "does not exist"]),
    (["sample", "--arch", "3-1", "--samples", "10", "--checkpoint", "/tmp"], ["--checkpoint /tmp is a directory"]),
    (["enumerate", "--arch", "2-1", "--grid", "-1:1", "-o", "x.txt"], [".csv or .parquet"]),
    (["enumerate", "--arch", "2-1", "--grid", "a:b"], ["--grid", "must be numbers"]),
    (["enumerate", "--arch", "2-1", "--grid", "-1:1", "--threads", "x"], ["--threads must be a whole number"]),
])
def test_bad_options_one_line_exit_2(argv, mentions, assert_usage_error):
    assert_usage_error(*argv, mentions=mentions)


def test_damaged_checkpoint_one_line(tmp_path, assert_usage_error):
    bad = tmp_path / "run.ckpt"
    bad.write_bytes(os.urandom(500))
    line = assert_usage_error(*CMD[:5], "--checkpoint", bad, mentions=["is not a boolnet checkpoint",
                                                                      "delete it or choose another path"])
    assert "allow_pickle" not in line


def test_enumerate_writes_a_schema_table(tmp_path, run_cli):
    from boolnet.io import read_table

    out = tmp_path / "g.csv"
    status, _, err = run_cli("enumerate", "--arch", "2-1", "--grid", "-1:1", "-o", out)
    assert status == 0 and "27 grid points" in err and str(out) in err
    df = read_table(out)
    assert df.columns.tolist() == ["function", "probability", "probability_low", "probability_high", "count"]
    assert df.attrs["boolnet"]["volume_method"] == "grid" and df["count"].sum() == 27


def test_compile_message_once_on_stderr_unless_quiet(tmp_path, capsys, monkeypatch, caplog):
    import logging

    from boolnet.cli import main
    from boolnet.sampling import jobs as S

    monkeypatch.setattr(S, "_needs_compiling", lambda dispatchers: True)
    assert main(["sample", "--arch", "3-1", "--samples", "100", "-o", str(tmp_path / "a.csv")]) == 0
    err = capsys.readouterr().err
    assert err.count("boolnet sample: compiling the sampler's kernels") == 1
    assert "boolnet sample: kernels compiled in" in err and "not counted in samples/s" in err
    assert main(["sample", "--arch", "3-1", "--samples", "100", "--quiet", "-o", str(tmp_path / "b.csv")]) == 0
    assert capsys.readouterr().err == ""
    # The library prints nothing: the message is a record of the "boolnet" logger.
    with caplog.at_level(logging.INFO, logger="boolnet"):
        sample_table("3-1", samples=100)
    assert capsys.readouterr().err == "" and any("compiling" in r.getMessage() for r in caplog.records)
    monkeypatch.undo()
    assert not S._needs_compiling([S.WK.sample_worker_perceptron])  # compiled by now (3-1 is a perceptron)
