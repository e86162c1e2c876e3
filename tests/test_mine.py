"""`exitaudit mine`: on a generated archive with lies planted in tools the pack does not cover,
the planted lies rank first, every draft rule catches its planted lie and passes the honest
runs; the JSON validates against its shipped schema; the tables are readable; the same results
on a Dask cluster as locally."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, SAMPLES, assert_one_line_error, run_cli

sys.path.insert(0, str(ROOT / "bench"))
from mine_archive import generate  # noqa: E402


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> tuple[Path, list[dict[str, str]]]:
    d = tmp_path_factory.mktemp("archive")
    rows = generate(d, runs=300)
    return d, rows


@pytest.fixture(scope="module")
def mined(archive, tmp_path_factory) -> tuple[dict, Path]:
    d, _rows = archive
    out = tmp_path_factory.mktemp("mined")
    res = run_cli("mine", d / "manifest.csv", "-o", out / "mine.json", "--suggest-rules", out / "drafts", "--jobs", "2")
    assert res.code == 0, res.stderr
    return json.loads((out / "mine.json").read_text(encoding="utf-8")), out / "drafts"


def test_planted_lies_rank_first_among_the_unflagged_candidates(archive, mined):
    d, rows = archive
    doc, _ = mined
    planted = {str(d / r["path"]) for r in rows if r["planted"]}
    assert len(planted) >= 10
    new = [c["source"] for c in doc["candidates"] if not c["known"]]
    assert set(new[: len(planted)]) == planted, new[: len(planted) + 3]
    assert set(new) == planted  # and no honest run among them
    # Lies of a tool the pack covers (pytest) are candidates too, marked known.
    known = [c for c in doc["candidates"] if c["known"]]
    assert known and all("pytest" in c["tools"] for c in known)
    for c in doc["candidates"]:
        assert c["evidence"] and all(e["text"] for e in c["evidence"])


def test_failure_templates_are_masked_and_weighed(mined):
    doc, _ = mined
    failure = [t for t in doc["templates"] if t["failure"]]
    texts = [t["template"] for t in failure]
    assert any(t.startswith("shipit: ERROR could not push image sha256:<HEX> to registry.internal:<NUM>") for t in texts), texts
    assert any(t.startswith("dbmigrate: FATAL migration <NUM> failed: relation <STR> does not exist") for t in texts), texts
    for t in failure:
        assert t["runs_nonzero"] >= doc["parameters"]["min_support"] and 0 < t["score"] <= 1
        assert t["examples"] and t["examples"][0]["line"] >= 1
    # A line of honest and failing runs alike is no failure template.
    assert not any("uploading artifact" in t for t in texts)


def test_the_json_validates_against_the_shipped_schema(mined):
    import jsonschema

    doc, _ = mined
    res = run_cli("schema", "mine")
    assert res.code == 0
    schema = json.loads(res.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(doc, schema)


def test_every_draft_passes_lint_and_test_and_catches_its_planted_lie(archive, mined, tmp_path):
    d, rows = archive
    _doc, drafts = mined
    files = sorted(drafts.glob("*.toml"))
    assert {p.stem for p in files} == {"mined-shipit", "mined-dbmigrate"}  # pytest's lies: the pack has them
    for p in files:
        text = p.read_text(encoding="utf-8")
        assert text.startswith("# DRAFT") and "REVIEW" in text
    assert run_cli("rules", "lint", drafts).code == 0
    res = run_cli("rules", "test", drafts)
    assert res.code == 0, res.stdout + res.stderr
    # The archive audited with the drafts: every planted lie is a false-success at error, found by
    # a draft; no other run gets a draft's error finding.
    findings = tmp_path / "findings.csv"
    res = run_cli("batch", d / "manifest.csv", "--rules", drafts, "--findings", findings)
    assert res.code in (0, 1), res.stderr
    with open(findings, newline="", encoding="utf-8") as fh:
        by_draft = {(Path(r["source"]).name, r["check"]) for r in csv.DictReader(fh) if r["check"].startswith("mined-") and r["severity"] == "error"}
    planted = {(r["path"], f"mined-{r['planted']}/failure-exit-zero") for r in rows if r["planted"]}
    assert by_draft == planted


def test_tables_and_formats(archive, tmp_path):
    import polars as pl

    d, _ = archive
    res = run_cli("mine", d / "manifest.csv", "-o", tmp_path / "c.parquet", "--templates", tmp_path / "t.csv", "--jobs", "1")
    assert res.code == 0, res.stderr
    cands = pl.read_parquet(tmp_path / "c.parquet")
    assert {"source", "score", "known", "templates", "evidence"} <= set(cands.columns) and cands.height > 0
    temps = pl.read_csv(tmp_path / "t.csv")
    assert {"template", "runs_exit_zero", "runs_nonzero", "score", "failure"} <= set(temps.columns)
    res = run_cli("mine", d / "manifest.csv", "-o", "-", "--format", "jsonl", "--jobs", "1")
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert lines and all(c["exit_status"] == {"code": 0} for c in lines)
    res = run_cli("mine", d / "manifest.csv", "-o", "-", "--format", "csv", "--jobs", "1")
    assert res.code == 0 and res.stdout.startswith("source,exit_code,score,known,"), res.stdout[:200]
    assert_one_line_error(run_cli("mine", d / "manifest.csv", "-o", "-", "--format", "parquet"), "--format")
    assert_one_line_error(run_cli("mine", d / "manifest.csv", "-o", tmp_path / "c.csv", "--format", "parquet"), "--output")


def test_the_sample_corpus_marks_what_the_pack_flags_as_known(tmp_path):
    res = run_cli("mine", SAMPLES / "manifest.csv", "-o", tmp_path / "m.json", "--min-support", "2")
    assert res.code == 0, res.stderr
    doc = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    with open(SAMPLES / "manifest.csv", newline="", encoding="utf-8") as fh:
        expected = {str(SAMPLES / c["path"]): c["expected_verdict"] for c in csv.DictReader(fh)}
    assert doc["runs"]["total"] == len(expected)
    # The samples' lies are found (the pack flags them: known), and no honest run is a candidate.
    assert doc["candidates"]
    for c in doc["candidates"]:
        assert expected[c["source"]] in ("false-success", "wrong-code"), c
        assert c["known"], c


def test_bad_inputs_are_one_line(tmp_path):
    assert_one_line_error(run_cli("mine", tmp_path / "nope.csv"), "nope.csv")
    assert_one_line_error(run_cli("mine", SAMPLES / "manifest.csv", "-o", tmp_path / "x.txt"), "--output")
    assert_one_line_error(run_cli("mine", SAMPLES / "manifest.csv", "--templates", tmp_path / "x.txt"), "--templates")


# The masks ------------------------------------------------------------------------------------


def test_masks_keep_the_shape_and_hide_the_values():
    from exitaudit.mining.templates import display, template_of

    cases = {
        "2024-06-11T12:34:56.789Z ERROR took 12.5s for 3 items": "<TS> ERROR took <DUR> for <NUM> items",
        "job 3f9e1c2a-1111-2222-3333-444455556666 from 10.0.0.1:8080": "job <UUID> from <IP>",
        "  File \"/usr/lib/python3.11/x.py\", line 12, in <module>": "File <STR>, line <NUM>, in <module>",
        "fetch https://example.org/a?b=1 failed": "fetch <URL> failed",
        "wrote dist/app-1.2.whl and ./build/x": "wrote <PATH> and <PATH>",
        "commit deadbeef1234 (attempt 3/3)": "commit <HEX> (attempt <NUM>/<NUM>)",
        "Errors: 0 failed=0 plugins: timeout-2.3.1": "Errors: 0 failed=0 plugins: timeout-<NUM>",
    }
    for line, template in cases.items():
        assert display(template_of(line)) == template, line
    # A line that holds a token's text itself keeps it as text.
    assert display(template_of("x <NUM> y")) == "x <NUM> y" and template_of("x <NUM> y") != template_of("x 5 y")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=120))
def test_a_templates_pattern_matches_the_line_it_came_from(line):
    import regex

    from exitaudit.mining.templates import template_of, to_pattern

    line = line.replace("\n", " ").replace("\r", " ")
    pattern = to_pattern(template_of(line))
    assert regex.search(pattern, line), (line, template_of(line), pattern)


# Dask ---------------------------------------------------------------------------------------------


def test_mining_on_dask_equals_mining_locally(archive, mined, tmp_path):
    pytest.importorskip("distributed")
    d, _ = archive
    doc, _ = mined
    res = run_cli("mine", d / "manifest.csv", "-o", tmp_path / "dask.json", "--dask", "local", "--jobs", "2")
    assert res.code == 0, res.stderr
    assert json.loads((tmp_path / "dask.json").read_text(encoding="utf-8")) == doc


def test_a_ci_envelope_is_removed_before_templating(tmp_path):
    """The same archive as GitHub job logs (a runner timestamp on every line) mines to the same
    templates and candidates as the bare logs: templates are of the tools' own lines."""
    bare = tmp_path / "bare"
    rows = generate(bare, runs=120, seed=11)
    wrapped = tmp_path / "github"
    wrapped.mkdir()
    for r in rows:
        text = (bare / r["path"]).read_text(encoding="utf-8")
        lines = [f"2024-05-01T10:{i // 60 % 60:02d}:{i % 60:02d}.{i:07d}Z {line}" for i, line in enumerate(text.splitlines())]
        (wrapped / r["path"]).write_text("\n".join(lines) + "\n", encoding="utf-8")
    (wrapped / "manifest.csv").write_text((bare / "manifest.csv").read_text(encoding="utf-8"), encoding="utf-8")
    docs = []
    for d in (bare, wrapped):
        res = run_cli("mine", d / "manifest.csv", "-o", d / "m.json", "--jobs", "1")
        assert res.code == 0, res.stderr
        docs.append(json.loads((d / "m.json").read_text(encoding="utf-8")))
    plain, github = docs
    assert [t["template"] for t in github["templates"] if t["failure"]] == [t["template"] for t in plain["templates"] if t["failure"]]
    assert [Path(c["source"]).name for c in github["candidates"]] == [Path(c["source"]).name for c in plain["candidates"]]
    assert github["candidates"] and all(not e["text"].startswith("2024-05-01T") for c in github["candidates"] for e in c["evidence"])
