"""Documentation is part of the product: the generated reference matches the rule files, and
the README's commands name files that exist."""

from __future__ import annotations

import re

from conftest import ROOT
from exitaudit import load_rules
from exitaudit.ruledoc import markdown


def test_reference_is_generated_from_the_current_rule_files():
    current = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    assert current == markdown(load_rules()), "regenerate: python -m exitaudit.ruledoc > docs/reference.md"


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^python3 -m venv .*$", readme, flags=re.M)
    assert len(commands) >= 2
    install_and_run, install_and_test = commands[0], commands[1]
    sample = re.search(r"check (\S+)", install_and_run).group(1)
    assert (ROOT / sample).is_file()
    assert install_and_test in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_rule_file_is_documented_in_the_reference():
    reference = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    for rf in load_rules():
        for check in rf.checks:
            assert f"`{check.full_id}`" in reference
