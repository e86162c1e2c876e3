#!/usr/bin/env python3
"""What the CI envelope layer costs: one log audited bare, and the same log as a GitHub job log.

    python bench/envelope.py                 # about 20 MiB of the samples' tool output
    python bench/envelope.py --mib 64 --repeat 5

The body is every bare tool sample under sample_logs/ (real output) concatenated until it reaches
the size asked for. It is audited twice with the built-in pack, in one process, best of
``--repeat`` passes (CPU seconds):

* bare: the tool output as it is (the envelope layer sees no platform and passes the blocks on);
* job: the same lines, each with GitHub's `2024-05-01T10:00:03.5154170Z ` prefix, inside one
  `##[group]Run` step, with the runner's lines around it: the layer detects the platform, removes
  the prefixes, cuts the steps, scans the job for the platform's rule file and the step for the
  tools.

It prints both, the envelope layer's cost (job / bare - 1; the target is under 10%), the cost of
the prefix substitution alone, and grep's time (`grep -c -E` over a pattern that matches nothing,
a floor for reading the bytes) over each file for scale; ripgrep too when it is installed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

TS = b"2024-05-01T10:00:03.5154170Z "
NL = b"\n"


def body(mib: int) -> bytes:
    from exitaudit.platforms import MARKERS

    parts = []
    for log in sorted((ROOT / "sample_logs").glob("*/*/output.log")):
        if log.parent.parent.name not in MARKERS:
            parts.append(log.read_bytes().rstrip(b"\n") + b"\n")
    chunk = b"".join(parts)
    return chunk * max(1, (mib << 20) // len(chunk))


def job(lines: bytes) -> bytes:
    head = [b"Current runner version: '2.316.1'", b"##[group]Run ./ci/test.sh", b"./ci/test.sh", b"shell: /usr/bin/bash -e {0}", b"##[endgroup]"]
    tail = [b"Post job cleanup.", b"Cleaning up orphan processes"]
    wrapped = b"".join(TS + ln + b"\n" for ln in lines.split(b"\n")[:-1])
    return b"".join(TS + ln + b"\n" for ln in head) + wrapped + b"".join(TS + ln + b"\n" for ln in tail)


def cpu(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def wall(cmd: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mib", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    from exitaudit.engine import Engine
    from exitaudit.envelope import GITHUB_RAW
    from exitaudit.model import ExitStatus
    from exitaudit.reader import LogSource
    from exitaudit.rules import load_rules
    from exitaudit.steps import audit_job

    engine = Engine(load_rules())
    with tempfile.TemporaryDirectory() as tmp:
        bare_path, job_path = Path(tmp, "bare.log"), Path(tmp, "job.log")
        bare = body(args.mib)
        bare_path.write_bytes(bare)
        job_path.write_bytes(job(bare))

        def audit(path: Path) -> None:
            with LogSource(str(path)) as src:
                run = audit_job(engine, src.blocks(numbered=False), ExitStatus.unknown(), source=str(path), size_hint=src.size, checks=False)
            assert run.stats.lines > 0

        def strip_only() -> None:
            with LogSource(str(job_path)) as src:
                for block in src.blocks(numbered=False):
                    GITHUB_RAW.unwrap(block)

        audit(bare_path)  # compile what the engine compiles on first use
        t_bare = cpu(lambda: audit(bare_path), args.repeat)
        t_job = cpu(lambda: audit(job_path), args.repeat)
        t_strip = cpu(strip_only, args.repeat)
        print(f"log: {len(bare) / (1 << 20):.1f} MiB bare, {job_path.stat().st_size / (1 << 20):.1f} MiB as a GitHub job log, {bare.count(NL):,} lines")
        print(f"audit, bare log:          {t_bare:7.3f} s CPU")
        print(f"audit, GitHub job log:    {t_job:7.3f} s CPU  (envelope layer: {t_job / t_bare - 1:+.1%})")
        print(f"prefix substitution only: {t_strip:7.3f} s CPU  ({t_strip / t_bare:.1%} of the bare audit)")
        for tool, cmd in (("grep", ["grep", "-c", "-E", "zzqqxxjj[0-9]{9}"]), ("rg", ["rg", "-j1", "-c", "zzqqxxjj[0-9]{9}"])):
            if shutil.which(tool) is None:
                print(f"{tool}: not installed")
                continue
            g_bare, g_job = wall([*cmd, str(bare_path)], args.repeat), wall([*cmd, str(job_path)], args.repeat)
            print(f"{tool} -c, bare / job:      {g_bare:7.3f} s / {g_job:.3f} s wall; exitaudit is {t_bare / g_bare:.1f}x / {t_job / g_job:.1f}x {tool}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
