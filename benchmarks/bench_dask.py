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
  with the resident memory of a process that only imported the same modules subtracted;
* **exact orbits** (issue 21): the volume phase of ``boolnet exact --orbits`` (the orbits enumerated once,
  beforehand, and timed apart) on the local backend (this process) and on the Dask backend with a
  LocalCluster of 1 and 2 worker processes started before the timing; the volumes are checked to be equal,
  bit for bit. The n = 7 cube (all 2,470 orbits) and the n = 6 gaussian prior with 0/1 inputs (every
  48th of its 19,228 orbits, a spread sample: orbits differ in cost).

Usage::

    python benchmarks/bench_dask.py                   # everything (1e7 and 1e8 for memory: about 15 minutes)
    python benchmarks/bench_dask.py --quick           # smaller runs
    python benchmarks/bench_dask.py --only memory --memory-samples 1e8
    python benchmarks/bench_dask.py --only exact      # about 3 minutes (--quick: 1)

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


def exact(n: int, encoding: str, prior, every: int = 1, workers=(1, 2)):
    """Volume phase of an exact orbit table: local backend against Dask, on the same (sampled) orbits.

    Every run is made twice and the second timed: the first loads the kernels (the parallel orthant
    kernel only comes with big batches) in this process or in the workers.
    """
    from dask.distributed import Client, LocalCluster

    from boolnet.exact import engine
    from boolnet.exact.enumeration import threshold_orbits
    from boolnet.exact.selfdual import keeps_bias_symmetry, self_dual_orbits
    from boolnet.runs import drive

    name = f"n = {n}, {encoding} inputs, {prior.kind}" + (f", every {every}th orbit" if every > 1 else "")
    symmetric = keeps_bias_symmetry(n, encoding, True, prior)
    t0 = time.perf_counter()
    orbits = self_dual_orbits(n, False) if symmetric else threshold_orbits(n, encoding, True)
    enumeration = time.perf_counter() - t0
    chosen = orbits[::every]

    def on_local():
        volumes = engine._OrbitVolumes(chosen, prior)
        drive(engine._VolumeJob(volumes, n), volumes, threads=1)
        return volumes, None

    def on_dask(address):
        volumes = engine._OrbitVolumes(chosen, prior)
        _, info = engine._drive_dask(volumes, n, start=0, scheduler=address, workers=None, progress=False,
                                     checkpoint=None, checkpoint_interval=30.0)
        return volumes, info

    def twice(run, *args):
        first = timed(lambda: run(*args))[1]
        (volumes, info), second = timed(lambda: run(*args))
        return volumes, info, first, second

    local, _, local_first, t_local = twice(on_local)
    rows = [("local (this process)", t_local, local_first, None)]
    for k in workers:
        t0 = time.perf_counter()
        cluster, client = _cluster(k, LocalCluster, Client)
        start = time.perf_counter() - t0
        try:
            volumes, info, first, t = twice(on_dask, cluster.scheduler_address)
            assert volumes.p.tobytes() == local.p.tobytes() and volumes.err.tobytes() == local.err.tobytes()
            assert volumes.exact == local.exact, "dask volumes differ from the local ones"
            rows.append((f"dask, {k} worker{'s' if k > 1 else ''}", t, first, info))
            report("exact-startup", case=name, workers=k, cluster_start_s=start, first_run_s=first)
        finally:
            client.close()
            cluster.close()
    print(f"\nexact {name}: {len(chosen)} of {len(orbits)} orbits (enumerated in {enumeration:.1f} s, not "
          f"timed below; volumes equal bit for bit; Dask tasks of {rows[-1][3]['task_orbits']} orbits)\n")
    print("| backend | seconds (first run) | orbits/s | speed-up over local |")
    print("|---|---:|---:|---:|")
    for backend, t, first, info in rows:
        print(f"| {backend} | {t:.2f} ({first:.2f}) | {len(chosen) / t:.1f} | {t_local / t:.2f} |")
        report("exact", case=name, orbits=len(chosen), orbits_total=len(orbits), backend=backend, seconds=t,
               first_run_s=first, per_second=len(chosen) / t, enumeration_s=enumeration,
               tasks=None if info is None else info["tasks"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs")
    parser.add_argument("--only", choices=("scaling", "overhead", "memory", "exact"), default=None)
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
    if args.only in (None, "exact"):
        from boolnet.priors import Prior

        exact(6 if args.quick else 7, "pm1", Prior("uniform", fan_in_scaling=False))   # the cube, B_(n+1)
        exact(5 if args.quick else 6, "01", Prior(), every=48)
    print(f"\n# load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
