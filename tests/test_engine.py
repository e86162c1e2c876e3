"""The engine: signals, conditions, verdicts, and the guarantees that make it safe to gate on."""

from __future__ import annotations

import textwrap

import pytest

from exitaudit import ExitStatus, Kind, Origin, audit, load_rule_file
from exitaudit.engine import Engine
from exitaudit.model import Outcome, Severity
from exitaudit.reader import Block
from exitaudit.rules import RuleSet

HEADER = """
format = 1
tool = "demo"
description = "demo tool"
[detect]
patterns = ['^demo starting']
[exit_codes]
0 = "ok"
3 = "config error"
"""


def ruleset(tmp_path, body: str) -> RuleSet:
    path = tmp_path / "demo.toml"
    path.write_text(HEADER + textwrap.dedent(body))
    rf = load_rule_file(path)
    return RuleSet({rf.tool: rf})


def values(tmp_path, signals: str, log: str) -> dict:
    """Evaluate every signal by exposing each through a check that always fires."""
    rules = ruleset(tmp_path, signals + '\n[[checks]]\nid = "probe"\ntitle = "p"\nkind = "consistent"\nwhen = "true"\nmessage = "x"\n')
    engine = Engine(rules)
    from exitaudit.engine import _context  # the values a condition sees

    states: dict = {}
    original = engine._evaluate

    def capture(st, *args, **kwargs):
        states.update(st)
        return original(st, *args, **kwargs)

    engine._evaluate = capture  # type: ignore[method-assign]
    engine.audit([Block(("demo starting\n" + log).encode(), 1)], ExitStatus.from_code(0, Origin.FLAG))
    return _context(states["demo"], ExitStatus.from_code(0, Origin.FLAG), {})


LOG = "tests: 3 failed\nretry\ntests: 5 failed\ntests: 1 failed\ndone: ok\n"


@pytest.mark.parametrize(
    ("mode", "extra", "expected"),
    [
        ("count", "", 3),
        ("present", "", True),
        ("first", 'type = "int"', 3),
        ("last", 'type = "int"', 1),
        ("sum", "", 9),
        ("max", "", 5),
        ("min", "", 1),
        ("all", 'type = "int"', [3, 5, 1]),
        ("first", "", "3"),
    ],
)
def test_signal_value_modes(tmp_path, mode, extra, expected):
    sig = f"[signals.failed]\npattern = 'tests: (?P<n>\\d+) failed'\nvalue = \"{mode}\"\n{extra}\n"
    assert values(tmp_path, sig, LOG)["failed"] == expected


def test_signals_default_when_nothing_matches(tmp_path):
    sig = """
[signals.a]
pattern = 'nope (?P<n>\\d+)'
value = "max"
[signals.b]
pattern = 'nope'
value = "present"
[signals.c]
pattern = 'nope (?P<s>\\w+)'
value = "last"
"""
    got = values(tmp_path, sig, LOG)
    assert (got["a"], got["b"], got["c"]) == (0, False, "")


def test_order_signal(tmp_path):
    sig = """
[signals.start]
pattern = '^retry'
[signals.done]
pattern = '^done'
[signals.retry_then_done]
order = ["start", "done"]
[signals.done_then_retry]
order = ["done", "start"]
"""
    got = values(tmp_path, sig, LOG)
    assert got["retry_then_done"] is True and got["done_then_retry"] is False


def test_followed_by_counts_sequences_within_the_window_across_blocks(tmp_path):
    rules = ruleset(tmp_path, """
[signals.app_lost]
pattern = '^unable to load app'
followed_by = 'GAME OVER'
within = 3
[[checks]]
id = "lost"
title = "t"
kind = "false-success"
when = "app_lost > 0 && exit.code == 0"
message = "{app_lost} sequence(s)"
""")
    blocks = [
        Block(("demo starting\nunable to load app\nx\n").encode(), 1),
        Block(("*** GAME OVER ***\nunable to load app\n").encode(), 4),  # the tail arrives in the next block
        Block(("a\nb\nc\nd\nGAME OVER\n").encode(), 6),  # too far from the head on line 5
    ]
    run = Engine(rules).audit(blocks, ExitStatus.from_code(0, Origin.FLAG))
    assert run.verdict is Kind.FALSE_SUCCESS
    (finding,) = run.findings
    assert finding.message == "1 sequence(s)"
    assert [e.line for e in finding.evidence] == [2, 4]


def test_patterns_match_one_line_at_a_time(tmp_path):
    # \s could cross a newline when a whole block is searched; per-line semantics must win.
    rules = ruleset(tmp_path, """
[signals.errs]
pattern = 'Errors:\\s+(?P<n>\\d+)'
value = "sum"
[[checks]]
id = "errs"
title = "t"
kind = "false-success"
when = "errs > 0 && exit.code == 0"
message = "{errs}"
""")
    run = audit("demo starting\nErrors:\n5 warnings\nErrors: 2\n", 0, rules)
    assert run.findings[0].message == "2"
    assert [e.line for e in run.findings[0].evidence] == [4]


def test_bare_cr_segments_are_matched_and_keep_the_physical_line_number(tmp_path):
    rules = ruleset(tmp_path, """
[signals.errs]
pattern = '^Errors: (?P<n>\\d+)$'
value = "sum"
[[checks]]
id = "errs"
title = "t"
kind = "false-success"
when = "errs > 0 && exit.code == 0"
message = "{errs}"
""")
    run = audit("demo starting\nx\nprogress 50%\rErrors: 4\rprogress 100%\ny\n", 0, rules)
    (finding,) = run.findings
    assert finding.message == "4" and finding.evidence[0].line == 3 and finding.evidence[0].text == "Errors: 4"


CHECKS = """
[signals.errors]
pattern = '^Errors: (?P<n>\\d+)'
value = "sum"
[[checks]]
id = "errors-exit-zero"
title = "Errors, exit 0"
kind = "false-success"
when = "errors > 0 && exit.code == 0"
message = "demo reported {errors} error(s) but exited {exit.code} ({exit.meaning})"
references = ["https://example.org/bug/1"]
[[checks]]
id = "errors-exit-nonzero"
title = "Errors, non-zero"
kind = "consistent"
when = "errors > 0 && exit.code != 0"
message = "demo reported {errors} error(s) and exited {exit.code}"
"""


def test_false_success_cites_numbers_evidence_and_references(tmp_path):
    run = audit("demo starting\nErrors: 2\n", 0, ruleset(tmp_path, CHECKS), source="b.log")
    assert run.verdict is Kind.FALSE_SUCCESS and run.tools == ("demo",)
    (f,) = run.findings
    assert f.check == "demo/errors-exit-zero" and f.severity is Severity.ERROR
    assert f.message == "demo reported 2 error(s) but exited 0 (ok)"
    assert [(e.line, e.text) for e in f.evidence] == [(2, "Errors: 2")]
    assert f.references == ("https://example.org/bug/1",)


def test_consistent_failure_and_clean_success(tmp_path):
    rules = ruleset(tmp_path, CHECKS)
    failed = audit("demo starting\nErrors: 2\n", 1, rules)
    assert failed.verdict is Kind.CONSISTENT
    assert [f.kind for f in failed.findings] == [Kind.CONSISTENT]
    clean = audit("demo starting\nall good\n", 0, rules)
    assert clean.verdict is Kind.CONSISTENT and clean.findings == ()
    assert [c.outcome for c in clean.checks] == [Outcome.PASSED, Outcome.PASSED]


def test_unexplained_failure_names_the_documented_meaning(tmp_path):
    run = audit("demo starting\nall good\n", 3, ruleset(tmp_path, CHECKS))
    assert run.verdict is Kind.UNEXPLAINED_FAILURE
    assert "demo documents exit 3 as 'config error'" in run.findings[0].message


def test_no_coverage_when_no_rule_file_applies(tmp_path):
    run = audit("something else entirely\n", 1, ruleset(tmp_path, CHECKS))
    assert run.verdict is Kind.NO_COVERAGE and run.tools == ()


def test_unknown_exit_status_skips_the_checks_that_need_it(tmp_path):
    run = audit("demo starting\nErrors: 2\n", None, ruleset(tmp_path, CHECKS))
    assert run.verdict is Kind.EXIT_UNKNOWN
    assert {c.outcome for c in run.checks} == {Outcome.SKIPPED}
    assert "2 check(s)" in run.findings[0].message


def test_exit_status_recorded_in_the_log_is_used_when_none_is_given(tmp_path):
    rules = ruleset(tmp_path, CHECKS + """
[[exit_status]]
pattern = 'Process completed with exit code (?P<code>\\d+)\\.'
[[exit_status]]
pattern = '^Finished: SUCCESS$'
code = 0
""")
    run = audit("demo starting\nErrors: 2\nProcess completed with exit code 1.\nFinished: SUCCESS\n", None, rules)
    assert run.exit_status.code == 0 and run.exit_status.origin is Origin.LOG
    assert run.exit_status.line == 4
    assert run.verdict is Kind.FALSE_SUCCESS
    assert [e.line for e in run.findings[0].evidence] == [2, 4]
    # An exit code given on the command line wins over the log.
    given = audit("demo starting\nErrors: 2\nFinished: SUCCESS\n", 1, rules)
    assert given.exit_status.origin is Origin.FLAG and given.verdict is Kind.CONSISTENT


def test_signal_exit_codes_are_named():
    status = ExitStatus.from_code(137, Origin.FLAG)
    assert status.signal == "SIGKILL" and status.describe() == "exit 137 (SIGKILL)"
    assert ExitStatus.parse("-15", Origin.FLAG, "x").code == 143
    assert ExitStatus.from_code(1, Origin.FLAG).signal is None


def test_forced_tool_skips_detection(tmp_path):
    rules = ruleset(tmp_path, CHECKS)
    run = audit("Errors: 1\n", 0, rules, tools=["demo"])
    assert run.verdict is Kind.FALSE_SUCCESS


def test_catastrophic_pattern_is_stopped_and_the_rest_of_the_audit_completes(tmp_path):
    rules = ruleset(tmp_path, CHECKS + """
[signals.slow]
pattern = '^(a|a)*$'
[[checks]]
id = "slow"
title = "slow"
kind = "false-success"
when = "slow > 0 && exit.code == 0"
message = "slow"
""")
    engine = Engine(rules, regex_timeout=0.2)
    log = "demo starting\nErrors: 2\n" + "a" * 40 + "!\n"
    run = engine.audit([Block(log.encode(), 1)], ExitStatus.from_code(0, Origin.FLAG))
    kinds = {f.check: f.kind for f in run.findings}
    assert kinds["demo/errors-exit-zero"] is Kind.FALSE_SUCCESS  # the rest of the audit completed
    assert kinds["demo/slow"] is Kind.INCOMPLETE
    slow = next(c for c in run.checks if c.check == "demo/slow")
    assert slow.outcome is Outcome.SKIPPED and "time limit" in (slow.reason or "")


def test_message_templates_cannot_reach_python_attributes(tmp_path):
    from exitaudit.rules import render_message

    assert render_message("{errors.__class__} {errors}", {"errors": 1}) == "{errors.__class__} 1"


def test_audit_is_deterministic(tmp_path):
    rules = ruleset(tmp_path, CHECKS)
    runs = [audit("demo starting\nErrors: 2\n", 0, rules) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]


def test_a_failure_of_one_tool_explains_a_non_zero_exit_for_the_others():
    """pytest passed, then minitest failed, and the job exited 1: pytest's "passed, but exit 1"
    is no false failure, the exit is minitest's (a finding that says so stays, at info)."""
    from exitaudit import ExitStatus, Origin, load_rules
    from exitaudit.engine import Engine
    from exitaudit.model import Kind, Severity
    from exitaudit.reader import blocks_of

    log = (
        "============================= test session starts ==============================\n"
        "platform linux -- Python 3.11.7, pytest-8.3.5, pluggy-1.5.0\n"
        "collected 5 items\n\n"
        "tests/test_a.py .....                                                    [100%]\n\n"
        "============================== 5 passed in 0.02s ===============================\n"
        "Run options: --seed 4242\n\n# Running:\n\n.F..S\n\n"
        "Finished in 0.001s, 4000 runs/s, 5000 assertions/s.\n\n"
        "  1) Failure:\nLedgerTest#test_total [test/ledger_test.rb:9]:\nExpected: 3\n  Actual: 2\n\n"
        "5 runs, 5 assertions, 1 failures, 0 errors, 1 skips\n"
    )
    run = Engine(load_rules()).audit(blocks_of(log), ExitStatus.from_code(1, Origin.FLAG, "--exit-code"))
    assert {"pytest", "minitest"} <= set(run.tools)
    assert run.verdict is Kind.CONSISTENT, [f.message for f in run.findings]
    doubted = [f for f in run.findings if f.tool == "pytest" and "explains the exit" in f.message]
    assert doubted and all(f.severity is Severity.INFO for f in doubted)
