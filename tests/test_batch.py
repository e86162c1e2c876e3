"""`exitaudit batch` end to end: sources, tables read back with polars, summary, JUnit, baseline,
errors, parallelism."""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from lxml import etree

from conftest import PYINFRA_LOG, SAMPLES, SCHEMAS, assert_one_line_error

KINDS = ("false_success", "wrong_code", "false_failure", "unexplained_failure", "audit_incomplete", "no_coverage", "exit_status_unknown", "consistent")
RUN_COLUMNS = ["exit_code", "exit_signal", "exit_origin", "tools", "verdict", "checks", *(f"n_{k}" for k in KINDS), "n_baselined", "error", "platform", "n_steps", "n_steps_failed", "n_steps_mismatched"]
FINDING_COLUMNS = ["check", "tool", "kind", "severity", "message", "line", "baselined", "step"]
VERDICTS = {"consistent", "false-success", "wrong-code", "false-failure", "unexplained-failure", "audit-incomplete", "no-coverage", "exit-status-unknown"}
PYINFRA_CHECK = "pyinfra/errors-exit-zero"


def read_table(path: Path) -> pl.DataFrame:
    """A results file as polars reads it; CSV/TSV cells as text, so nothing is re-inferred."""
    suffix = path.suffix
    if suffix == ".parquet":
        return pl.read_parquet(path)
    if suffix == ".jsonl":
        return pl.read_ndjson(path)
    return pl.read_csv(path, separator="\t" if suffix == ".tsv" else ",", infer_schema=False)


def by_source(df: pl.DataFrame) -> dict[str, dict]:
    return {row["source"]: row for row in df.iter_rows(named=True)}


def write_manifest(path: Path, rows: list[dict]) -> None:
    df = pl.DataFrame(rows)
    if path.suffix == ".parquet":
        df.write_parquet(path)
    elif path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    else:
        df.write_csv(path, separator="\t" if path.suffix == ".tsv" else ",")


def xsd(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / f"{name}.xsd")))


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    """A pyinfra 2.8 log that exited 0 after a failed operation, and a log no rule knows."""
    folder = tmp_path / "logs"
    folder.mkdir()
    shutil.copy(PYINFRA_LOG, folder / "deploy.log")
    (folder / "hello.log").write_text("hello world\n")
    return folder


# --------------------------------------------------------------------------------------------
# Sources


def test_the_sample_manifest(cli, tmp_path):
    manifest = SAMPLES / "manifest.csv"
    with open(manifest, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        cases = list(reader)
    carried = [c for c in reader.fieldnames if c not in ("path", "exit_code", "tool")]
    assert "expected_verdict" in carried
    runs_out, findings_out = tmp_path / "runs.csv", tmp_path / "findings.csv"
    res = cli("batch", manifest, "-o", runs_out, "--findings", findings_out)
    assert res.code == 1, res  # pyinfra 2.8 and 3.6 exit 0 after failures: errors
    assert res.stderr == ""  # no progress bar when stderr is not a terminal
    runs = read_table(runs_out)
    assert runs.columns == ["source", *carried, *RUN_COLUMNS]
    assert runs["source"].to_list() == [str(SAMPLES / c["path"]) for c in cases]  # input order, paths from the manifest's folder
    assert runs["expected_verdict"].to_list() == [c["expected_verdict"] for c in cases]  # carried through
    assert runs["error"].null_count() == runs.height
    assert set(runs["verdict"].to_list()) <= VERDICTS
    # Other rule files are still being finished; pyinfra's are settled.
    pyinfra = runs.filter(pl.col("source").str.contains("/pyinfra/"))
    assert pyinfra.height == 10
    for row in pyinfra.iter_rows(named=True):
        assert row["verdict"] == row["expected_verdict"], row
        assert "pyinfra" in row["tools"].split()
        assert row["exit_origin"] == "file"
    assert sorted(set(pyinfra["verdict"])) == ["consistent", "false-success"]
    findings = read_table(findings_out)
    assert findings.columns == ["source", *carried, *FINDING_COLUMNS]
    lying = pyinfra.filter(pl.col("verdict") == "false-success")["source"].to_list()
    for source in lying:
        mine = findings.filter((pl.col("source") == source) & (pl.col("kind") == "false-success"))
        assert mine.height >= 1 and mine["tool"].to_list()[0] == "pyinfra"
        assert mine["expected_verdict"].to_list()[0] == "false-success"
        assert int(runs.filter(pl.col("source") == source)["n_false_success"][0]) == mine.height


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".parquet"])
def test_manifest_formats_carry_their_columns(cli, tmp_path, logs, suffix):
    manifest = tmp_path / f"manifest{suffix}"
    write_manifest(manifest, [
        {"path": "logs/deploy.log", "exit_code": "0", "job_id": "007", "branch": "main"},
        {"path": "logs/deploy.log", "exit_code": "1", "job_id": "008", "branch": "dev"},
        {"path": str(logs / "deploy.log"), "exit_code": "", "job_id": "009", "branch": "main"},  # absolute; unknown
        {"path": "logs/hello.log", "exit_code": "3", "job_id": "010", "branch": None},
    ])
    out = tmp_path / f"runs{suffix}"
    res = cli("batch", manifest, "-o", out, "--jobs", "1")
    assert res.code == 1, res
    runs = read_table(out)
    assert runs.columns == ["source", "job_id", "branch", *RUN_COLUMNS]
    assert runs["job_id"].to_list() == ["007", "008", "009", "010"]  # text stays text
    assert runs["branch"].to_list() == ["main", "dev", "main", None]
    assert runs["verdict"].to_list() == ["false-success", "consistent", "exit-status-unknown", "no-coverage"]
    assert runs["source"].to_list() == [str(tmp_path / "logs/deploy.log")] * 3 + [str(tmp_path / "logs/hello.log")]
    codes = [None if c in (None, "") else int(c) for c in runs["exit_code"].to_list()]
    assert codes == [0, 1, None, 3]
    assert runs["exit_origin"].to_list() == ["file", "file", "unknown", "file"]
    assert runs["checks"].to_list()[0] == PYINFRA_CHECK
    assert [int(n) for n in runs["n_false_success"].to_list()] == [1, 0, 0, 0]
    assert [int(n) for n in runs["n_no_coverage"].to_list()] == [0, 0, 0, 1]


def test_manifest_column_names_and_tools_are_configurable(cli, tmp_path):
    forced = tmp_path / "bare.log"
    forced.write_text("    [@h]   Changed: 1   No change: 0   Errors: 2   \n")  # no fingerprint: needs --tool
    manifest = tmp_path / "m.csv"
    manifest.write_text("log,rc,kinds\nbare.log,0,pyinfra\nbare.log,0,\n")
    out = tmp_path / "r.jsonl"
    res = cli("batch", manifest, "--path-column", "log", "--exit-column", "rc", "--tool-column", "kinds", "-o", out)
    assert res.code == 1, res
    runs = read_table(out)
    assert runs["verdict"].to_list() == ["false-success", "no-coverage"]
    assert runs["tools"].to_list() == ["pyinfra", ""]
    assert "kinds" not in runs.columns and "log" not in runs.columns
    # --tool applies to the rows that name no tool.
    res = cli("batch", manifest, "--path-column", "log", "--exit-column", "rc", "--tool-column", "kinds", "--tool", "pyinfra", "-o", out)
    assert read_table(out)["verdict"].to_list() == ["false-success", "false-success"]


def test_a_typed_parquet_manifest_keeps_its_types(cli, tmp_path, logs):
    import datetime as dt

    manifest = tmp_path / "m.parquet"
    pl.DataFrame({
        "path": ["logs/deploy.log", "logs/deploy.log", "logs/deploy.log"],
        "exit_code": pl.Series([0, None, 1], dtype=pl.Int64),
        "date": [dt.date(2024, 5, 2), dt.date(2024, 5, 1), dt.date(2024, 5, 3)],
        "job": pl.Series([7, 8, 9], dtype=pl.Int32),
        "verdict": ["a", "b", "c"],  # a result column's name: carried as manifest_verdict
        "labels": [["x"], [], ["y", "z"]],  # nested: carried as JSON text
    }).write_parquet(manifest)
    out, summary = tmp_path / "r.parquet", tmp_path / "s.parquet"
    res = cli("batch", manifest, "-o", out, "--summary", summary)
    assert res.code == 1, res
    runs = read_table(out)
    assert runs.columns == ["source", "date", "job", "manifest_verdict", "labels", *RUN_COLUMNS]
    assert runs.schema["date"] == pl.Date and runs["job"].to_list() == [7, 8, 9]
    assert runs["manifest_verdict"].to_list() == ["a", "b", "c"]
    assert runs["labels"].to_list() == ['["x"]', "[]", '["y", "z"]']
    assert runs["verdict"].to_list() == ["false-success", "exit-status-unknown", "consistent"]
    assert runs["exit_code"].to_list() == [0, None, 1]
    row = read_table(summary).filter((pl.col("tool") == "pyinfra") & pl.col("check").is_null()).row(0, named=True)
    # the one mismatch: the false-success (an unknown exit status is not a mismatch)
    assert (row["first_seen"], row["last_seen"]) == (dt.date(2024, 5, 2), dt.date(2024, 5, 2))


def test_a_directory_with_sidecars_and_a_gzip_log(cli, tmp_path):
    top = tmp_path / "archive"
    (top / "2024" / "05").mkdir(parents=True)
    (top / ".cache").mkdir()
    shutil.copy(PYINFRA_LOG, top / "a.log")
    (top / "a.log.exit").write_text("0\n")
    (top / "2024" / "05" / "b.log.gz").write_bytes(gzip.compress(PYINFRA_LOG.read_bytes()))
    (top / "2024" / "05" / "b.log.gz.exit").write_text("1\n")
    (top / "2024" / "c.txt").write_text("hello world\n")  # no sidecar: unknown
    shutil.copy(PYINFRA_LOG, top / ".hidden.log")
    shutil.copy(PYINFRA_LOG, top / ".cache" / "d.log")
    out = tmp_path / "runs.parquet"
    res = cli("batch", top, "-o", out)
    assert res.code == 1, res
    runs = by_source(read_table(out))
    assert sorted(runs) == sorted(str(top / p) for p in ("a.log", "2024/05/b.log.gz", "2024/c.txt"))
    a, b, c = runs[str(top / "a.log")], runs[str(top / "2024/05/b.log.gz")], runs[str(top / "2024/c.txt")]
    assert (a["verdict"], a["exit_code"], a["exit_origin"]) == ("false-success", 0, "file")
    assert (b["verdict"], b["exit_code"], b["tools"]) == ("consistent", 1, "pyinfra")
    assert (c["verdict"], c["exit_code"], c["exit_origin"]) == ("no-coverage", None, "unknown")


def test_a_ci_job_log_without_a_sidecar_gives_its_own_exit_status(cli, tmp_path):
    sample = SAMPLES / "gitlab-ci" / "tee-trap" / "output.log"  # ends with "Job succeeded"
    if not sample.exists():
        pytest.skip("GitLab CI sample not present")
    top = tmp_path / "ci"
    top.mkdir()
    shutil.copy(sample, top / "job.log")
    out = tmp_path / "runs.jsonl"
    cli("batch", top, "-o", out)
    row = read_table(out).row(0, named=True)
    assert (row["exit_origin"], row["exit_code"]) == ("log", 0)


def test_a_quoted_glob(cli, tmp_path):
    top = tmp_path / "g"
    (top / "deep" / "er").mkdir(parents=True)
    shutil.copy(PYINFRA_LOG, top / "one.log")
    (top / "one.log.exit").write_text("0\n")
    shutil.copy(PYINFRA_LOG, top / "deep" / "er" / "two.log")
    (top / "deep" / "er" / "two.log.exit").write_text("1\n")
    (top / "deep" / "skip.txt").write_text("not matched\n")
    out = tmp_path / "r.csv"
    res = cli("batch", f"{top}/**/*.log", "-o", out)
    assert res.code == 1, res
    runs = read_table(out)
    assert runs["source"].to_list() == [str(top / "deep/er/two.log"), str(top / "one.log")]
    assert runs["verdict"].to_list() == ["consistent", "false-success"]


def test_several_sources_in_one_batch(cli, tmp_path, logs):
    (logs / "deploy.log.exit").write_text("0\n")
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,exit_code,job\nlogs/deploy.log,1,42\n")
    out = tmp_path / "r.jsonl"
    res = cli("batch", manifest, logs, "-o", out)
    assert res.code == 1, res
    runs = read_table(out)
    assert runs["job"].to_list() == ["42", None, None]  # carried where the source has it
    assert runs["verdict"].to_list() == ["consistent", "false-success", "no-coverage"]


# --------------------------------------------------------------------------------------------
# Outputs


def _dated_manifest(tmp_path: Path, logs: Path) -> Path:
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "path,exit_code,date,pipeline\n"
        "logs/deploy.log,0,2024-03-02,p1\n"
        "logs/deploy.log,1,2024-03-05,p2\n"
        "logs/deploy.log,0,2024-01-09,p3\n"
        "logs/deploy.log,1,2024-04-01,p4\n"
        "logs/hello.log,0,2024-02-01,p5\n"
    )
    return manifest


def test_findings_table(cli, tmp_path, logs):
    out = tmp_path / "findings.jsonl"
    res = cli("batch", _dated_manifest(tmp_path, logs), "--findings", out)
    assert res.code == 1, res
    findings = read_table(out)
    assert findings.columns == ["source", "date", "pipeline", *FINDING_COLUMNS]
    lies = findings.filter(pl.col("kind") == "false-success")
    assert lies["pipeline"].to_list() == ["p1", "p3"]
    assert lies["check"].to_list() == [PYINFRA_CHECK] * 2
    assert lies["severity"].to_list() == ["error", "error"]
    assert lies["line"].to_list() == [29, 29]
    assert lies["baselined"].to_list() == [False, False]
    assert "Errors: 1" in lies["message"][0]
    assert findings.filter(pl.col("pipeline") == "p5")["kind"].to_list() == ["no-coverage"]


def test_summary_file_and_plain_summary(cli, tmp_path, logs):
    out = tmp_path / "summary.csv"
    res = cli("batch", _dated_manifest(tmp_path, logs), "--summary", out)
    assert res.code == 1, res
    summary = pl.read_csv(out)
    assert summary.columns == ["tool", "check", "runs", "mismatches", "new_mismatches", "false_success_runs", "false_success_rate", "first_seen", "last_seen", "top_checks"]
    tool = summary.filter((pl.col("tool") == "pyinfra") & pl.col("check").is_null()).row(0, named=True)
    assert (tool["runs"], tool["mismatches"], tool["false_success_runs"]) == (4, 2, 2)
    assert tool["false_success_rate"] == pytest.approx(0.5)
    assert (tool["first_seen"], tool["last_seen"]) == ("2024-01-09", "2024-03-02")
    assert tool["top_checks"] == f"{PYINFRA_CHECK} (2)"
    check = summary.filter(pl.col("check") == PYINFRA_CHECK).row(0, named=True)
    assert (check["tool"], check["runs"], check["mismatches"]) == ("pyinfra", 4, 2)
    none = summary.filter((pl.col("tool") == "(none)") & pl.col("check").is_null()).row(0, named=True)
    # A log no rule file recognised is counted as a run, not as a mismatch.
    assert (none["runs"], none["mismatches"], none["false_success_runs"]) == (1, 0, 0)
    # Standard output is not a terminal: a few plain lines, no table.
    lines = res.stdout.splitlines()
    assert lines[0] == "Audited 5 runs: 2 false-success, 1 no-coverage, 2 consistent; 2 finding(s) at or above error."
    assert lines[1].startswith("  pyinfra: 4 run(s), 2 mismatch(es), false-success in 50.0% of runs")
    assert len(lines) <= 7 and "┃" not in res.stdout and "━" not in res.stdout


def test_summary_table_on_a_terminal(tmp_path, logs, monkeypatch):
    from exitaudit import LogSource, Severity, load_rules
    from exitaudit.batch import Columns, Results, collect
    from exitaudit.engine import Engine

    todo = collect([str(_dated_manifest(tmp_path, logs))], Columns(), known_tools=["pyinfra"])
    engine = Engine(load_rules())
    results = Results(todo.carried, todo.date, Severity.ERROR)
    for job in todo.jobs:
        with LogSource(job.source) as src:
            results.add(job, engine.audit(src.blocks(), job.status, source=job.source), None)
    buf = io.StringIO()
    monkeypatch.setenv("COLUMNS", "160")
    results.print_table(results.summary_frame(), file=buf)
    text = buf.getvalue()
    assert "┃" in text or "│" in text  # a table
    pyinfra_row = next(line for line in text.splitlines() if " pyinfra " in line)
    assert "50.0%" in pyinfra_row and "2024-01-09" in pyinfra_row and "2024-03-02" in pyinfra_row, text
    assert PYINFRA_CHECK in text
    assert text.rstrip().endswith("2 finding(s) at or above error."), text


def test_junit_one_suite_per_tool_one_case_per_run(cli, tmp_path, logs):
    odd = logs / "odd\x01name.log"  # a control character XML 1.0 forbids, even escaped
    shutil.copy(PYINFRA_LOG, odd)
    manifest = tmp_path / "m.jsonl"
    write_manifest(manifest, [
        {"path": "logs/deploy.log", "exit_code": 0},
        {"path": "logs/deploy.log", "exit_code": 1},
        {"path": "logs/odd\x01name.log", "exit_code": 0},
        {"path": "logs/hello.log", "exit_code": 2},
        {"path": "logs/missing.log", "exit_code": 0},
    ])
    out, strict = tmp_path / "j.xml", tmp_path / "strict.xml"
    res = cli("batch", manifest, "--junit", out)
    assert res.code == 2, res  # the missing log
    doc = etree.parse(str(out))
    assert xsd("junit-superset").validate(doc), xsd("junit-superset").error_log
    suites = {s.get("name"): s for s in doc.getroot().findall("testsuite")}
    assert sorted(suites) == ["exitaudit: (none)", "exitaudit: pyinfra"]
    pyinfra = suites["exitaudit: pyinfra"]
    assert (pyinfra.get("tests"), pyinfra.get("failures"), pyinfra.get("errors")) == ("3", "2", "0")
    cases = pyinfra.findall("testcase")
    assert [c.find("failure") is not None for c in cases] == [True, False, True]
    assert cases[0].get("classname") == "exitaudit.pyinfra" and cases[0].get("line") == "29"
    assert cases[2].get("name") == str(logs / "odd\\x01name.log")
    assert PYINFRA_CHECK in cases[0].find("failure").text
    none = suites["exitaudit: (none)"]
    assert (none.get("tests"), none.get("failures"), none.get("errors")) == ("2", "0", "1")  # no-coverage is a warning
    assert "no such file" in none.findall("testcase")[1].find("error").get("message")
    # --fail-on warning: the no-coverage run fails too; strict JUnit for Jenkins.
    res = cli("batch", manifest, "--junit", strict, "--junit-strict", "--fail-on", "warning")
    doc = etree.parse(str(strict))
    assert xsd("jenkins-xunit-junit-10").validate(doc), xsd("jenkins-xunit-junit-10").error_log
    none = [s for s in doc.getroot().findall("testsuite") if s.get("name") == "exitaudit: (none)"][0]
    assert none.get("failures") == "1"


def test_all_formats_of_every_output(cli, tmp_path, logs):
    manifest = _dated_manifest(tmp_path, logs)
    frames = {}
    for suffix in (".csv", ".tsv", ".jsonl", ".parquet"):
        paths = [tmp_path / f"{name}{suffix}" for name in ("runs", "findings", "summary")]
        res = cli("batch", manifest, "-o", paths[0], "--findings", paths[1], "--summary", paths[2])
        assert res.code == 1, res
        frames[suffix] = [read_table(p) for p in paths]
    for suffix, (runs, findings, summary) in frames.items():
        assert runs.height == 5 and findings.height == 5 and summary.height >= 3, suffix
        assert runs["verdict"].to_list() == frames[".parquet"][0]["verdict"].to_list()
        assert summary.columns == frames[".parquet"][2].columns


def test_no_output_file_without_o(cli, tmp_path, logs):
    before = sorted(p.name for p in tmp_path.iterdir())
    res = cli("batch", logs, cwd=tmp_path)
    assert res.code == 0 and res.stdout.startswith("Audited 2 runs: 1 no-coverage, 1 exit-status-unknown."), res
    assert sorted(p.name for p in tmp_path.iterdir()) == before


# --------------------------------------------------------------------------------------------
# Baseline


def test_baseline_reports_only_new_mismatches(cli, tmp_path, logs):
    (logs / "deploy.log.exit").write_text("0\n")
    first_runs, first_findings = tmp_path / "runs1.parquet", tmp_path / "findings1.csv"
    res = cli("batch", logs, "-o", first_runs, "--findings", first_findings)
    assert res.code == 1, res

    # The archive grows by one lying run: only that one is new.
    shutil.copy(PYINFRA_LOG, logs / "deploy2.log")
    (logs / "deploy2.log.exit").write_text("0\n")
    junit, runs2, findings2 = tmp_path / "j.xml", tmp_path / "runs2.jsonl", tmp_path / "findings2.jsonl"
    for baseline in (first_runs, first_findings):
        res = cli("batch", logs, "--baseline", baseline, "-o", runs2, "--findings", findings2, "--junit", junit)
        assert res.code == 1, res
        # deploy.log's false-success is known (hello.log's no-coverage is known too, but is no
        # mismatch: nothing was audited); deploy2.log's is new.
        assert "1 finding(s) at or above error; 1 mismatch(es) already in the baseline" in res.stdout
        findings = by_source(read_table(findings2).filter(pl.col("kind") == "false-success"))
        assert findings[str(logs / "deploy.log")]["baselined"] is True
        assert findings[str(logs / "deploy2.log")]["baselined"] is False
        runs = by_source(read_table(runs2))
        assert runs[str(logs / "deploy.log")]["n_baselined"] == 1
        assert runs[str(logs / "deploy2.log")]["n_baselined"] == 0
        cases = {c.get("name"): c for c in etree.parse(str(junit)).iter("testcase")}
        assert cases[str(logs / "deploy.log")].find("failure") is None
        assert cases[str(logs / "deploy2.log")].find("failure") is not None

    # Everything is known now: the exit code follows.
    res = cli("batch", logs, "--baseline", findings2, "--findings", tmp_path / "findings3.jsonl")
    assert res.code == 0, res
    assert "2 mismatch(es) already in the baseline" in res.stdout  # the two false-successes
    # A results file is itself a baseline for the next run: baselined findings stay listed.
    assert read_table(tmp_path / "findings3.jsonl").filter(pl.col("kind") == "false-success").height == 2
    assert cli("batch", logs).code == 1  # without the baseline they count again


def test_a_baseline_that_is_not_a_results_file(cli, tmp_path, logs):
    bad = tmp_path / "base.csv"
    bad.write_text("a,b\n1,2\n")
    out = tmp_path / "r.csv"
    res = cli("batch", logs, "--baseline", bad, "-o", out)
    assert_one_line_error(res, str(bad), "source and check")
    assert not out.exists()


# --------------------------------------------------------------------------------------------
# Exit codes and errors


def test_fail_on_and_exit_zero(cli, tmp_path, logs):
    (logs / "deploy.log.exit").write_text("1\n")
    assert cli("batch", logs).code == 0  # consistent + no-coverage (a warning)
    assert cli("batch", logs, "--fail-on", "warning").code == 1
    (logs / "deploy.log.exit").write_text("0\n")
    assert cli("batch", logs).code == 1
    assert cli("batch", logs, "--exit-zero").code == 0


def test_an_unreadable_log_does_not_stop_the_batch(cli, tmp_path, logs):
    (logs / "binary.log").write_bytes(bytes(range(256)) * 40)
    (logs / "bad-rc.log").write_text("hello\n")
    (logs / "bad-rc.log.exit").write_text("zero\n")
    (logs / "deploy.log.exit").write_text("0\n")
    out, findings = tmp_path / "r.jsonl", tmp_path / "f.csv"
    for jobs in ("1", "2"):
        res = cli("batch", logs, "-o", out, "--findings", findings, "--jobs", jobs)
        assert res.code == 2, res  # an input error outranks the false-success
        errors = res.stderr.splitlines()
        assert len(errors) == 2, res.stderr
        assert errors[0].startswith(f"exitaudit: {logs / 'bad-rc.log.exit'}: expected an exit code")
        assert errors[1].startswith(f"exitaudit: {logs / 'binary.log'}: looks binary")
        runs = by_source(read_table(out))
        assert runs[str(logs / "deploy.log")]["verdict"] == "false-success"
        assert runs[str(logs / "hello.log")]["verdict"] == "no-coverage"
        assert runs[str(logs / "binary.log")]["verdict"] is None
        assert "looks binary" in runs[str(logs / "binary.log")]["error"]
        assert runs[str(logs / "deploy.log")]["error"] is None
        assert "Audited 2 runs" in res.stdout and "2 unreadable" in res.stdout
        assert read_table(findings).filter(pl.col("kind") == "false-success").height == 1


@pytest.mark.parametrize(
    ("name", "content", "needles"),
    [
        ("missing.csv", None, ["no such file"]),
        ("nopath.csv", "file,exit_code\na.log,0\n", ["no column 'path'", "--path-column"]),
        ("noexit.tsv", "path\ta\nlogs/deploy.log\tx\n", ["no column 'exit_code'", "--exit-column"]),
        ("ragged.csv", "path,exit_code\nlogs/deploy.log,0,extra\n", ["cannot read as CSV"]),
        ("empty.csv", "", ["empty CSV file"]),
        ("badcode.csv", "path,exit_code\nlogs/deploy.log,0\nlogs/deploy.log,abc\n", ["row 2", "exit_code", "expected an exit code"]),
        ("range.jsonl", '{"path": "logs/deploy.log", "exit_code": 300}\n', ["row 1", "out of range"]),
        ("badjson.jsonl", '{"path": "logs/deploy.log", "exit_code": 0}\n{"path": \n', ["line 2", "not JSON"]),
        ("nopathcell.csv", "path,exit_code\n,0\n", ["row 1", "path: empty"]),
        ("badtool.csv", "path,exit_code,tool\nlogs/deploy.log,0,nosuch\n", ["row 1", "unknown tool nosuch"]),
        ("corrupt.parquet", "not parquet at all", ["cannot read as PARQUET"]),
    ],
)
def test_a_bad_manifest_is_one_line_exit_2_and_no_outputs(cli, tmp_path, logs, name, content, needles):
    manifest = tmp_path / name
    if content is not None:
        manifest.write_text(content)
    outs = [tmp_path / "r.csv", tmp_path / "f.jsonl", tmp_path / "s.parquet", tmp_path / "j.xml"]
    res = cli("batch", logs, manifest, "-o", outs[0], "--findings", outs[1], "--summary", outs[2], "--junit", outs[3])
    assert_one_line_error(res, str(manifest), *needles)
    assert res.stdout == ""
    assert not any(p.exists() for p in outs)
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["-o", "runs.xlsx"], ["--output", "runs.xlsx", ".parquet"]),
        (["--summary", "s.txt"], ["--summary", "unknown table format"]),
        (["--tool", "nosuch"], ["--tool", "unknown tool nosuch"]),
        (["--param", "pyinfra.x=1"], ["--param: pyinfra has no parameter 'x'"]),
        (["--jobs", "0"], ["--jobs"]),
        (["--date-column", "when"], ["--date-column", "'when'"]),
    ],
)
def test_bad_options_are_one_line_exit_2(cli, tmp_path, logs, args, needles):
    res = cli("batch", logs, *args, cwd=tmp_path)
    assert_one_line_error(res, *needles)


def test_a_glob_that_matches_nothing(cli, tmp_path):
    assert_one_line_error(cli("batch", f"{tmp_path}/*.log"), "no log file matches")
    assert_one_line_error(cli("batch", tmp_path / "nosuch.log"), "no such file")


def test_outputs_are_all_or_nothing(cli, tmp_path, logs):
    findings = tmp_path / "f.csv"
    res = cli("batch", logs, "--findings", findings, "-o", tmp_path / "no" / "dir" / "r.csv")
    assert_one_line_error(res, "no such directory")
    assert not findings.exists() and not list(tmp_path.glob(".*.tmp"))


# --------------------------------------------------------------------------------------------
# Parallelism and start-up


def test_jobs_1_and_2_give_identical_results(cli, tmp_path):
    manifest = SAMPLES / "manifest.csv"
    outputs = {}
    for jobs in ("1", "2"):
        runs, findings = tmp_path / f"runs{jobs}.jsonl", tmp_path / f"findings{jobs}.jsonl"
        res = cli("batch", manifest, "-o", runs, "--findings", findings, "--jobs", jobs)
        assert res.code in (0, 1), res
        outputs[jobs] = (runs.read_bytes(), findings.read_bytes(), res.stdout)
        assert runs.read_bytes().count(b"\n") > 50
    assert outputs["1"] == outputs["2"]


def test_in_process_pool_returns_results_in_input_order(tmp_path):
    from exitaudit import ExitStatus, Origin, load_rules
    from exitaudit.batch import audit_all, close_pool, make_pool, set_engine
    from exitaudit.engine import Engine

    set_engine(Engine(load_rules()))
    tasks = pool_tasks(tmp_path)
    pool = make_pool(2)
    try:
        parallel = list(audit_all(tasks, pool))
    finally:
        close_pool(pool)
    serial = list(audit_all(tasks, None))
    assert [r.source for r, _ in parallel] == [t[0] for t in tasks]
    assert parallel == serial


def pool_tasks(folder):
    from exitaudit import ExitStatus, Origin

    tasks = []
    for i in range(40):
        log = folder / f"{i}.log"
        log.write_bytes(PYINFRA_LOG.read_bytes() if i % 3 else b"hello\n")
        tasks.append((str(log), ExitStatus.from_code(i % 2, Origin.FILE), None, None))
    return tasks


def _killed_on_the_seventh(task):
    """audit_one, in a worker that the system kills outright at the seventh log."""
    import os
    import signal

    if task[0].endswith("/7.log"):
        os.kill(os.getpid(), signal.SIGKILL)
    return _REAL_AUDIT_ONE(task)


_REAL_AUDIT_ONE = None


def test_a_worker_killed_outright_ends_the_batch_with_one_error_not_a_hang(tmp_path, monkeypatch):
    global _REAL_AUDIT_ONE
    from exitaudit import batch, load_rules
    from exitaudit.engine import Engine
    from exitaudit.errors import InputError

    batch.set_engine(Engine(load_rules()))
    _REAL_AUDIT_ONE = batch.audit_one
    monkeypatch.setattr(batch, "audit_one", _killed_on_the_seventh)  # the forked workers see it too
    tasks = pool_tasks(tmp_path)
    pool = batch.make_pool(2)
    try:
        with pytest.raises(InputError, match=r"a worker process died .* not audited"):
            list(batch.audit_all(tasks, pool))
    finally:
        batch.close_pool(pool)


def test_check_imports_none_of_the_heavy_or_optional_modules():
    """Start-up is most of check's time on a small log: polars (batch), Dask and fsspec
    (--dask, URLs), multiprocessing (large logs), jsonschema (outside rule files) and hashlib
    (OpenSSL) are imported only where they are used."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "exitaudit", "check", str(PYINFRA_LOG), "-e", "1"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "exitaudit.engine" in imported  # the measurement works
    heavy = {"polars", "exitaudit.batch", "dask", "distributed", "fsspec", "exitaudit.distributed", "multiprocessing", "jsonschema", "hashlib"}
    assert not heavy & imported


def test_the_early_polars_import_never_prints_a_traceback(monkeypatch):
    """batch imports polars in a thread while the workers audit; an exception escaping a thread
    goes to threading.excepthook, which prints its traceback, so a failing import there must be
    silent (the import when the tables are made fails again, in the main thread, and is reported
    there)."""
    import threading

    from exitaudit import batch

    escaped = []
    monkeypatch.setattr(threading, "excepthook", escaped.append)
    monkeypatch.setitem(sys.modules, "polars", None)  # `import polars` now raises ImportError
    thread = threading.Thread(target=batch._import_polars)
    thread.start()
    thread.join()
    assert escaped == []
