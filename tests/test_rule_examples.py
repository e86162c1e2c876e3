"""Every example embedded in every built-in rule file, one test each (as `exitaudit rules test`)."""

from __future__ import annotations

import pytest

from exitaudit import load_rules
from exitaudit.ruletest import run_examples

PACK = load_rules()
EXAMPLES = [(rf, i) for rf in PACK for i in range(len(rf.examples))]


def test_every_rule_file_has_examples_of_both_outcomes():
    for rf in PACK:
        verdicts = {ex.verdict for ex in rf.examples}
        assert "consistent" in verdicts, f"{rf.tool}: no example of an honest run"
        assert verdicts - {"consistent"}, f"{rf.tool}: no example of a mismatch"


def test_every_check_is_exercised_by_an_example():
    for rf in PACK:
        covered = {c for ex in rf.examples for c in (ex.checks or ())}
        missing = {c.id for c in rf.checks} - covered
        assert not missing, f"{rf.tool}: checks without a firing example: {sorted(missing)}"


@pytest.mark.parametrize(("rule", "index"), EXAMPLES, ids=[f"{rf.tool}:{rf.examples[i].name}" for rf, i in EXAMPLES])
def test_example(rule, index):
    result = run_examples(rule)[index]
    assert result.passed, f"{result.where}: {'; '.join(result.problems)}"
