"""Regenerate the screenshots in docs/html.md: the batch page of the sample corpus and the check
page of the pyinfra 2.8 sample, taken by headless Chromium.

    python docs/screenshots.py

The sample corpus has no dates; for the over-time chart each run is given a date, one every two
days from 2024-01-01 in manifest order (an illustration: the verdicts and findings are real).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_logs"
OUT = ROOT / "docs" / "img"
CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]


def shoot(page: Path, png: Path, height: int) -> None:
    profile = tempfile.mkdtemp()
    subprocess.run([*CHROMIUM, f"--user-data-dir={profile}", f"--window-size=1280,{height}", f"--screenshot={png}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    shutil.rmtree(profile, ignore_errors=True)


def main() -> int:
    from datetime import date, timedelta

    exe = [sys.executable, "-m", "exitaudit"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with open(SAMPLES / "manifest.csv", newline="", encoding="utf-8") as fh:
            cases = list(csv.DictReader(fh))
        manifest = tmp / "jobs.csv"
        with open(manifest, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["path", "exit_code", "tool", "date"])
            for i, c in enumerate(cases):
                w.writerow([str(SAMPLES / c["path"]), c["exit_code"], c["tool"], (date(2024, 1, 1) + timedelta(days=2 * i)).isoformat()])
        batch = tmp / "batch.html"
        subprocess.run([*exe, "batch", str(manifest), "--html", str(batch)], capture_output=True)
        shoot(batch, OUT / "html-batch.png", 2200)
        check = tmp / "check.html"
        subprocess.run([*exe, "check", str(SAMPLES / "pyinfra/python-call-fail-2.8/output.log"), "-e", "0", "--html", str(check)], capture_output=True)
        shoot(check, OUT / "html-check.png", 900)
    print(f"wrote {OUT / 'html-batch.png'} and {OUT / 'html-check.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
