"""Conditions: `signal.matches(r"...")` is computed once in Python, with cel's result."""

from __future__ import annotations

import pytest

from exitaudit import load_rules
from exitaudit.celexpr import Condition, prepared

SUMMARIES = ["3 failed, 2 passed in 1.0s", "2 passed in 0.5s", "no tests ran in 0.01s", "", "1 error in 2s", "é 1 failed in 1s"]


def both_ways(cond: Condition, values: dict) -> tuple:
    """The condition evaluated by cel alone, and with its matches() precomputed."""
    plain = cond.evaluate(dict(values))
    fast_values = dict(values)
    cond.add_matches(fast_values)
    return plain, cond.evaluate(fast_values, prepared(fast_values))


def outcome(fn, *args):
    """A value, or the type of the exception raised (cel's errors on made-up values)."""
    try:
        return fn(*args)
    except Exception as exc:  # noqa: BLE001
        return type(exc)


def precomputed_evaluate(cond: Condition, values: dict):
    cond.add_matches(values)
    return cond.evaluate(values, prepared(values))


def test_every_matches_call_of_the_pack_gives_cels_answer():
    """Over each rule file's signals at their defaults, the matched signals set to each summary
    and the exit code to each of 0 to 5."""
    compared = fired = 0
    for rf in load_rules():
        for check in rf.checks:
            cond = check.when
            if not cond._matches:
                continue
            for text in SUMMARIES:
                for code in range(6):
                    values = {n: sig.default() for n, sig in rf.signals.items()}
                    values |= {v: text for _n, v, _p in cond._matches}
                    values |= {"exit": {"code": code, "signal": "", "known": True, "meaning": ""}, "tool": rf.tool}
                    values["params"] = {name: p.default for name, p in rf.params.items()}
                    plain = outcome(cond.evaluate, dict(values))
                    assert plain == outcome(precomputed_evaluate, cond, dict(values)), (cond.source, text, code)
                    compared += 1
                    fired += plain is True
    assert compared >= 8 * len(SUMMARIES) * 6 and fired > 0


def test_two_conditions_with_different_patterns_on_one_variable_do_not_share_a_value():
    a = Condition(r'summary.matches(r"failed")')
    b = Condition(r'summary.matches(r"passed")')
    values = {"summary": "2 passed in 1s"}
    a.add_matches(values)
    b.add_matches(values)
    ctx = prepared(values)
    assert (a.evaluate(values, ctx), b.evaluate(values, ctx)) == (False, True)


def test_a_call_spelled_inside_a_string_literal_is_left_alone():
    cond = Condition(r'x == "y.matches(r\"z\")" && y.matches("^a")')
    assert [v for _n, v, _p in cond._matches] == ["y"]
    assert both_ways(cond, {"x": 'y.matches(r"z")', "y": "abc"}) == (True, True)


def test_a_non_string_value_is_left_to_cel():
    cond = Condition(r'n.matches(r"1")')
    values = {"n": 1}
    cond.add_matches(values)
    assert values == {"n": 1}  # nothing precomputed: cel reports its own type error
    with pytest.raises(Exception):  # noqa: B017
        cond.evaluate(values, prepared(values))


def test_a_pattern_python_reads_differently_is_left_to_cel():
    cond = Condition(r's.matches(r"[[:alpha:]]x")')  # a POSIX class: the regex module warns
    assert cond._matches == () or both_ways(cond, {"s": "ax"}) == (True, True)
