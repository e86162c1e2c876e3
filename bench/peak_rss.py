#!/usr/bin/env python3
"""Run a command and print the peak of its resident memory summed with its children's.

`/usr/bin/time -f %M` reports the largest single process; `exitaudit check` on a large log runs a
parent and one worker per CPU, so their sum is what the machine must hold. Sampled every 20 ms
from /proc (Linux), so a peak shorter than that can be missed.

    python bench/peak_rss.py python -m exitaudit check bench/corpus/big-1G.log -e 0

(Its standard output goes to /dev/null already; no `-o` is needed.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import time


def tree_rss_kib(root: int) -> int:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    parent = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/status") as fh:
                total += next((int(line.split()[1]) for line in fh if line.startswith("VmRSS:")), 0)
        except OSError:
            pass
        pending += children.get(pid, [])
    return total


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_kib(proc.pid))
        time.sleep(0.02)
    print(f"peak summed RSS {peak / 1024:.1f} MiB, wall {time.perf_counter() - start:.2f} s, exit {proc.returncode}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
