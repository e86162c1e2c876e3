"""Mining at scale: an archive of generated CI logs (bench/mine_archive.py, padded with
application logging to --size-kib each) mined end to end, with wall time, CPU and peak memory;
and the cost per line of the two ways to make templates: polars' bulk masks (what exitaudit
uses) against drain3's miner (when installed: pip install drain3).

    python bench/mine_bench.py [--runs 10000] [--size-kib 100] [--keep DIR]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mine_archive import generate  # noqa: E402


def per_line_costs(sample: Path, lines_wanted: int = 200_000) -> None:
    import polars as pl

    from exitaudit.mining.templates import hashes, mask

    lines: list[str] = []
    for path in sorted(sample.glob("*.log")):
        lines += path.read_text(encoding="utf-8").splitlines()
        if len(lines) >= lines_wanted:
            break
    lines = lines[:lines_wanted]
    t = time.perf_counter()
    hashes(mask(pl.Series(lines, dtype=pl.String)))
    bulk = time.perf_counter() - t
    print(f"templates of {len(lines)} lines: polars masks {bulk:.2f} s ({bulk / len(lines) * 1e6:.2f} us/line)")
    try:
        from drain3 import TemplateMiner
    except ImportError:
        print("drain3 not installed: pip install drain3 to compare")
        return
    miner = TemplateMiner()
    t = time.perf_counter()
    for line in lines:
        miner.add_log_message(line)
    drain = time.perf_counter() - t
    print(f"templates of {len(lines)} lines: drain3 {drain:.2f} s ({drain / len(lines) * 1e6:.2f} us/line), {drain / bulk:.1f}x the masks")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--size-kib", type=int, default=100)
    ap.add_argument("--keep", type=Path, help="generate the archive here (and reuse it if present)")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="exitaudit-mine-bench-"))
    archive = a.keep or tmp / "archive"
    try:
        if not (archive / "manifest.csv").exists():
            t = time.perf_counter()
            rows = generate(archive, a.runs, a.size_kib)
            print(f"generated {len(rows)} logs of about {a.size_kib} KiB in {time.perf_counter() - t:.0f} s")
        size = sum(p.stat().st_size for p in archive.glob("*.log"))
        per_line_costs(archive)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "exitaudit", "mine", str(archive / "manifest.csv"), "-o", str(tmp / "mine.json")], capture_output=True, text=True)
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        print(proc.stderr.strip()[-500:] or proc.stdout.strip().splitlines()[0])
        import csv
        import json

        with open(archive / "manifest.csv", newline="", encoding="utf-8") as fh:
            planted = {str(archive / r["path"]) for r in csv.DictReader(fh) if r["planted"]}
        doc = json.loads((tmp / "mine.json").read_text(encoding="utf-8"))
        new = {c["source"] for c in doc["candidates"] if not c["known"]}
        print(f"planted lies among the unflagged candidates: {len(new & planted)} of {len(planted)}; honest runs among them: {len(new - planted)}")
        print(f"mine: {a.runs} logs, {size / 2**20:.0f} MiB in {wall:.1f} s wall, {cpu:.1f} s CPU ({cpu / wall:.2f} cores), "
              f"{size / 2**20 / wall:.0f} MiB/s; largest process {after.ru_maxrss / 1024:.0f} MiB")
        rg = shutil.which("rg")
        if rg:
            t = time.perf_counter()
            subprocess.run([rg, "-c", "ERROR|FATAL|failed", str(archive)], capture_output=True)
            print(f"ripgrep -c 'ERROR|FATAL|failed' over the same logs: {time.perf_counter() - t:.1f} s (a floor, not the same work)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
