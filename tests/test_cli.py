"""The command line's boundary: help without numerical libraries, one-line errors with flags, signals."""

import os
import signal
import subprocess
import sys
import time

import pytest

from boolnet.cli import build_parser, flag_message

HEAVY = ("numba", "scipy", "pandas", "sympy", "pyarrow", "matplotlib")


@pytest.mark.parametrize("argv", [["--help"], ["table", "--help"], ["sample", "--help"], ["levin", "--help"]])
def test_help_imports_no_numerical_library(argv):
    script = (
        "import sys\n"
        "from boolnet.cli import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_import_boolnet_is_light_and_lazy():
    script = ("import sys, boolnet as bn\n"
              f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
              "print(bn.Prior().weight_scale(4))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.stdout.split("\n")[:2] == ["[]", "0.5"], out.stderr


def test_parameter_names_become_flags():
    sub = build_parser()._subparsers._group_actions[0].choices["table"]
    assert flag_message("sigma_w must be > 0, got 0", "sigma_w", sub) == "--sigma-w must be > 0, got 0"
    assert flag_message("no_bias is odd", "no_bias", sub) == "--no-bias is odd"
    # A parameter without a flag of that name is left as it is.
    assert flag_message("table x.csv does not exist", "table", sub) == "table x.csv does not exist"


@pytest.mark.parametrize("argv,mentions", [
    (["exact", "--n", "2", "--sigma-w", "0"], ["--sigma-w", "> 0"]),
    (["exact", "--n", "2", "--sigma-w", "1e400"], ["--sigma-w", "out of range"]),
    (["exact", "--n", "2", "--sigma-w", "1e-400"], ["--sigma-w", "out of range"]),
    (["exact", "--n", "2", "--sigma-b", "nan"], ["--sigma-b"]),
    (["exact", "--n", "9"], ["--n 9", "1 <= n <= 7"]),
    (["exact", "--n", "2", "--prior", "cauchy"], ["--prior", "gaussian, uniform"]),
    (["exact", "--n", "2", "--encoding", "ab"], ["--encoding"]),
    (["exact", "--arch", "2-2-1", "--activation", "relu"], ["step"]),
    (["regions", "--n", "2", "-o", "out.txt"], ["--output", ".tex"]),
    (["table", "--arch", "2-1", "--samples", "abc"], ["--samples", "exact"]),
    (["table", "--arch", "2-1", "--seed", "-5", "--threads", "0"], ["--seed", "--threads"]),
    (["table", "--arch", "2-1", "--checkpoint", "/nonexistent/c.ckpt"], ["--checkpoint"]),
    (["table", "--arch", "2-2-1", "--activation", "relu", "--method", "exact"], ["--method", "sample"]),
    (["table", "--arch", "2-1", "--measures", "nonsense"], ["nonsense"]),
])
def test_bad_input_is_one_line_with_the_flag(assert_usage_error, argv, mentions):
    assert_usage_error(*argv, mentions=mentions)


def test_output_that_is_a_directory_fails_before_the_work(assert_usage_error, tmp_path):
    (tmp_path / "x.csv").mkdir()
    line = assert_usage_error("table", "--arch", "2-1", "-o", tmp_path / "x.csv", mentions=["is a directory"])
    assert "--output" in line


def test_regions_tex_is_checked_and_written_atomically(run_cli, tmp_path):
    status, _, err = run_cli("regions", "--n", "2", "-o", tmp_path / "missing" / "r.tex")
    assert status == 2 and "does not exist" in err
    status, _, _ = run_cli("regions", "--n", "2", "-o", tmp_path / "r.tex")
    assert status == 0
    text = (tmp_path / "r.tex").read_text()
    assert text.rstrip().endswith(r"\end{tabular}") and r"\texttt{0110} & False" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["missing", "r.tex"] or \
        sorted(p.name for p in tmp_path.iterdir()) == ["r.tex"]


def _wait_for(proc, text, timeout=120):
    """Read the process's stderr (progress bars end lines with \\r, not \\n) until ``text`` shows."""
    start, seen = time.time(), b""
    while time.time() - start < timeout and proc.poll() is None:
        seen += os.read(proc.stderr.fileno(), 4096)
        if text.encode() in seen:
            break
    return seen.decode(errors="replace")


def test_ctrl_c_during_start_up_exits_quietly():
    # SIGINT while the command is still importing its libraries (numba, sympy, Normaliz) and enumerating:
    # no traceback, status 130. The script says "ready" just before calling main(), so the signal lands inside it.
    script = ("import sys, time, boolnet.cli\n"
              "sys.stderr.write('ready\\n'); sys.stderr.flush()\n"
              "sys.exit(boolnet.cli.main(['exact', '--n', '5']))\n")
    proc = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    _wait_for(proc, "ready")
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    err = err.decode(errors="replace")
    assert "Traceback" not in err
    assert proc.returncode == 128 + signal.SIGINT, err


def test_sigterm_stops_like_ctrl_c(tmp_path):
    out = tmp_path / "t.parquet"
    proc = subprocess.Popen([sys.executable, "-m", "boolnet.cli", "exact", "--n", "5", "-o", str(out)],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    _wait_for(proc, "volumes n=5")  # inside the parallel numba quadrature, where a raised signal would crash
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    err = err.decode(errors="replace")
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err and "interrupted" in err
    assert not out.exists() and list(tmp_path.iterdir()) == []  # nothing half-written


def test_a_stop_landing_in_an_import_callback_is_delivered_again(monkeypatch):
    # Python prints and drops an exception raised inside importlib's module-lock callback ("Exception ignored
    # in ..."): a Ctrl-C landing there would be lost and the command would run on. The handler defers it.
    import types

    from boolnet import cli

    sent = []
    monkeypatch.setattr(cli.threading, "Timer", lambda delay, fn, args: types.SimpleNamespace(
        start=lambda: sent.append((fn, args))))
    callback = types.SimpleNamespace(f_code=types.SimpleNamespace(co_name="cb",
                                                                  co_filename="<frozen importlib._bootstrap>"))
    cli._raise_keyboard_interrupt(signal.SIGINT, callback)          # deferred: nothing raised
    cli._raise_interrupt(signal.SIGTERM, callback)
    assert sent == [(os.kill, (os.getpid(), signal.SIGINT)), (os.kill, (os.getpid(), signal.SIGTERM))]
    ordinary = types.SimpleNamespace(f_code=types.SimpleNamespace(co_name="main", co_filename="cli.py"))
    with pytest.raises(KeyboardInterrupt):
        cli._raise_keyboard_interrupt(signal.SIGINT, ordinary)
