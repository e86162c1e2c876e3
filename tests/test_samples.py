"""Every sample log captured from a real tool run, audited as a user would, against its expected verdict.

Driven by sample_logs/manifest.csv. Each case is audited twice: with the tool detected from the log,
and with --tool forced, so detection is proven as well as the checks. Honest runs (expected
consistent) must give no finding at error severity.
"""

from __future__ import annotations

import csv
import dataclasses

import pytest

from conftest import SAMPLES
from exitaudit import ExitStatus, LogSource, Origin, Severity, load_rules
from exitaudit.engine import Engine
from exitaudit.steps import audit_job

ENGINE = Engine(load_rules())
with open(SAMPLES / "manifest.csv", newline="", encoding="utf-8") as fh:
    CASES = list(csv.DictReader(fh))


def audit_case(case: dict[str, str], tools=None):
    status = ExitStatus.parse(case["exit_code"], Origin.FILE, "exit_code")
    with LogSource(str(SAMPLES / case["path"])) as src:
        return audit_job(ENGINE, src.blocks(), status, tools=tools, source=case["path"])


def test_manifest_lists_every_case_on_disk():
    on_disk = sorted(str(p.relative_to(SAMPLES)) for p in SAMPLES.glob("*/*/output.log"))
    assert sorted(c["path"] for c in CASES) == on_disk


@pytest.mark.parametrize("case", CASES, ids=[c["path"].removesuffix("/output.log") for c in CASES])
def test_sample_verdict(case):
    tools = case["tool"].split()  # a CI job log: the platform, then the tools it ran
    detected = audit_case(case)
    assert detected.verdict.value == case["expected_verdict"], [f.message for f in detected.findings]
    if case["expected_verdict"] == "no-coverage":
        assert detected.tools == ()  # nothing in the log names the tool
    else:
        assert set(tools) <= set(detected.tools), f"{tools} not all detected (got {detected.tools})"
    forced = audit_case(case, tools=tools)
    assert forced.verdict.value == case["forced_verdict"], [f.message for f in forced.findings]
    for run in (detected, forced):
        if run.verdict.value in ("consistent", "no-coverage"):  # honest runs raise no error
            assert not [f.message for f in run.findings if f.severity is Severity.ERROR]


@pytest.mark.parametrize("case", CASES, ids=[c["path"].removesuffix("/output.log") for c in CASES])
def test_audit_without_check_outcomes_is_the_same_audit(case):
    """A batch asks for no per-check outcomes (checks=False); everything else must be the audit
    that check makes, including the checks skipped for an unknown exit status."""
    for status in (ExitStatus.parse(case["exit_code"], Origin.FILE, "exit_code"), ExitStatus.unknown()):
        runs = []
        for checks in (True, False):
            with LogSource(str(SAMPLES / case["path"])) as src:
                runs.append(audit_job(ENGINE, src.blocks(), status, source=case["path"], checks=checks))
        full, lean = runs
        assert lean.checks == ()
        assert full.checks or not full.tools
        assert lean == dataclasses.replace(full, checks=())
        if not full.exit_status.known and full.tools:  # the count the "exit status unknown" finding gives
            # One finding per step (or job) whose status is unknown, each counting its own skips.
            import re

            skipped = sum(c.reason == "exit status unknown" for c in full.checks)
            said = [int(m.group(1)) for f in lean.findings for m in [re.search(r"(\d+) check\(s\) that need it were skipped", f.message)] if m]
            assert skipped and sum(said) == skipped, (skipped, said)
