#!/usr/bin/env python3
"""Benchmark exitaudit against ripgrep and GNU grep on generated CI logs.

    python bench/run.py            # 1 GiB log and 10,000 logs of 100 KiB (generated once into bench/corpus/)
    python bench/run.py --quick    # 100 MiB and 1,000 logs, for a first look

ripgrep and grep count matching lines (`-c`) for the same regular expressions as the built-in
rule pack uses, rewritten to ASCII classes (ripgrep with Unicode off, which is ripgrep at its
fastest; grep -E in the C locale). exitaudit does more (it extracts values, evaluates conditions,
writes a report), so the ratio is an upper bound on its overhead. Prints wall time, CPU time
(user+sys; CPU/wall above 1 means more than one core was used), peak memory and the ratios.
Needs Debian's `ripgrep` for the ripgrep column.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def pack_patterns() -> list[str]:
    sys.path.insert(0, str(ROOT / "src"))
    from exitaudit.rules import load_rules

    out: list[str] = []
    for rf in load_rules():
        out += list(rf.detect) + [e.pattern for e in rf.exit_status]
        out += [s.pattern for s in rf.signals.values() if s.pattern is not None]
    return sorted(set(out))


def for_ripgrep(pattern: str) -> str | None:
    p = re.sub(r"\(\?P<[A-Za-z_]\w*>", "(", pattern)
    if re.search(r"\(\?<?[=!]", p):
        return None  # look-around: ripgrep's default engine has none
    # With Unicode off, a non-ASCII character is written as its UTF-8 bytes.
    p = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: "(?:" + "".join(f"\\x{b:02X}" for b in chr(int(m.group(1), 16)).encode()) + ")", p)
    return "(?-u)" + p


def accepted(tool: list[str], patterns: list[str]) -> list[str]:
    """The patterns a tool compiles (a few use syntax only the regex module has)."""
    ok = []
    for p in patterns:
        probe = subprocess.run([*tool, "-e", p, os.devnull], capture_output=True)
        if probe.returncode in (0, 1):
            ok.append(p)
    return ok


def for_grep(pattern: str) -> str | None:
    p = re.sub(r"\(\?P<[A-Za-z_]\w*>", "(", pattern).replace("(?:", "(")
    if re.search(r"\(\?|\\[pPbBAZz]", p):
        return None
    for a, b in ((r"\d", "[0-9]"), (r"\s", "[[:space:]]"), (r"\S", "[^[:space:]]"), (r"\w", "[[:alnum:]_]")):
        p = p.replace(a, b)
    return p


def measure(cmd: list[str], *, env: dict[str, str] | None = None) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds, peak RSS in MiB and exit code of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode not in (0, 1):
        print(f"  ! {' '.join(cmd[:3])}... exited {proc.returncode}: {err.strip()[:200]}", file=sys.stderr)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, proc.returncode


def best_of(n: int, cmd: list[str], **kw) -> tuple[float, float, int, int]:  # type: ignore[no-untyped-def]
    runs = [measure(cmd, **kw) for _ in range(n)]
    return min(runs, key=lambda r: r[0])


def ensure_corpus(quick: bool) -> tuple[Path, Path]:
    corpus = HERE / "corpus"
    big = corpus / ("big-100M.log" if quick else "big-1G.log")
    many = corpus / ("many-1000" if quick else "many-10000")
    if not big.exists():
        print(f"generating {big} ...", file=sys.stderr)
        subprocess.run([sys.executable, str(HERE / "make_corpus.py"), "big", str(big), "--size", "100M" if quick else "1G"], check=True)
    if not many.exists():
        print(f"generating {many} ...", file=sys.stderr)
        subprocess.run([sys.executable, str(HERE / "make_corpus.py"), "many", str(many), "--count", "1000" if quick else "10000", "--size", "100K"], check=True)
    return big, many


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="runs per command; the fastest counts")
    ap.add_argument("--exitaudit", default=None, help="command to run exitaudit (default: this Python's -m exitaudit)")
    args = ap.parse_args(argv)

    big, many = ensure_corpus(args.quick)
    exitaudit = args.exitaudit.split() if args.exitaudit else [sys.executable, "-m", "exitaudit"]
    patterns = pack_patterns()
    tmp = Path(tempfile.mkdtemp())
    rg = shutil.which("rg")
    rg_pats = accepted([rg, "-c"], [p for p in map(for_ripgrep, patterns) if p]) if rg else []
    grep_pats = accepted(["grep", "-E", "-c"], [p for p in map(for_grep, patterns) if p])
    (tmp / "rg.txt").write_text("\n".join(rg_pats) + "\n")
    (tmp / "grep.txt").write_text("\n".join(grep_pats) + "\n")
    print(f"patterns: {len(patterns)} in the pack; ripgrep runs {len(rg_pats)}, grep -E runs {len(grep_pats)}")
    c_env = {**os.environ, "LC_ALL": "C"}

    corpora = [
        ("one log", big, [*exitaudit, "check", str(big), "--exit-code", "0", "--format", "json", "-o", os.devnull]),
        ("many logs", many, [*exitaudit, "batch", str(many), "-o", str(tmp / "runs.jsonl")]),
    ]
    size = {"one log": big.stat().st_size, "many logs": sum(p.stat().st_size for p in many.iterdir())}
    found: dict[str, str] = {}
    print(f"{'corpus':<10} {'tool':<10} {'wall s':>8} {'cpu s':>8} {'cpu/wall':>8} {'peak MiB':>9} {'MB/s':>7} {'vs rg':>6} {'vs grep':>7}")
    for label, target, ours in corpora:
        recursive = ["-r"] if target.is_dir() else []
        results = {}
        if rg:
            results["ripgrep"] = best_of(args.repeat, [rg, "-c", "-f", str(tmp / "rg.txt"), str(target)])
        results["grep -E"] = best_of(args.repeat, ["grep", *recursive, "-E", "-c", "-f", str(tmp / "grep.txt"), str(target)], env=c_env)
        results["exitaudit"] = best_of(args.repeat, ours)
        found[label] = planted(label, tmp, target)
        for name, (wall, cpu, rss, _code) in results.items():
            vs_rg = f"{wall / results['ripgrep'][0]:.2f}" if "ripgrep" in results else "-"
            vs_grep = f"{wall / results['grep -E'][0]:.2f}"
            print(f"{label:<10} {name:<10} {wall:>8.2f} {cpu:>8.2f} {cpu / wall:>8.2f} {rss:>9} {size[label] / wall / 1e6:>7.0f} {vs_rg:>6} {vs_grep:>7}")
    for label, text in found.items():
        print(f"{label}: {text}")
    small = ROOT / "sample_logs" / "pyinfra" / "python-call-fail-2.8" / "output.log"
    wall, _cpu, rss, _code = best_of(max(args.repeat, 5), [*exitaudit, "check", str(small), "--exit-code", "0"])
    print(f"check on a small log ({small.stat().st_size} bytes), start-up included: {wall:.3f} s, peak {rss} MiB")
    shutil.rmtree(tmp)
    return 0


def planted(label: str, tmp: Path, target: Path) -> str:
    """What exitaudit found of the mismatches make_corpus.py planted: a benchmark that stops
    finding them measures nothing."""
    import json

    if label == "one log":
        report = json.loads(subprocess.run(
            [sys.executable, "-m", "exitaudit", "check", str(target), "--exit-code", "0", "--format", "json"],
            capture_output=True, text=True,
        ).stdout)
        run = report["runs"][0]
        return f"verdict {run['verdict']}, {len(run['findings'])} finding(s)"
    rows = [json.loads(line) for line in (tmp / "runs.jsonl").read_text().splitlines()]
    false = sum(r["verdict"] == "false-success" for r in rows)
    sys.path.insert(0, str(HERE))
    from make_corpus import PLANTS

    plants = [p.encode() for p in PLANTS]
    expected = sum(1 for p in target.glob("*.log") if any(plant in p.read_bytes() for plant in plants))
    return f"{false} false-success run(s) of {len(rows)}; {expected} log(s) planted"


if __name__ == "__main__":
    sys.exit(main())
