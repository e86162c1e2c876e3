"""The batch page at scale: its size for 10,000 runs and how long headless Chromium takes to open
it (load, parse, run the page's script, lay out), against a blank page's time.

    python bench/html_page.py [--runs 10000] [--repeat 3]

A tenth of the runs carry a false-success finding with its evidence line, over a year of dates,
so the page has both charts, the static table of the worst 200 runs and the data of all.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from exitaudit.batch import Job, Results
from exitaudit.model import Evidence, ExitStatus, Finding, Kind, Origin, RunResult, Severity
from exitaudit.reporters.html_batch import render

TOOLS = ("pytest", "make", "npm", "go", "cargo")


def results(n: int) -> Results:
    res = Results(["date"], "date", Severity.ERROR, keep_evidence=True)
    for i in range(n):
        tool = TOOLS[i % len(TOOLS)]
        bad = i % 10 == 0
        finding = Finding(
            check=f"{tool}/failures-exit-zero", tool=tool, kind=Kind.FALSE_SUCCESS, severity=Severity.ERROR, title="t",
            message=f"{tool} reported {i % 7 + 1} failure(s) but exited 0",
            evidence=(Evidence(41, f"=== {i % 7 + 1} failed, 30 passed in 12.31s ==="),), line=41,
        )
        run = RunResult(f"ci/2024/{tool}/job-{i:05d}.log", ExitStatus.from_code(0, Origin.FILE), (tool,), Kind.FALSE_SUCCESS if bad else Kind.CONSISTENT, (finding,) if bad else ())
        res.add(Job(source=run.source, status=run.exit_status, carried={"date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"}), run, None)
    return res


def open_time(chromium: str, page: Path) -> float:
    profile = tempfile.mkdtemp()
    args = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", f"--user-data-dir={profile}", "--dump-dom", page.as_uri()]
    t = time.perf_counter()
    subprocess.run(args, capture_output=True, check=True, timeout=120)
    shutil.rmtree(profile, ignore_errors=True)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    res = results(a.runs)
    t = time.perf_counter()
    text = render(res, res.summary_frame())
    made = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "batch.html"
        page.write_text(text, encoding="utf-8")
        blank = Path(tmp) / "blank.html"
        blank.write_text("<!DOCTYPE html><title>blank</title>", encoding="utf-8")
        print(f"{a.runs} runs: page {len(text.encode()) / 1e6:.2f} MB, rendered in {made:.2f} s (charts included)")
        chromium = shutil.which("chromium")
        if chromium is None:
            print("chromium not installed: no open time")
            return 0
        base = min(open_time(chromium, blank) for _ in range(a.repeat))
        full = min(open_time(chromium, page) for _ in range(a.repeat))
        print(f"headless Chromium, best of {a.repeat}: blank page {base:.2f} s, batch page {full:.2f} s: the page costs {full - base:.2f} s to open")
    return 0


if __name__ == "__main__":
    sys.exit(main())
