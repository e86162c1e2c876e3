#!/usr/bin/env python3
"""Generate realistic CI logs for the benchmark, with a few mismatches planted.

Lines are drawn from the real sample logs (sample_logs/*/*/output.log), with timestamps,
numbers and ids varied, about 1% of lines carrying non-ASCII text, some ANSI colour, and long
lines now and then, so that the patterns of the built-in pack see what they see in real CI. The
failure evidence (pyinfra's `Errors: 1`, a failing pytest summary, ...) is kept out of the bulk
and planted a few times per log, at known places, with an exit code of 0: every planted log is a
false-success.

    python bench/make_corpus.py big  --size 1G   bench/corpus/big.log
    python bench/make_corpus.py many --count 10000 --size 100K bench/corpus/many/
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Lines that prove failure: planted on purpose, never part of the random bulk.
_EVIDENCE = re.compile(
    r"Errors: [1-9]|Grand total|[0-9]+ failed|Error [0-9]|FAILED|Traceback|Listen failure|GAME OVER"
    r"|unable to load app|exited with code|Return code|npm (error|ERR!)|command not found|No such file"
    r"|Exception in thread|failed=[1-9]|unreachable=[1-9]|##\[error\]|Job failed|Finished: |Exited with code"
    r"|received exit code|Reason: |Connection in use|Timeout|panic|Segmentation|error:|ERROR"
)
PLANTS = [
    "    [@local]   Changed: 1   No change: 0   Errors: 1   ",
    "========================= 2 failed, 3 passed in 0.07s ==========================",
]
NON_ASCII = ["Überprüfung abgeschlossen: 3 Dateien", "ビルド完了 — 12 件", "résumé: déploiement terminé ✓"]


def pack_patterns() -> list[re.Pattern[str]]:
    """Every pattern of the built-in pack (fingerprints, signals, exit-status lines)."""
    import tomllib

    out = []
    for path in sorted((ROOT / "rules").glob("*.toml")):
        data = tomllib.loads(path.read_text("utf-8"))
        texts = list(data["detect"]["patterns"]) + [e["pattern"] for e in data.get("exit_status", [])]
        for sig in data.get("signals", {}).values():
            texts += [sig["pattern"]] if "pattern" in sig else []
        for text in texts:
            try:
                out.append(re.compile(text, re.M))
            except re.error:
                pass  # regex-module syntax; the _EVIDENCE filter still applies
    return out


def sample_lines() -> list[str]:
    """The bulk: real lines that no rule of the pack matches in full (they may still hold a
    pattern's literal, as real noise does). Fingerprints and evidence are planted instead."""
    patterns = pack_patterns()
    lines: list[str] = []
    for path in sorted(ROOT.glob("sample_logs/*/*/output.log")):
        for line in path.read_text("utf-8", errors="replace").splitlines():
            line = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", line)[:300]
            if line.strip() and not _EVIDENCE.search(line) and not any(p.search(line) for p in patterns):
                lines.append(line)
    return lines


def varied(line: str, rng: random.Random) -> str:
    return re.sub(r"\d+", lambda m: str(rng.randrange(10 ** len(m.group(0)))), line)


def write_log(path: Path, size: int, rng: random.Random, pool: list[str], plants: int) -> None:
    """Write about ``size`` bytes; plant the evidence lines at ``plants`` evenly spread places."""
    chunk: list[str] = []
    written = 0
    targets = sorted(rng.randrange(size) for _ in range(plants))
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("--> Loading config...\n--> Beginning operation run...\n")
        fh.write("============================= test session starts ==============================\n")
        fh.write("platform linux -- Python 3.11.7, pytest-8.3.5, pluggy-1.7.0\n")
        while written < size:
            r = rng.random()
            if r < 0.01:
                line = rng.choice(NON_ASCII)
            elif r < 0.03:
                line = f"\x1b[32m{varied(rng.choice(pool), rng)}\x1b[0m"
            elif r < 0.031:
                line = "x" * rng.randrange(2000, 20000)
            else:
                line = varied(rng.choice(pool), rng)
            while targets and written >= targets[0]:
                targets.pop(0)
                chunk.append(rng.choice(PLANTS))
            chunk.append(line)
            written += len(line) + 1
            if len(chunk) >= 4096:
                fh.write("\n".join(chunk) + "\n")
                chunk.clear()
        chunk += [rng.choice(PLANTS) for _ in targets]  # places past the last line
        fh.write("\n".join(chunk) + "\n")


def parse_size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(float(text[:-1]) * units[text[-1].upper()]) if text[-1].upper() in units else int(text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["big", "many"])
    ap.add_argument("target", type=Path)
    ap.add_argument("--size", default="1G")
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    pool = sample_lines()
    size = parse_size(args.size)
    if args.mode == "big":
        args.target.parent.mkdir(parents=True, exist_ok=True)
        write_log(args.target, size, rng, pool, plants=5)
    else:
        args.target.mkdir(parents=True, exist_ok=True)
        for i in range(args.count):
            path = args.target / f"job-{i:05d}.log"
            write_log(path, size, rng, pool, plants=1 if i % 100 == 0 else 0)
            (args.target / f"job-{i:05d}.log.exit").write_text("0\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
