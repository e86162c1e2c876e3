#!/usr/bin/env python3
"""Benchmark `exitaudit batch --dask`: throughput with 1 and 2 workers of a local Dask cluster,
against the local batch's fork pool (`--jobs 2`), on the generated many-logs corpus.

    python bench/dask_bench.py                   # 2,000 logs of 100 KiB (bench/corpus/many-10000, generated once)
    python bench/dask_bench.py --logs 10000      # the whole corpus
    python bench/dask_bench.py --scheduler tcp://HOST:8786   # also on a real cluster's workers

Needs `pip install 'exitaudit[dask]'`. Each figure is the best of --repeat rounds (each round
runs every configuration in turn) of the audit itself, from the first task submitted to the last
result in input order: the engine shipped to the workers and their filters built on first use
are included, starting the cluster is not (it is shown apart, with the end-to-end time of the
command line). The logs are read from the
page cache after the first run; on a real cluster they come from shared or object storage.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))


def ensure_corpus(count: int) -> Path:
    many = HERE / "corpus" / "many-10000"
    if not many.exists():
        print(f"generating {many} ...", file=sys.stderr)
        subprocess.run([sys.executable, str(HERE / "make_corpus.py"), "many", str(many), "--count", "10000", "--size", "100K"], check=True)
    if count > 10000:
        sys.exit("--logs: the corpus has 10,000 logs")
    return many


def tasks_of(many: Path, count: int):  # type: ignore[no-untyped-def]
    from exitaudit.model import ExitStatus, Origin

    logs = sorted(p for p in many.iterdir() if p.suffix == ".log")[:count]
    tasks = [(str(p), ExitStatus.parse(Path(str(p) + ".exit").read_text(), Origin.FILE, "sidecar"), None, None) for p in logs]
    return tasks, sum(p.stat().st_size for p in logs)


def timed(run) -> float:  # type: ignore[no-untyped-def]
    """Seconds from the first task to the last result."""
    start = time.perf_counter()
    n = sum(1 for _outcome in run())
    assert n > 0
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--logs", type=int, default=2000, help="logs of the corpus to audit (default 2000, at most 10000)")
    ap.add_argument("--repeat", type=int, default=3, help="rounds of every configuration; the fastest run of each counts")
    ap.add_argument("--scheduler", metavar="ADDRESS", help="also measure the workers of the cluster at this address")
    args = ap.parse_args(argv)

    from exitaudit import batch as b
    from exitaudit.distributed import DaskCluster
    from exitaudit.engine import Engine
    from exitaudit.rules import load_rules

    many = ensure_corpus(args.logs)
    tasks, size = tasks_of(many, args.logs)
    engine = Engine(load_rules(), fast=True)
    engine.prepare()  # as the command line does; also warms the Hyperscan disk cache
    b.set_engine(engine)
    print(f"{len(tasks)} logs, {size / 1e6:.0f} MB, {os.cpu_count()} cores; best of {args.repeat} rounds")
    walls: dict[str, list[float]] = {}
    starts: dict[int, list[float]] = {1: [], 2: []}

    def measure(label: str, run) -> None:  # type: ignore[no-untyped-def]
        walls.setdefault(label, []).append(timed(run))

    with contextlib.ExitStack() as stack:
        pool = b.make_pool(2)  # forked first, while this process has one thread; idle in between
        if pool is not None:
            stack.callback(pool.join)
            stack.callback(pool.terminate)
        remote = stack.enter_context(DaskCluster(args.scheduler)) if args.scheduler else None
        for _round in range(args.repeat):  # every configuration in turn: a noisy moment favours none
            measure("local batch, --jobs 1 (in-process)", lambda: b.audit_all(tasks, None))
            measure("local batch, --jobs 2 (fork pool)", lambda: b.audit_all(tasks, pool))
            for workers in (1, 2):
                start = time.perf_counter()
                with DaskCluster("local", workers=workers) as dask:  # the cluster `--dask local --jobs N` starts
                    starts[workers].append(time.perf_counter() - start)
                    measure(f"dask, LocalCluster of {workers} worker{'s' if workers > 1 else ''}", lambda: dask.audit_all(tasks, engine))
            if remote is not None:
                measure(f"dask, {args.scheduler} ({remote.threads()} threads)", lambda: remote.audit_all(tasks, engine))
    results = {label: min(times) for label, times in walls.items()}
    print(f"{'configuration':<34} {'wall s':>7} {'logs/s':>8} {'MB/s':>7}")
    for label, wall in results.items():
        print(f"{label:<34} {wall:>7.2f} {len(tasks) / wall:>8.0f} {size / wall / 1e6:>7.0f}")

    one, two = results["dask, LocalCluster of 1 worker"], results["dask, LocalCluster of 2 workers"]
    print(f"2 workers / 1 worker: {one / two:.2f}x the throughput")
    print(f"dask with 2 workers / local --jobs 2: {results['local batch, --jobs 2 (fork pool)'] / two:.2f}x the throughput")
    print(f"starting a LocalCluster: {min(starts[1]):.1f} s (1 worker), {min(starts[2]):.1f} s (2 workers)")

    # End to end, as a user runs it: the command line, start-up and tables included.
    with tempfile.TemporaryDirectory() as tmp:
        manifest = Path(tmp) / "jobs.csv"
        manifest.write_text("path,exit_code\n" + "".join(f"{t[0]},{t[1].code}\n" for t in tasks))
        exitaudit = [sys.executable, "-m", "exitaudit", "batch", str(manifest), "-o", str(Path(tmp) / "runs.parquet")]
        for label, extra in (("--jobs 2", ["--jobs", "2"]), ("--dask local --jobs 2", ["--dask", "local", "--jobs", "2"])):
            start = time.perf_counter()
            proc = subprocess.run([*exitaudit, *extra], capture_output=True, text=True)
            wall = time.perf_counter() - start
            if proc.returncode not in (0, 1):
                print(f"  ! exitaudit batch {label} exited {proc.returncode}: {proc.stderr.strip()[:300]}", file=sys.stderr)
            print(f"end to end, exitaudit batch {label}: {wall:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
