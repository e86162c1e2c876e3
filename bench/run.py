#!/usr/bin/env python3
"""Benchmark exitaudit against ripgrep and GNU grep on generated CI logs.

    python bench/run.py                 # 1 GiB dense log, 10,000 logs of 100 KiB, ... (generated once into bench/corpus/)
    python bench/run.py --quick         # 64 MiB, 16 MiB and 1,000 logs, for a first look
    python bench/run.py --only dense --only many

The corpora (bench/make_corpus.py): whole real logs at their natural density inside the CI
envelopes (GitHub, GitLab, Jenkins, plain), the many-logs corpus, the old sparse corpus, and a
log whose every line is a hit of a count-only signal beside one of the same size with none.

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
    """The patterns a tool compiles (a few use syntax only the regex module has) and that do not
    match any line at all: rewritten without the regex module's syntax, a pattern can come to
    match the empty string, and one such pattern makes every line a match (grep then counts 64 MiB
    in 10 ms, and the comparison means nothing)."""
    ok = []
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write("zq-probe 7 plain words\n")
    try:
        for p in patterns:
            probe = subprocess.run([*tool, "-e", p, os.devnull], capture_output=True)
            anything = subprocess.run([*tool, "-e", p, fh.name], capture_output=True)
            if probe.returncode in (0, 1) and anything.returncode == 1:
                ok.append(p)
    finally:
        os.unlink(fh.name)
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
    # Standard output to a file, not /dev/null: GNU grep stops at the first match when it
    # writes to /dev/null (it knows nobody reads the count).
    out = tempfile.TemporaryFile()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, env=env)
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


# (label, file name, make_corpus.py arguments, size full, size --quick)
CORPORA = [
    ("dense GitHub", "dense-github-{size}.log", ["dense", "--envelope", "github"], "1G", "64M"),
    ("dense GitLab", "dense-gitlab-{size}.log", ["dense", "--envelope", "gitlab"], "128M", "16M"),
    ("dense Jenkins", "dense-jenkins-{size}.log", ["dense", "--envelope", "jenkins"], "128M", "16M"),
    ("dense plain", "dense-plain-{size}.log", ["dense", "--envelope", "plain"], "128M", "16M"),
    ("sparse (old)", "sparse-{size}.log", ["sparse"], "1G", "64M"),
    ("all match", "match-{size}.log", ["match"], "256M", "32M"),
    ("no match", "nomatch-{size}.log", ["nomatch"], "256M", "32M"),
    ("many logs", "many-{count}", ["many", "--size", "100K"], "10000", "1000"),
]


def ensure_corpora(quick: bool, only: list[str] | None) -> list[tuple[str, Path]]:
    """The corpora (generated into bench/corpus/ once; delete a file to make it anew)."""
    corpus = HERE / "corpus"
    corpus.mkdir(exist_ok=True)
    out = []
    for label, name, how, full, small in CORPORA:
        if only and not any(o.lower() in label.lower() for o in only):
            continue
        amount = small if quick else full
        path = corpus / name.format(size=amount, count=amount)
        if not path.exists():
            print(f"generating {path} ...", file=sys.stderr)
            extra = ["--count", amount] if how[0] == "many" else ["--size", amount]
            subprocess.run([sys.executable, str(HERE / "make_corpus.py"), how[0], str(path), *how[1:], *extra], check=True)
        out.append((label, path))
    return out


def matching_lines(rg: str, patterns: Path, target: Path) -> int:
    """Lines that match some pattern of the pack, by ripgrep's count."""
    out = subprocess.run([rg, "-c", "-f", str(patterns), str(target)], capture_output=True, text=True).stdout
    return sum(int(line.rsplit(":", 1)[-1]) for line in out.splitlines() if line)


def exitaudit_command(exitaudit: list[str], target: Path, tmp: Path) -> list[str]:
    if target.is_dir():
        return [*exitaudit, "batch", str(target), "-o", str(tmp / "runs.jsonl")]
    return [*exitaudit, "check", str(target), "--exit-code", "0", "--format", "json", "-o", str(tmp / "report.json")]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller corpora (64 MiB, 16 MiB, 1,000 logs)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per command; the fastest counts")
    ap.add_argument("--only", action="append", help="corpora whose label contains this (repeatable)")
    ap.add_argument("--fallback", action="store_true", help="also time exitaudit without Hyperscan (the literal prefilter and regex)")
    ap.add_argument("--exitaudit", default=None, help="command to run exitaudit (default: this Python's -m exitaudit)")
    args = ap.parse_args(argv)

    corpora = ensure_corpora(args.quick, args.only)
    exitaudit = args.exitaudit.split() if args.exitaudit else [sys.executable, "-m", "exitaudit"]
    patterns = pack_patterns()
    tmp = Path(tempfile.mkdtemp())
    rg = shutil.which("rg")
    rg_pats = accepted([rg, "-c"], [p for p in map(for_ripgrep, patterns) if p]) if rg else []
    grep_pats = accepted(["grep", "-E", "-c"], [p for p in map(for_grep, patterns) if p])
    (tmp / "rg.txt").write_text("\n".join(rg_pats) + "\n")
    (tmp / "grep.txt").write_text("\n".join(grep_pats) + "\n")
    print(f"patterns: {len(patterns)} in the pack; ripgrep runs {len(rg_pats)}, grep -E runs {len(grep_pats)}")
    print("wall: best of the runs; CPU: user+sys of that run (all processes); hits/MiB: lines matching a pattern")
    c_env = {**os.environ, "LC_ALL": "C"}
    found: dict[str, str] = {}
    match_cost: dict[str, tuple[float, float, int, int]] = {}
    print(f"{'corpus':<14} {'tool':<10} {'wall s':>8} {'cpu s':>8} {'peak MiB':>9} {'MB/s':>7} {'vs rg':>6} {'cpu vs rg':>9} {'vs grep':>7} {'hits/MiB':>9}")
    for label, target in corpora:
        size = sum(p.stat().st_size for p in target.iterdir()) if target.is_dir() else target.stat().st_size
        recursive = ["-r"] if target.is_dir() else []
        density = f"{matching_lines(rg, tmp / 'rg.txt', target) / (size / (1 << 20)):.0f}" if rg else "-"
        results = {}
        if rg:
            results["ripgrep"] = best_of(args.repeat, [rg, "-c", "-f", str(tmp / "rg.txt"), str(target)])
        results["grep -E"] = best_of(args.repeat, ["grep", *recursive, "-E", "-c", "-f", str(tmp / "grep.txt"), str(target)], env=c_env)
        results["exitaudit"] = best_of(args.repeat, exitaudit_command(exitaudit, target, tmp))
        found[label] = planted(target, tmp)
        if args.fallback:
            # Hyperscan hidden: a module of its name that cannot be imported comes first.
            (tmp / "hide").mkdir(exist_ok=True)
            (tmp / "hide" / "hyperscan.py").write_text("raise ImportError('hidden by bench/run.py --fallback')\n")
            env = {**os.environ, "PYTHONPATH": str(tmp / "hide") + os.pathsep + os.environ.get("PYTHONPATH", "")}
            results["fallback"] = best_of(args.repeat, exitaudit_command(exitaudit, target, tmp), env=env)
        for name, (wall, cpu, rss, _code) in results.items():
            vs_rg = f"{wall / results['ripgrep'][0]:.2f}" if "ripgrep" in results else "-"
            cpu_rg = f"{cpu / results['ripgrep'][1]:.2f}" if "ripgrep" in results else "-"
            vs_grep = f"{wall / results['grep -E'][0]:.2f}"
            print(f"{label:<14} {name:<10} {wall:>8.2f} {cpu:>8.2f} {rss:>9} {size / wall / 1e6:>7.0f} {vs_rg:>6} {cpu_rg:>9} {vs_grep:>7} {density if name == 'exitaudit' else '':>9}", flush=True)
        if "no match" in label:
            match_cost[label] = results["exitaudit"]
        elif "all match" in label:
            match_cost[label] = results["exitaudit"]
    if len(match_cost) == 2:
        (mw, mc, _r, _c), (nw, nc, _r2, _c2) = match_cost["all match"], match_cost["no match"]
        print(f"every line a hit vs none, same size: {mw / nw:.2f}x wall, {mc / nc:.2f}x CPU")
    for label, text in found.items():
        if text:
            print(f"{label}: {text}")
    small = ROOT / "sample_logs" / "pyinfra" / "python-call-fail-2.8" / "output.log"
    wall, cpu, rss, _code = best_of(max(args.repeat, 5), [*exitaudit, "check", str(small), "--exit-code", "0"])
    print(f"check on a small log ({small.stat().st_size} bytes), start-up included: {wall:.3f} s wall, {cpu:.3f} s CPU, peak {rss} MiB")
    shutil.rmtree(tmp)
    return 0


def planted(target: Path, tmp: Path) -> str:
    """What exitaudit found of the mismatches make_corpus.py planted: a benchmark that stops
    finding them measures nothing. Reads the report of the last timed run."""
    import json

    if target.is_dir():
        ends = dict(line.split(" ", 1) for line in target.with_name(target.name + ".samples").read_text().splitlines())
        rows = [json.loads(line) for line in (tmp / "runs.jsonl").read_text().splitlines()]
        verdicts = {Path(r["source"]).name: r["verdict"] for r in rows}
        lying = [n for n, what in ends.items() if what.endswith(" lying")]
        flagged = sum(verdicts.get(n) != "consistent" for n in lying)
        honest_flagged = sum(verdicts.get(n) != "consistent" for n, what in ends.items() if what.endswith(" honest"))
        return (f"{flagged} of {len(lying)} logs ending with a lying sample flagged; "
                f"{honest_flagged} of {len(ends) - len(lying)} ending with an honest one flagged too")
    report = json.loads((tmp / "report.json").read_text())
    run = report["runs"][0]
    plants_file = target.with_name(target.name + ".plants")
    if not plants_file.exists():
        return f"verdict {run['verdict']}, {len(run['findings'])} finding(s)" if "sparse" in target.name else ""
    lines = {e["line"] for f in run["findings"] if f["kind"] != "consistent" for e in f["evidence"]}
    plants = [line.split() for line in plants_file.read_text().splitlines()]
    hit = [name for a, b, name in plants if any(int(a) <= n <= int(b) for n in lines)]
    missed = [name for a, b, name in plants if name not in hit]
    return (f"verdict {run['verdict']}; {len(hit)} of {len(plants)} plants found"
            + (f" (missed: {', '.join(p.split('/')[1] for p in missed)})" if missed else ""))


if __name__ == "__main__":
    sys.exit(main())
