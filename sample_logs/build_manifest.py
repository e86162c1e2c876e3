#!/usr/bin/env python3
"""Rebuild manifest.csv from every sample_logs/<tool>/<case>/case.toml.

The manifest is what batch audits read (path, exit code, tool, expected verdict) and what
tests/test_samples.py audits; it is derived, so it is rebuilt, never edited.
"""

from __future__ import annotations

import csv
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIELDS = ["path", "exit_code", "tool", "expected_verdict", "forced_verdict", "hand_written", "colour"]


def rows() -> list[dict[str, str]]:
    out = []
    for case in sorted(HERE.glob("*/*/case.toml")):
        meta = tomllib.loads(case.read_text("utf-8"))
        folder = case.parent
        out.append(
            {
                "path": str((folder / "output.log").relative_to(HERE)),
                "exit_code": (folder / "exit_code").read_text().strip(),
                # The job logs of CI platforms contain other tools' output: all are listed,
                # the platform first, space-separated.
                "tool": " ".join([meta["tool"], *meta.get("also", [])]),
                "expected_verdict": meta["expected_verdict"],
                # The verdict with --tool, where it differs: an honest log with no line that names
                # its tool is no-coverage when detected, consistent when the tool is given.
                "forced_verdict": meta.get("forced_verdict", meta["expected_verdict"]),
                "hand_written": str(bool(meta.get("hand_written", False))).lower(),
                "colour": str(bool(meta.get("colour", False))).lower(),
            }
        )
    return out


def main() -> int:
    with open(HERE / "manifest.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows())
    return 0


if __name__ == "__main__":
    sys.exit(main())
