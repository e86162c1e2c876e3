"""Budgets and limits against hostile rule files and hostile logs (issue 15, items 2-6).

Each attack is run small, with a tight budget set through the engine's or the command's option,
so that the test is quick; what it asserts is the behaviour (a one-line rule error, an
audit-incomplete verdict naming the cause, bounded values, work that does not grow with the
square of the input), never a wall time.
"""

from __future__ import annotations

import json
import textwrap

import pytest

from exitaudit import ExitStatus, Kind, Origin, load_rule_file
from exitaudit.engine import Engine
from exitaudit.model import Outcome
from exitaudit.reader import Block
from exitaudit.errors import RuleError, RuleErrors
from exitaudit.rules import RuleSet

from conftest import assert_one_line_error

HEADER = """
format = 1
tool = "demo"
description = "demo tool"
[detect]
patterns = ['^demo starting']
[exit_codes]
0 = "ok"
"""

ERRORS = """
[signals.errors]
pattern = 'Errors: (?P<n>\\d+)'
value = "sum"
[[checks]]
id = "errors-exit-zero"
title = "errors but exit 0"
kind = "false-success"
when = "errors > 0 && exit.code == 0"
message = "{errors} errors"
"""


def rule_file(tmp_path, body: str, name: str = "demo.toml"):
    path = tmp_path / name
    path.write_text(HEADER + textwrap.dedent(body))
    return path


def ruleset(tmp_path, body: str) -> RuleSet:
    rf = load_rule_file(rule_file(tmp_path, body))
    return RuleSet({rf.tool: rf})


def check(id_: str, when: str, message: str = "m", kind: str = "false-success") -> str:
    return f'\n[[checks]]\nid = "{id_}"\ntitle = "t"\nkind = "{kind}"\nwhen = """{when}"""\nmessage = "{message}"\n'


def run(engine: Engine, log: str | bytes, code: int = 0):
    data = log.encode() if isinstance(log, str) else log
    return engine.audit([Block(data, 1)], ExitStatus.from_code(code, Origin.FLAG))


def nested_all(levels: int, over: str = "L") -> str:
    names = [f"v{i}" for i in range(levels)]
    expr = f"{names[-1]} >= 0"
    for name in reversed(names):
        expr = f"{over}.all({name}, {expr})"
    return expr


# --------------------------------------------------------------------------------------------
# 2. Conditions have a cost budget


def test_a_condition_whose_cost_explodes_is_a_rule_error_naming_file_line_and_check(cli, tmp_path):
    when = nested_all(8, "[0,1,2,3,4,5,6,7,8,9]") + " && exit.code == 0"
    path = rule_file(tmp_path, ERRORS + check("explodes", when))
    log = tmp_path / "log"
    log.write_text("demo starting\n")
    res = cli("check", log, "-e", "0", "--no-config", "-r", path)  # before: ran for hours while the rules loaded
    assert_one_line_error(res, "explodes", "cost")
    when_line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "explodes" in text) + 3
    assert f"demo.toml:{when_line}: checks[1].when" in res.stderr
    lint = cli("rules", "lint", path)
    assert lint.code == 2 and "explodes" in lint.stderr
    with pytest.raises((RuleError, RuleErrors)) as err:
        load_rule_file(path)
    assert "cost" in str(err.value)


def test_a_configuration_naming_a_costly_rule_file_does_not_hang_check(cli, tmp_path):
    when = "[1,2,3,4,5,6,7,8,9,10].map(a, [1,2,3,4,5,6,7,8,9,10].map(b, [1,2,3,4,5,6,7,8,9,10].map(c, " \
        "[1,2,3,4,5,6,7,8,9,10].map(d, [1,2,3,4,5,6,7,8,9,10].map(e, [1,2,3,4,5,6,7,8,9,10].map(f, " \
        "tool + tool + tool + tool))))))[0][0][0][0][0][0] != '' && exit.code == 0"
    rule_file(tmp_path, ERRORS + check("grows", when))
    (tmp_path / "exitaudit.toml").write_text('rules = ["demo.toml"]\n')
    log = tmp_path / "log"
    log.write_text("demo starting\n")
    res = cli("check", log, "-e", "0", cwd=tmp_path)
    assert_one_line_error(res, "demo.toml", "grows", "cost")


def test_the_built_in_conditions_are_within_budget():
    from exitaudit.rules import load_rules

    for rf in load_rules():
        for c in rf.checks:
            assert c.when.bound() is not None, c.full_id  # loaded: costed, within COST_MAX


def test_a_condition_over_its_run_time_budget_is_audit_incomplete(tmp_path):
    rules = ruleset(tmp_path, """
[signals.ids]
pattern = 'FAILED (?P<id>\\S+)'
value = "all"
""" + check("pairs", "exit.code == 0 && ids.exists(a, ids.exists(b, a + b != b + a))"))
    log = "demo starting\n" + "".join(f"FAILED t{i}\n" for i in range(300))
    tight = Engine(rules, condition_budget=10_000)
    result = run(tight, log)
    assert result.verdict is Kind.INCOMPLETE
    finding = next(f for f in result.findings if f.check == "demo/pairs")
    assert "budget" in finding.message and "\n" not in finding.message
    outcome = next(c for c in result.checks if c.check == "demo/pairs")
    assert outcome.outcome is Outcome.SKIPPED
    # A small log of the same kind is within the same budget, and evaluated.
    small = run(tight, "demo starting\nFAILED a\nFAILED b\n")
    assert next(c for c in small.checks if c.check == "demo/pairs").outcome is Outcome.FIRED


# --------------------------------------------------------------------------------------------
# 3. One deadline for the whole audit


SLOW = "".join(f"\n[signals.slow{i}]\npattern = '^(a|aa)+$'\n" for i in range(6))
SLOW_CHECK = check("slow", " || ".join(f"slow{i} > 0" for i in range(6)) + " && exit.code == 0")


def test_an_audit_past_its_deadline_is_incomplete_and_names_the_slowest_patterns(tmp_path):
    rules = ruleset(tmp_path, ERRORS + SLOW + SLOW_CHECK)
    engine = Engine(rules, regex_timeout=5.0, deadline=0.3)
    log = "demo starting\nErrors: 2\n" + ("a" * 5000 + "b\n") * 3
    result = run(engine, log)
    assert result.verdict is Kind.INCOMPLETE
    stop = [f for f in result.findings if "deadline" in f.message]
    assert len(stop) == 1, result.findings
    assert "0.3 s" in stop[0].message and "demo/slow" in stop[0].message and "\n" not in stop[0].message
    assert all(c.outcome is Outcome.SKIPPED for c in result.checks)
    assert stop[0].severity.value == "error"  # the gate stays shut: a false-success check was not run


def test_the_deadline_option_of_check(cli, tmp_path):
    path = rule_file(tmp_path, ERRORS + SLOW + SLOW_CHECK)
    log = tmp_path / "log"
    log.write_text("demo starting\n" + ("a" * 5000 + "b\n") * 3)
    res = cli("check", log, "-e", "0", "--no-config", "-r", path, "--deadline", "0.3", "--format", "json")
    report = json.loads(res.stdout)
    assert report["runs"][0]["verdict"] == "audit-incomplete", res.stdout
    assert res.code == 1  # at error: the run could not be audited
    assert "deadline" in res.stdout
    bad = cli("check", log, "-e", "0", "--no-config", "--deadline", "soon")
    assert bad.code == 2


def test_deadline_in_the_configuration(cli, tmp_path):
    from exitaudit import config

    (tmp_path / "exitaudit.toml").write_text("deadline = 12.5\n")
    assert config.load(tmp_path / "exitaudit.toml").deadline == 12.5
    (tmp_path / "exitaudit.toml").write_text('deadline = "soon"\n')
    with pytest.raises(config.ConfigError):
        config.load(tmp_path / "exitaudit.toml")


# --------------------------------------------------------------------------------------------
# 4. followed_by: time-outs reported, cost linear


class _CountingPattern:
    """A compiled pattern that counts its searches."""

    def __init__(self, pattern):
        self.pattern = pattern
        self.searches = 0

    def search(self, *args, **kwargs):
        self.searches += 1
        return self.pattern.search(*args, **kwargs)


def test_a_followed_by_tail_that_times_out_makes_the_audit_incomplete(tmp_path):
    rules = ruleset(tmp_path, ERRORS + """
[signals.retried]
pattern = '^head'
followed_by = '^(a|aa)+$'
within = 3
""" + check("retried", "retried > 0 && exit.code == 0"))
    engine = Engine(rules, regex_timeout=0.2)
    log = "demo starting\n" + ("head\n" + "a" * 3000 + "b\n") * 5
    result = run(engine, log)
    assert result.verdict is Kind.INCOMPLETE, result.findings
    outcome = next(c for c in result.checks if c.check == "demo/retried")
    assert outcome.outcome is Outcome.SKIPPED and "time limit" in (outcome.reason or "")


def test_followed_by_searches_once_per_block_not_per_head_and_line(tmp_path):
    rules = ruleset(tmp_path, """
[signals.seq]
pattern = '^'
followed_by = '^never here$'
within = 1000
""" + check("seq", "seq > 0 && exit.code == 0"))
    engine = Engine(rules)
    tail = _CountingPattern(engine._tail("demo", "seq"))
    engine._compiled_tails[("demo", "seq")] = tail  # type: ignore[assignment]
    lines = "demo starting\n" + "x\n" * 2000
    result = run(engine, lines)
    assert result.verdict is Kind.CONSISTENT
    assert tail.searches <= 5  # before: one search per head per line of its window (2 million)


def test_followed_by_pairs_each_head_with_the_next_tail_within_the_window(tmp_path):
    rules = ruleset(tmp_path, """
[signals.seq]
pattern = '^head'
followed_by = '^tail'
within = 2
""" + check("seq", "seq > 0 && exit.code == 0", "{seq}"))
    engine = Engine(rules)
    log = "demo starting\nhead 1\nx\ntail a\nhead 2\nx\nx\ntail b\nhead 3\nhead 4\r\x1b[31mtail c\x1b[0m\n"
    result = run(engine, log)
    finding = next(f for f in result.findings if f.check == "demo/seq")
    # head 1 -> tail a; head 2's tail is too far; head 3 -> tail c (head 4's window starts after
    # its own line, which holds tail c in a later segment)
    assert finding.message == "2"
    assert [(e.line, e.text) for e in finding.evidence] == [(2, "head 1"), (4, "tail a"), (9, "head 3"), (10, "tail c")]


# --------------------------------------------------------------------------------------------
# 5. A long line of many hits costs linear time


class _CountingBytes(bytes):
    """A block whose line-end searches count the bytes they may look at."""

    looked = 0

    def find(self, sub, start=None, end=None):  # type: ignore[override]
        start = 0 if start is None else start
        end = len(self) if end is None else end
        at = bytes.find(self, sub, start, end)
        _CountingBytes.looked += max(0, (end if at == -1 else at) - start)
        return at

    def rfind(self, sub, start=None, end=None):  # type: ignore[override]
        start = 0 if start is None else start
        end = len(self) if end is None else end
        at = bytes.rfind(self, sub, start, end)
        _CountingBytes.looked += max(0, end - (start if at == -1 else at))
        return at


@pytest.mark.parametrize("separator", [b"\r", b" "])
def test_a_long_line_of_many_hits_is_scanned_in_linear_time(tmp_path, separator):
    rules = ruleset(tmp_path, ERRORS + """
[signals.err]
pattern = 'Error: x'
""" + check("err", "err > 0 && exit.code == 0", "{err}"))
    engine = Engine(rules)
    data = b"demo starting\nhello" + separator + (b"Error: x" + separator) * 20000 + b"\n"
    _CountingBytes.looked = 0
    result = engine.audit([Block(_CountingBytes(data), 1)], ExitStatus.from_code(0, Origin.FLAG))
    finding = next(f for f in result.findings if f.check == "demo/err")
    assert finding.message == ("20000" if separator == b"\r" else "1")
    assert _CountingBytes.looked < 50 * len(data)  # before: one search to the line's end per hit


# --------------------------------------------------------------------------------------------
# 6. Kept values, evidence and messages are bounded


def test_kept_values_are_cut_with_their_length_said(tmp_path):
    from exitaudit.engine import VALUE_MAX

    rules = ruleset(tmp_path, """
[signals.failed]
pattern = '^FAILED (?P<id>\\S+)'
value = "all"
[signals.last]
pattern = '^FAILED (?P<id>\\S+)'
value = "last"
""" + check("failed", "size(failed) > 0 && exit.code == 0", "{failed}") + check("last", "last != '' && exit.code == 0", "{last}"))
    engine = Engine(rules)
    name = "t" * 100_000
    result = run(engine, "demo starting\n" + f"FAILED {name}\n" * 5)
    every = next(f for f in result.findings if f.check == "demo/failed")
    assert len(every.message) <= VALUE_MAX + 200 and every.message.endswith("characters cut] (and 3 more)")
    last = next(f for f in result.findings if f.check == "demo/last")
    assert last.message == "t" * VALUE_MAX + f"…[{100_000 - VALUE_MAX} characters cut]"
    for ev in every.evidence + last.evidence:
        assert len(ev.text) <= 4 * 1024


def test_a_rendered_message_is_cut_with_its_length_said(tmp_path):
    from exitaudit.rules import MESSAGE_MAX, render_message

    message = render_message("{a}{b}{c}{d}{e}{f}", {k: "x" * 4000 for k in "abcdef"})
    assert len(message) <= MESSAGE_MAX + 40
    assert message.endswith(f"…[{6 * 4000 - MESSAGE_MAX} characters cut]")
    assert render_message("{a} ok", {"a": "short"}) == "short ok"


def test_a_greedy_group_in_the_message_keeps_the_json_report_small(cli, tmp_path):
    path = rule_file(tmp_path, """
[signals.v]
pattern = 'value: (?P<v>.*)'
value = "last"
""" + check("v", "v != '' && exit.code == 0", "{v} {v} {v} {v} {v} {v}"))
    log = tmp_path / "log"
    log.write_bytes(b"demo starting\n" + (b"value: " + b"v" * 1_000_000 + b"\n") * 3)
    res = cli("check", log, "-e", "0", "--no-config", "-r", path, "--format", "json")
    assert res.code == 1, res.stderr
    assert len(res.stdout) < 64 * 1024


def test_a_line_scanned_in_pieces_gives_the_audit_of_the_whole_line(tmp_path, monkeypatch):
    import exitaudit.engine as engine_module

    rules = ruleset(tmp_path, ERRORS + """
[signals.err]
pattern = 'Error: (?P<what>\\\\w+)'
value = "all"
[signals.seq]
pattern = '^head'
followed_by = '^tail'
within = 2
""" + check("err", "size(err) > 0 && exit.code == 0", "{err}") + check("seq", "seq > 0 && exit.code == 0", "{seq}"))
    log = (
        b"demo starting\nErrors: 1\r\n"
        + b"".join(b"Error: e%d\r\x1b[2K" % i for i in range(40)) + b"head\rhead\r\n"
        + b"x\r\r\ntail\rError: last\r\nhead\rhead\rhead\rhead\rhead\rhead\rhead\n\ntail\n"
    )
    whole = run(Engine(rules), log)
    monkeypatch.setattr(engine_module, "SEGMENTS_PER_SCAN", 3)
    pieces = run(Engine(rules), log)
    assert pieces == whole
    seq = next(f for f in whole.findings if f.check == "demo/seq")
    assert seq.message == "9"  # 2 heads before "tail" on line 5, 7 on line 6 before line 8's
    assert [(e.line, e.text) for e in seq.evidence] == [(3, "head"), (5, "tail"), (6, "head"), (8, "tail")]


def test_a_condition_that_does_not_compile_is_one_line(cli, tmp_path):
    path = rule_file(tmp_path, ERRORS + check("bad", "/"))
    res = cli("rules", "lint", path)
    lines = res.stderr.strip().splitlines()
    assert res.code == 2 and len(lines) == 2, res.stderr  # the error, then lint's summary
    assert "checks[1].when: condition does not compile: at 1:1" in lines[0]
