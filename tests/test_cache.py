"""The cache folder: parsed rule files and Hyperscan databases kept between runs."""

from __future__ import annotations

import os

from exitaudit import rules
from exitaudit.rules import builtin_rules_dir, load_rule_file


def test_a_rule_file_read_from_the_cache_is_the_file_parsed(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = os.path.join(builtin_rules_dir(), "pytest.toml")
    with open(path, encoding="utf-8") as fh:
        source = fh.read()
    fresh = rules._parse_toml(path, source)
    assert rules.parse_toml(path, source) == fresh  # parsed, and written to the cache
    cached = list((tmp_path / "exitaudit").glob("toml-*.marshal"))
    assert len(cached) == 1
    calls = []
    monkeypatch.setattr(rules, "_parse_toml", lambda *a: calls.append(a) or {})
    assert rules.parse_toml(path, source) == fresh and calls == []  # read back, not parsed
    assert rules.parse_toml(path, source + "\n# changed\n") == {} and len(calls) == 1  # another source: parsed


def summary(rf):
    return [(c.id, c.when.source, c.message, c.evidence) for c in rf.checks], sorted(rf.signals)


def test_a_corrupt_or_unwritable_cache_is_no_error(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = os.path.join(builtin_rules_dir(), "make.toml")
    expected = summary(load_rule_file(path, validate=False, builtin=True))
    for entry in (tmp_path / "exitaudit").glob("toml-*.marshal"):
        entry.write_bytes(b"\x00not marshal")
    assert summary(load_rule_file(path, validate=False, builtin=True)) == expected
    (tmp_path / "exitaudit").chmod(0o500)
    blocked = tmp_path / "file"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))  # a file where the folder should be
    assert summary(load_rule_file(path, validate=False, builtin=True)) == expected
