"""The cache folder: parsed rule files and Hyperscan databases kept between runs."""

from __future__ import annotations

import os
import time

from exitaudit import cache, rules
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


def _entry(folder, name, size, age):
    entry = folder / name
    entry.write_bytes(b"x" * size)
    stamp = time.time() - age
    os.utime(entry, (stamp, stamp))
    return entry


def test_a_write_past_the_limits_removes_the_least_recently_used(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(cache, "MAX_ENTRIES", 8)
    folder = tmp_path / "exitaudit"
    folder.mkdir()
    old = [_entry(folder, f"toml-{i}.marshal", 10, age=1000 - i) for i in range(8)]
    assert cache.read("toml-0.marshal") == b"x" * 10  # the oldest, used now: kept
    cache.write("new.marshal", b"new")
    left = sorted(p.name for p in folder.iterdir())
    # 9 entries > 8: removed oldest first down to 6 (3/4 of 8), never the one just written.
    assert left == sorted(["new.marshal", "toml-0.marshal", "toml-4.marshal", "toml-5.marshal", "toml-6.marshal", "toml-7.marshal"])
    assert cache.read("new.marshal") == b"new"
    assert all(p.exists() for p in old[4:])


def test_the_folder_is_kept_under_its_size_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(cache, "MAX_BYTES", 1000)
    folder = tmp_path / "exitaudit"
    folder.mkdir()
    for i in range(4):
        _entry(folder, f"hyperscan-{i}.pickle", 200, age=100 - i)
    cache.write("hyperscan-new.pickle", b"y" * 300)  # 1,100 bytes > 1,000: down to 750
    left = {p.name: p.stat().st_size for p in folder.iterdir()}
    assert sum(left.values()) <= 750 and "hyperscan-new.pickle" in left
    assert sorted(left) == ["hyperscan-2.pickle", "hyperscan-3.pickle", "hyperscan-new.pickle"]


def test_under_the_limits_nothing_is_removed_but_a_dead_writers_half_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "exitaudit"
    folder.mkdir()
    kept = [_entry(folder, f"toml-{i}.marshal", 10, age=10**7) for i in range(3)]  # old, but few
    stale = _entry(folder, "toml-9.marshal.123.tmp", 10, age=2 * cache.STALE_TMP_SECONDS)
    writing = _entry(folder, "toml-8.marshal.456.tmp", 10, age=1)  # another process, writing now
    cache.write("new.marshal", b"new")
    assert all(p.exists() for p in kept) and writing.exists() and not stale.exists()
