"""Every sample log captured from a real tool run, audited as a user would, against its expected verdict.

Driven by sample_logs/manifest.csv. Each case is audited twice: with the tool detected from the log,
and with --tool forced, so detection is proven as well as the checks. Honest runs (expected
consistent) must give no finding at error severity.
"""

from __future__ import annotations

import csv

import pytest

from conftest import SAMPLES
from exitaudit import ExitStatus, LogSource, Origin, Severity, load_rules
from exitaudit.engine import Engine

ENGINE = Engine(load_rules())
with open(SAMPLES / "manifest.csv", newline="", encoding="utf-8") as fh:
    CASES = list(csv.DictReader(fh))


def audit_case(case: dict[str, str], tools=None):
    status = ExitStatus.parse(case["exit_code"], Origin.FILE, "exit_code")
    with LogSource(str(SAMPLES / case["path"])) as src:
        return ENGINE.audit(src.blocks(), status, tools=tools, source=case["path"])


def test_manifest_lists_every_case_on_disk():
    on_disk = sorted(str(p.relative_to(SAMPLES)) for p in SAMPLES.glob("*/*/output.log"))
    assert sorted(c["path"] for c in CASES) == on_disk


@pytest.mark.parametrize("case", CASES, ids=[c["path"].removesuffix("/output.log") for c in CASES])
def test_sample_verdict(case):
    detected = audit_case(case)
    assert case["tool"] in detected.tools, f"{case['tool']} not detected (got {detected.tools})"
    assert detected.verdict.value == case["expected_verdict"], [f.message for f in detected.findings]
    forced = audit_case(case, tools=[case["tool"]])
    assert forced.verdict.value == case["expected_verdict"], [f.message for f in forced.findings]
    if case["expected_verdict"] == "consistent":
        errors = [f.message for f in detected.findings if f.kind.is_mismatch and f.severity is Severity.ERROR]
        assert not errors
