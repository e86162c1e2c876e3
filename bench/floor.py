#!/usr/bin/env python3
"""Where one small log's audit spends its CPU, against ripgrep's per log.

    python bench/floor.py            # the first 2,000 logs of bench/corpus/many-10000
    python bench/floor.py --logs 500 --corpus bench/corpus/many-1000

Prints CPU milliseconds per log, in one process, for:

* reading the file (open, read, close);
* reading it and running the built-in pack's Hyperscan database over it: the part of the audit
  that looks at every byte, and the least any audit built on Hyperscan can cost;
* exitaudit's whole audit of it (``batch.audit_one``: read, scan, confirm, evaluate the checks);
* ripgrep with one thread, ``rg -c`` over the same patterns (see run.py), divided by the logs;
  its start-up (compiling the patterns) is spread over them, so use a thousand logs or more.

The first two against the last say how much room a per-log target leaves for everything else.
Needs Hyperscan (``pip install 'exitaudit[fast]'``) and Debian's ``ripgrep``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))


def cpu_per_log(paths: list[str], step, repeat: int) -> float:  # type: ignore[no-untyped-def]
    """Best of ``repeat`` passes, in CPU milliseconds per log."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for path in paths:
            step(path)
        best = min(best, time.process_time() - start)
    return best / len(paths) * 1000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=HERE / "corpus" / "many-10000")
    ap.add_argument("--logs", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}: run bench/run.py once to generate it", file=sys.stderr)
        return 2

    import run  # the benchmark's own pattern rewriting, for the same ripgrep command

    from exitaudit import batch
    from exitaudit.engine import Engine
    from exitaudit.model import ExitStatus, Origin
    from exitaudit.rules import load_rules

    engine = Engine(load_rules(), fast=True)
    engine.prepare()
    fast = engine._fast_filter(None)  # noqa: SLF001 - the database the audit itself uses
    if fast is None:
        print("Hyperscan is not installed: pip install 'exitaudit[fast]'", file=sys.stderr)
        return 2
    batch.set_engine(engine)
    paths = sorted(str(p) for p in args.corpus.iterdir() if p.suffix == ".log")[: args.logs]
    status = ExitStatus.from_code(0, Origin.FLAG)

    def read(path: str) -> bytes:
        with open(path, "rb") as fh:
            return fh.read()

    rows = [
        ("read", cpu_per_log(paths, read, args.repeat)),
        ("read + Hyperscan scan", cpu_per_log(paths, lambda p: fast.db.scan(read(p)), args.repeat)),
        ("exitaudit audit_one", cpu_per_log(paths, lambda p: batch.audit_one((p, status, None, None)), args.repeat)),
    ]
    patterns = run.accepted(["rg", "-c"], [p for p in map(run.for_ripgrep, run.pack_patterns()) if p])
    rg = ["rg", "-c", "-j1", *(a for p in patterns for a in ("-e", p)), *paths]
    best = min(run.measure(rg)[1] for _ in range(args.repeat))
    rows.append(("ripgrep -j1 (CPU of the process)", best / len(paths) * 1000))
    rg_ms = rows[-1][1]
    print(f"{len(paths)} logs of {args.corpus}, CPU ms per log (best of {args.repeat}):")
    for name, ms in rows:
        print(f"  {name:34} {ms:6.3f}   {ms / rg_ms:5.2f}x ripgrep")
    return 0


if __name__ == "__main__":
    sys.exit(main())
