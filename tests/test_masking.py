"""Masking, named: a false success of any tool names the construct that most likely lost the
status (rules/masking.toml), with that line as evidence; the masking file is never a tool."""

from __future__ import annotations

import textwrap

from exitaudit import ExitStatus, Kind, Origin, load_rule_file, load_rules
from exitaudit.engine import MASKING, Engine
from exitaudit.model import Outcome
from exitaudit.rules import RuleSet

PACK = load_rules()
ENGINE = Engine(PACK)

DEMO = """
format = 1
tool = "demo"
description = "demo tool"
[detect]
patterns = ['^demo starting']
[signals.failed]
pattern = '^demo: FAILED'
[[checks]]
id = "failed-exit-zero"
title = "failed, exit 0"
kind = "false-success"
when = "failed > 0 && exit.code == 0"
message = "demo failed but exited 0"
[[checks]]
id = "failed-wrong-code"
title = "failed, exit 3"
kind = "wrong-code"
when = "failed > 0 && exit.code == 3"
message = "demo failed, exit 3"
"""


def demo_engine(tmp_path) -> Engine:
    path = tmp_path / "demo.toml"
    path.write_text(DEMO)
    rf = load_rule_file(path)
    return Engine(RuleSet({"demo": rf, MASKING: PACK.get(MASKING)}))


def run(engine: Engine, log: str, code: int, tools=None):
    return engine.audit([_block(log)], ExitStatus.from_code(code, Origin.FLAG), tools=tools)


def _block(text: str):
    from exitaudit.reader import blocks_of

    return next(iter(blocks_of(textwrap.dedent(text).lstrip())))


TEE_LOG = """
    + demo run
    + tee demo.log
    demo starting
    demo: FAILED 2 of 5
    done
"""


def test_a_false_success_names_the_construct_with_its_line_as_evidence(tmp_path):
    result = run(demo_engine(tmp_path), TEE_LOG, 0)
    (finding,) = result.findings
    assert finding.kind is Kind.FALSE_SUCCESS
    assert finding.message.startswith("demo failed but exited 0; status most likely lost by: a pipe into tee without pipefail")
    assert finding.message.endswith("(line 2)")
    assert [e.line for e in finding.evidence] == [2, 4]
    assert finding.line == 4  # the report still points at the failure
    assert result.tools == ("demo",)
    fired = [o.check for o in result.checks if o.outcome is Outcome.FIRED]
    assert fired == ["demo/failed-exit-zero", "masking/pipe-into-tee"]


def test_forced_tool_still_names_the_construct(tmp_path):
    result = run(demo_engine(tmp_path), TEE_LOG, 0, tools=["demo"])
    assert result.tools == ("demo",)
    assert "status most likely lost by: a pipe into tee" in result.findings[0].message


def test_the_nearest_construct_is_named(tmp_path):
    log = """
        + tee setup.log
        + demo run
        demo starting
        demo: FAILED 2 of 5
        + true
    """
    (finding,) = run(demo_engine(tmp_path), log, 0).findings
    assert "lost by: `|| true`" in finding.message and finding.message.endswith("(line 5)")


def test_other_kinds_and_honest_runs_are_left_alone(tmp_path):
    engine = demo_engine(tmp_path)
    wrong = run(engine, TEE_LOG, 3)
    assert [f.message for f in wrong.findings] == ["demo failed, exit 3"]
    honest = run(engine, "+ tee demo.log\ndemo starting\nall good\n", 0)
    assert honest.findings == () and honest.verdict is Kind.CONSISTENT
    assert not [o for o in honest.checks if o.tool == MASKING]


def test_masking_is_never_a_detected_tool():
    result = ENGINE.audit([_block("+ make lint\n+ tee lint.log\n+ wait\n")], ExitStatus.from_code(0, Origin.FLAG))
    assert result.tools == () and result.verdict is Kind.NO_COVERAGE
    forced = ENGINE.audit([_block("+ tee lint.log\n")], ExitStatus.from_code(0, Origin.FLAG), tools=[MASKING])
    assert forced.tools == () and forced.verdict is Kind.NO_COVERAGE


def test_without_a_construct_the_message_is_the_tools_own(tmp_path):
    (finding,) = run(demo_engine(tmp_path), "demo starting\ndemo: FAILED 1 of 1\n", 0).findings
    assert finding.message == "demo failed but exited 0"


def test_a_deliberate_construct_after_the_failure_explains_it(tmp_path):
    log = """
        demo starting
        demo: FAILED 2 of 5
        unit: exit 1 (0.31 seconds) /src> demo run pid=42
        done
    """
    result = run(demo_engine(tmp_path), log, 0)
    (finding,) = result.findings
    assert finding.kind is Kind.CONSISTENT and finding.severity.value == "info"
    assert "; explained by: tox recorded the command's failure" in finding.message
    assert finding.message.endswith("(line 3)") and [e.line for e in finding.evidence] == [2, 3]
    assert result.verdict is Kind.CONSISTENT


def test_a_deliberate_construct_never_explains_a_failure_after_it(tmp_path):
    log = """
        unit: exit 1 (0.31 seconds) /src> other pid=42
        demo starting
        demo: FAILED 2 of 5
    """
    result = run(demo_engine(tmp_path), log, 0)
    assert result.verdict is Kind.FALSE_SUCCESS
    assert result.findings[0].message == "demo failed but exited 0"
