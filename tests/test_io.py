"""boolnet.io: tables round-trip with their metadata, every bad file is a one-line BoolnetError, writes are atomic."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from boolnet.errors import BoolnetError
from boolnet.io import atomic_path, check_output_path, clean_stale_temps, read_table, sidecar_path, write_table
from boolnet.table.schema import attach


def small_table():
    return attach(pd.DataFrame({"function": ["0000", "0001", "0111"], "probability": [0.5, 0.25, 0.25],
                                "probability_low": [0.5, 0.25, 0.25], "probability_high": [0.5, 0.25, 0.25],
                                "lz": [2.0, 3.0, 3.0]}),
                  {"n": 2, "volume_method": "exact", "prior": "uniform"})


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_round_trip_keeps_rows_and_metadata(tmp_path, suffix):
    path = tmp_path / f"t{suffix}"
    write_table(small_table(), path)
    back = read_table(path)
    assert back["function"].tolist() == ["0000", "0001", "0111"]  # leading zeros survive
    assert back["probability"].tolist() == [0.5, 0.25, 0.25]
    assert back.attrs["boolnet"]["n"] == 2 and back.attrs["boolnet"]["volume_method"] == "exact"
    assert "boolnet_version" in back.attrs["boolnet"]


def test_csv_is_plain_and_metadata_sits_beside_it(tmp_path):
    path = tmp_path / "t.csv"
    write_table(small_table(), path)
    plain = pd.read_csv(path)  # no comment= needed: the header is the first line
    assert plain.columns.tolist() == ["function", "probability", "probability_low", "probability_high", "lz"]
    described = json.loads(sidecar_path(path).read_text())
    assert described["url"] == "t.csv"
    assert [c["name"] for c in described["tableSchema"]["columns"]] == plain.columns.tolist()
    assert described["urn:boolnet:metadata"]["n"] == 2


def test_old_csv_with_a_metadata_comment_line_is_upgraded(tmp_path):
    path = tmp_path / "old.csv"
    meta = {"command": "sample", "n": 2, "samples_per_second": 5.0, "boolnet_version": "0.1.0"}
    path.write_text("# boolnet-metadata: " + json.dumps(meta) + "\n"
                    "function,count,probability,ci_low,ci_high\n0001,3,0.75,0.3,0.95\n0111,1,0.25,0.04,0.7\n")
    df = read_table(path)
    assert df.columns.tolist() == ["function", "probability", "probability_low", "probability_high", "count"]
    assert df.attrs["boolnet"]["volume_method"] == "sampled" and df.attrs["boolnet"]["per_second"] == 5.0
    assert df["probability_low"].tolist() == [0.3, 0.04]


def test_old_exact_table_error_bound_becomes_bounds(tmp_path):
    path = tmp_path / "old.csv"
    meta = {"command": "table", "volume_method": "exact", "prior": "gaussian", "boolnet_version": "0.1.0"}
    path.write_text("# boolnet-metadata: " + json.dumps(meta) + "\n"
                    "function,probability,error_bound\n0001,0.5,0.125\n")
    df = read_table(path)
    assert df.attrs["boolnet"]["volume_method"] == "quadrature"
    assert (df["probability_low"].item(), df["probability_high"].item()) == (0.375, 0.625)


@pytest.mark.parametrize("name,content,mentions", [
    ("empty.csv", b"", "empty"),
    ("nofunction.csv", b"a,b\n1,2\n", "no 'function' column"),
    ("blankcell.csv", b"function,probability\n0001,0.5\n,0.5\n", "empty"),
    ("badchars.csv", b"function,probability\n0021,0.5\n", "0 and 1"),
    ("negative.csv", b"function,probability\n0001,-0.5\n", "outside [0, 1]"),
    ("above.csv", b"function,probability\n0001,1.5\n", "outside [0, 1]"),
    ("nan.csv", b"function,probability\n0001,nan\n", "outside [0, 1]"),
    ("lengths.csv", b"function,probability\n0001,0.5\n01,0.5\n", "one length"),
    ("binary.csv", bytes(range(256)) * 4, "cannot read"),
    ("random.parquet", os.urandom(2000), "not a valid Parquet"),
    ("notes.txt", b"hello", ".csv or .parquet"),
])
def test_unusable_files_are_one_line_errors(tmp_path, name, content, mentions):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(BoolnetError) as info:
        read_table(path)
    message = str(info.value)
    assert "\n" not in message and mentions in message


def test_truncated_parquet_and_directories_are_refused(tmp_path):
    good = tmp_path / "t.parquet"
    write_table(small_table(), good)
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(BoolnetError, match="not a valid Parquet"):
        read_table(cut)
    (tmp_path / "x.csv").mkdir()
    with pytest.raises(BoolnetError, match="is a directory"):
        read_table(tmp_path / "x.csv")
    with pytest.raises(BoolnetError, match="does not exist"):
        read_table(tmp_path / "missing.csv")


def test_output_paths_are_checked_before_work(tmp_path):
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(BoolnetError, match="is a directory"):
        check_output_path(tmp_path / "d.csv")
    with pytest.raises(BoolnetError, match="does not exist"):
        check_output_path(tmp_path / "nowhere" / "t.csv")
    with pytest.raises(BoolnetError, match="must end in"):
        check_output_path(tmp_path / "t.xlsx")
    if os.geteuid() != 0:  # root may write anywhere
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o500)
        with pytest.raises(BoolnetError, match="permission"):
            check_output_path(ro / "t.csv")


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(path) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed mid-write")
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.txt"]


def test_stale_temp_of_a_killed_writer_is_removed_next_time(tmp_path):
    # A writer killed with -9 leaves .NAME.PID.tmp; a dead pid marks it stale, a live one does not.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".t.csv.{dead.stdout.strip()}.tmp"
    stale.write_text("half a table")
    writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # another live writer
    try:
        live = tmp_path / f".t.csv.{writer.pid}.tmp"
        live.write_text("being written")
        assert clean_stale_temps(tmp_path / "t.csv") == [stale] and live.exists()
        # A second run writing the same output is told, not silently replacing the first one's file.
        with pytest.raises(BoolnetError, match=f"being written by another running process \\(pid {writer.pid}\\)"):
            write_table(small_table(), tmp_path / "t.csv")
    finally:
        writer.kill()
        writer.wait()
    write_table(small_table(), tmp_path / "t.csv")  # the writer is gone: its temporary file is stale now
    assert not live.exists() and (tmp_path / "t.csv").exists()


def test_full_disk_is_a_clear_error_and_loses_nothing(tmp_path):
    # A file-size limit (ulimit -f) makes writes fail with EFBIG, as a full disk fails with ENOSPC.
    path = tmp_path / "big.csv"
    path.write_text("function,probability\n0001,1.0\n")
    script = textwrap.dedent(f"""
        import resource, numpy as np, pandas as pd
        from boolnet.io import write_table
        from boolnet.table.schema import attach
        from boolnet.errors import BoolnetError
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
        df = attach(pd.DataFrame({{"function": ["0101"] * 200000, "probability": np.full(200000, 5e-6)}}), {{}})
        try:
            write_table(df, {str(path)!r})
        except BoolnetError as exc:
            print(exc)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "disk is full" in out.stdout and str(path) in out.stdout
    assert path.read_text() == "function,probability\n0001,1.0\n"  # the old table is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv"]  # no temp file, no sidecar


def test_write_without_path_prints(capsys):
    write_table(small_table())
    out = capsys.readouterr().out
    assert "0111" in out and "# n: 2" in out


def test_large_string_columns_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    functions = ["".join(map(str, row)) for row in rng.integers(0, 2, size=(50, 128))]
    df = attach(pd.DataFrame({"function": functions, "probability": np.full(50, 0.02)}), {"n": 7})
    write_table(df, tmp_path / "t.parquet")
    assert read_table(tmp_path / "t.parquet")["function"].tolist() == functions
