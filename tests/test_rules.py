"""The rule loader: every error names the file, the line and the field; rule files are data."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from exitaudit import load_rule_file, load_rules
from exitaudit.errors import RuleError, RuleErrors
from exitaudit.rules import builtin_rules_dir

GOOD = """\
format = 1
tool = "demo"
description = "demo"

[detect]
patterns = ['^demo']

[signals.errors]
pattern = 'Errors: (?P<n>\\d+)'
value = "sum"

[[checks]]
id = "errors-exit-zero"
title = "t"
kind = "false-success"
when = "errors > 0 && exit.code == 0"
message = "{errors} errors"
"""


def write(tmp_path: Path, text: str, name: str = "demo.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def errors_of(path: Path) -> list[RuleError]:
    with pytest.raises((RuleError, RuleErrors)) as info:
        load_rule_file(path)
    return info.value.errors if isinstance(info.value, RuleErrors) else [info.value]


def test_good_file_loads(tmp_path):
    rf = load_rule_file(write(tmp_path, GOOD))
    assert rf.tool == "demo" and [c.full_id for c in rf.checks] == ["demo/errors-exit-zero"]


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "words"),
    [
        ('value = "sum"', 'value = "sum"\nvalu = 3', 11, "signals.errors.valu", "unknown field"),
        ('kind = "false-success"', 'kind = "bogus"', 15, "checks[0].kind", "is not one of"),
        ("pattern = 'Errors: (?P<n>\\d+)'", "pattern = 'Errors: (?P<n>\\d+'", 9, "signals.errors.pattern", "invalid regular expression"),
        ('when = "errors > 0 && exit.code == 0"', 'when = "errors > && exit.code == 0"', 16, "checks[0].when", "does not compile"),
        ('when = "errors > 0 && exit.code == 0"', 'when = "erors > 0"', 16, "checks[0].when", "unknown signal(s) erors"),
        ('when = "errors > 0 && exit.code == 0"', 'when = "errors + 1"', 16, "checks[0].when", "must be true or false"),
        ('when = "errors > 0 && exit.code == 0"', 'when = "errors > \'a\'"', 16, "checks[0].when", "condition fails with exit 0, through signal 'errors' (an int) at column 1"),
        ('message = "{errors} errors"', 'message = "{nope} errors"', 17, "checks[0].message", "unknown placeholder"),
        ('value = "sum"', 'value = "sum"\ntype = "string"', 11, "signals.errors.type", "must be int"),
        ("format = 1", "format = 2", 1, "format", "1 was expected"),
        ('tool = "demo"', 'tool = "other"', 2, "tool", "does not match the file name"),
        ("[signals.errors]", "[signals.exit]", 8, "signals.exit", "reserved"),
    ],
)
def test_errors_name_file_line_and_field(tmp_path, old, new, line, field, words):
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new))
    errs = errors_of(path)
    assert any(e.line == line and e.field == field and words in str(e) for e in errs), [str(e) for e in errs]
    assert all(str(e).startswith(f"{path}:") for e in errs)


def test_duplicate_check_ids(tmp_path):
    text = GOOD + GOOD[GOOD.index("[[checks]]"):]
    errs = errors_of(write(tmp_path, text))
    assert [(e.line, e.field) for e in errs] == [(19, "checks[1].id")]
    assert "duplicate check id" in str(errs[0])


def test_toml_syntax_error_has_a_line(tmp_path):
    errs = errors_of(write(tmp_path, GOOD.replace('title = "t"', 'title = "t')))
    assert errs[0].line == 14 and "TOML syntax error" in str(errs[0])


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\xff\xfe bad", "not valid UTF-8"),
        (b"x = [" * 100_000, "TOML"),  # deeply nested
        (b"# " + b"x" * (2 << 20), "larger than"),
    ],
    ids=["not-utf8", "deep", "huge"],
)
def test_hostile_files_give_one_clear_error(tmp_path, content, words):
    path = tmp_path / "demo.toml"
    path.write_bytes(content)
    errs = errors_of(path)
    assert words in str(errs[0]) and str(path) in str(errs[0])


def test_user_file_replaces_the_builtin_one_for_the_same_tool(tmp_path):
    builtin = load_rules()
    assert "pyinfra" in builtin.files and builtin.get("pyinfra").builtin
    mine = write(tmp_path, GOOD.replace('tool = "demo"', 'tool = "pyinfra"'), name="pyinfra.toml")
    merged = load_rules([tmp_path])
    assert merged.get("pyinfra").path == str(mine) and not merged.get("pyinfra").builtin
    assert set(merged.files) == set(builtin.files)


def test_missing_rules_path(tmp_path):
    with pytest.raises(RuleError, match="no such file or directory"):
        load_rules([tmp_path / "nope"])


def test_builtin_pack_is_valid_against_the_schema():
    """The built-in pack skips schema validation at run time (start-up cost); this is where it is validated."""
    paths = sorted(builtin_rules_dir().glob("*.toml"))
    assert paths, builtin_rules_dir()
    for path in paths:
        load_rule_file(path, validate=True)


def test_builtin_pack_ships_inside_the_installed_package():
    import exitaudit

    pkg = Path(exitaudit.__file__).parent
    top = Path(__file__).resolve().parents[1] / "rules"
    if (pkg / "rules").is_dir():  # a regular install: the pack must be identical to rules/
        shipped = {p.name: p.read_bytes() for p in (pkg / "rules").glob("*.toml")}
        assert shipped == {p.name: p.read_bytes() for p in top.glob("*.toml")}
    else:  # an editable install resolves to the checkout's rules/
        assert builtin_rules_dir() == top


def test_builtin_patterns_all_have_a_prefilter_literal():
    """A pattern without a literal runs on every line of every log: the pack must have none."""
    from exitaudit.rules import slow_patterns

    slow = [str(w) for rf in load_rules() for w in slow_patterns(rf)]
    assert not slow, "\n".join(slow)


def test_lint_warns_about_a_pattern_without_a_literal(tmp_path):
    from exitaudit.rules import slow_patterns

    path = write(tmp_path, GOOD.replace("pattern = 'Errors: (?P<n>\\d+)'", "pattern = '^(?P<n>\\d+)$'"))
    (warning,) = slow_patterns(load_rule_file(path))
    assert warning.line == 9 and warning.field == "signals.errors.pattern" and "runs on every line" in str(warning)
