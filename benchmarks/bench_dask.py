"""The Dask backend and big tables: scaling, overhead per task, memory per distinct function.

Three measurements (issue 12), printed as Markdown rows and one JSON line per figure:

* **scaling**: wall time of the same run on the local backend (1 and 2 threads) and on the Dask backend
  with a LocalCluster of 1 and 2 worker processes (one thread each), started before the timing (its
  start-up and the workers' first kernel load are reported apart); the tables are checked to be equal;
* **overhead per task**: a run of tiny tasks (``3-1``, one block of 4096 samples per task, so the counting
  itself is negligible), timed on the Dask backend against the local backend: the difference per task;
* **memory per distinct function**: peak resident memory (``ru_maxrss`` of the child process, the kernel's
  own figure) of ``boolnet sample --arch 7-1 --samples S -o OUT`` for a Parquet file and a dataset, and of
  the old way (the whole DataFrame, then ``write_table``), over the distinct functions of the run; also
  with the resident memory of a process that only imported the same modules subtracted.

Usage::

    python benchmarks/bench_dask.py                   # everything (1e7 and 1e8 for memory: about 15 minutes)
    python benchmarks/bench_dask.py --quick           # smaller runs
    python benchmarks/bench_dask.py --only memory --memory-samples 1e8

On a shared machine, run it more than once: wall times vary with the other jobs.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def rows_equal(a, b) -> bool:
    return (a["function"].astype(str).tolist() == b["function"].astype(str).tolist()
            and (a["count"].to_numpy() == b["count"].to_numpy()).all())


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def report(kind, **figures):
    print(json.dumps({"bench": kind, **figures}), flush=True)


def scaling(arch: str, samples: int, seed: int = 1):
    from dask.distributed import Client, LocalCluster

    from boolnet.sampling.sampler import sample_table

    sample_table(arch, samples=4096, seed=seed, threads=1)  # compile
    ref, t1 = timed(lambda: sample_table(arch, samples=samples, seed=seed, threads=1))
    _, t2 = timed(lambda: sample_table(arch, samples=samples, seed=seed, threads=2))
    rows = [("local, 1 thread", t1), ("local, 2 threads", t2)]
    for workers in (1, 2):
        (cluster, client), start = timed(lambda: _cluster(workers, LocalCluster, Client))
        try:
            _, warm = timed(lambda: sample_table(arch, samples=4096 * workers, seed=seed, backend="dask",
                                                 scheduler=cluster.scheduler_address))
            df, t = timed(lambda: sample_table(arch, samples=samples, seed=seed, backend="dask",
                                               scheduler=cluster.scheduler_address))
            assert rows_equal(ref, df), "dask table differs from the local one"
            rows.append((f"dask, {workers} worker{'s' if workers > 1 else ''}", t))
            report("scaling-startup", arch=arch, workers=workers, cluster_start_s=start, first_run_s=warm)
            tasks = df.attrs["boolnet"]["dask"]["tasks"]
        finally:
            client.close()
            cluster.close()
    print(f"\n{arch}, {samples:.3g} samples (tables equal; the Dask runs had {tasks} tasks)\n")
    print("| backend | seconds | samples/s | speed-up over 1 local thread |")
    print("|---|---:|---:|---:|")
    for name, t in rows:
        print(f"| {name} | {t:.2f} | {samples / t:.3g} | {t1 / t:.2f} |")
        report("scaling", arch=arch, samples=samples, backend=name, seconds=t, per_second=samples / t)


def _cluster(workers, LocalCluster, Client):
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                           silence_logs=logging.ERROR)
    return cluster, Client(cluster)


def overhead(tasks: int, workers: int = 2):
    from dask.distributed import Client, LocalCluster

    from boolnet.sampling.sampler import sample_table

    samples = 4096 * tasks
    sample_table("3-1", samples=4096, seed=1, threads=1)
    ref, local = timed(lambda: sample_table("3-1", samples=samples, seed=1, threads=1))
    cluster, client = _cluster(workers, LocalCluster, Client)
    try:
        address = cluster.scheduler_address
        sample_table("3-1", samples=4096 * workers, seed=1, backend="dask", scheduler=address)  # warm the workers
        for fan_in in (1, 4):
            df, t = timed(lambda: sample_table("3-1", samples=samples, seed=1, backend="dask", scheduler=address,
                                               _dask_options={"task_blocks": 1, "fan_in": fan_in}))
            assert rows_equal(ref, df)
            per_task = (t - local) / tasks
            print(f"overhead: {tasks} tasks of one block (3-1), {workers} workers, fan_in {fan_in}: {t:.2f} s "
                  f"against {local:.2f} s on one local thread: {per_task * 1e3:.2f} ms per task "
                  f"({t / tasks * 1e3:.2f} ms per task in all)")
            report("overhead", tasks=tasks, workers=workers, fan_in=fan_in, dask_s=t, local_s=local,
                   per_task_ms=per_task * 1e3, all_per_task_ms=t / tasks * 1e3)
    finally:
        client.close()
        cluster.close()


_CHILD_OLD = """
import sys
from boolnet.io import write_table
from boolnet.sampling.sampler import sample_table
df = sample_table("7-1", samples=int(float(sys.argv[1])), seed=3)
write_table(df, sys.argv[2])
"""

_CHILD_BASE = """
import boolnet.io, boolnet.sampling.sampler, boolnet.sampling.counts, boolnet.table.build, pyarrow.parquet
from boolnet.sampling.sampler import sample_table
sample_table("7-1", samples=4096, seed=3)
"""

_CHILD_CLI = """
import sys
from boolnet.cli import main
sys.exit(main(sys.argv[1:]))
"""

# The child writes its own peak resident memory (VmHWM: the kernel's high-water mark of this process's
# memory) to the file named by BENCH_PEAK_FILE when it exits. (ru_maxrss of a child is no good here: Linux
# carries the parent's peak over fork and exec into it.)
_PEAK_HOOK = """
import atexit, os
def _peak():
    with open("/proc/self/status") as fh:
        kb = [line.split()[1] for line in fh if line.startswith("VmHWM:")][0]
    with open(os.environ["BENCH_PEAK_FILE"], "w") as out:
        out.write(kb)
atexit.register(_peak)
"""


def _peak(code, args) -> tuple[float, float]:
    """``(peak RSS in bytes, wall seconds)`` of a child Python process running ``code`` with ``args``."""
    with tempfile.NamedTemporaryFile("r", suffix=".peak") as peak_file:
        env = dict(os.environ, BENCH_PEAK_FILE=peak_file.name)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", _PEAK_HOOK + code, *args], env=env, capture_output=True,
                              text=True)
        seconds = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(f"{args} failed: {proc.stderr[-2000:]}")
        return float(open(peak_file.name).read()) * 1024.0, seconds


def _distinct(path: Path) -> int:
    import pyarrow.parquet as pq

    if path.is_dir():
        return json.loads((path / "_boolnet_dataset.json").read_text())["metadata"]["distinct"]
    return json.loads(pq.read_schema(path).metadata[b"boolnet"])["distinct"]


def memory(samples: float, old: bool = True, dask: bool = True):
    folder = Path(tempfile.mkdtemp(prefix="bench_dask_"))
    base, _ = _peak(_CHILD_BASE, [])
    cli = ["sample", "--arch", "7-1", "--samples", f"{samples:g}", "--seed", "3", "--quiet", "-o"]
    cases = [("sample -o FILE.parquet (streamed row groups)", _CHILD_CLI, cli + [str(folder / "t.parquet")],
              folder / "t.parquet"),
             ("sample -o DIR/ (partitioned dataset)", _CHILD_CLI, cli + [f"{folder}/ds/"], folder / "ds")]
    if dask:
        cases.append(("sample --backend dask --workers 2 -o DIR/ (the driver process only)", _CHILD_CLI,
                      cli[:-1] + ["--backend", "dask", "--workers", "2", "-o", f"{folder}/dk/"], folder / "dk"))
    if old:
        cases.append(("whole DataFrame, then write_table (before)", _CHILD_OLD,
                      [f"{samples:g}", str(folder / "old.parquet")], folder / "old.parquet"))
    print(f"\nmemory, 7-1, {samples:.3g} samples (a process that only imported the modules and ran a tiny sample: "
          f"{base / 2**20:.0f} MiB)\n")
    print("| run | distinct | peak RSS | bytes per distinct | without the import baseline | seconds |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, code, args, out in cases:
        peak, seconds = _peak(code, args)
        distinct = _distinct(out)
        print(f"| {name} | {distinct:,} | {peak / 2**30:.2f} GiB | {peak / distinct:.0f} | "
              f"{(peak - base) / distinct:.0f} | {seconds:.0f} |")
        report("memory", run=name, samples=samples, distinct=distinct, peak_rss=peak, base_rss=base,
               bytes_per_distinct=peak / distinct, bytes_per_distinct_above_base=(peak - base) / distinct,
               seconds=seconds)
        subprocess.run(["rm", "-rf", str(out)])
    subprocess.run(["rm", "-rf", str(folder)])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs")
    parser.add_argument("--only", choices=("scaling", "overhead", "memory"), default=None)
    parser.add_argument("--memory-samples", nargs="+", default=None, help="sample counts of the memory runs")
    parser.add_argument("--no-old", action="store_true", help="skip the in-memory DataFrame run (slow, big)")
    args = parser.parse_args()
    print(f"# bench_dask: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start\n")
    if args.only in (None, "scaling"):
        scaling("7-40-40-1", 20_000 if args.quick else 500_000)
        scaling("7-1", 2 * 10**6 if args.quick else 10**7)
    if args.only in (None, "overhead"):
        overhead(100 if args.quick else 400)
    if args.only in (None, "memory"):
        for s in args.memory_samples or (["1e6"] if args.quick else ["1e7", "1e8"]):
            memory(float(s), old=not args.no_old and float(s) <= 1e7, dask=float(s) <= 1e7)
    print(f"\n# load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
