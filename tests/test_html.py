"""The HTML pages of check, run and batch: parsed with a real HTML5 parser (strict: a parse error
fails the test), no external resource, hostile text kept as text, and, where Chromium is
installed, loaded offline in a real browser: no console message, the script's table rendered,
the charts drawn."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import html5lib
import pytest

from conftest import PYINFRA_LOG, SAMPLES, run_cli

HOSTILE = ('<script>alert(1)</script>', '"><img src=x onerror=alert(2)>', "</script><svg onload=alert(3)>")
# Attributes through which a page makes a request or runs code.
_RESOURCE_ATTRS = {"src", "srcset", "poster", "data", "action", "formaction", "background", "manifest", "ping", "xlink:href"}

RULE = """format = 1
tool = "boom"
description = "A test tool whose failure line is echoed into the message."
[detect]
patterns = ['^BOOM ']
[signals.boom]
pattern = '^BOOM (?P<v>.*)$'
value = "first"
[[checks]]
id = "boom-exit-zero"
title = "Boom, exit 0"
kind = "false-success"
when = 'boom != "" && exit.code == 0'
message = "boom said {boom}"
evidence = ["boom"]
"""


def parse(text: str):  # type: ignore[no-untyped-def]
    """Strict HTML5 parsing: any parse error (bad nesting, stray end tag) raises."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


def assert_self_contained(doc) -> None:  # type: ignore[no-untyped-def]
    for el in doc.iter():
        tag = el.tag.split("}")[-1] if isinstance(el.tag, str) else ""
        assert tag not in ("link", "iframe", "object", "embed", "img", "image", "base", "form", "use"), tag
        for name, value in el.attrib.items():
            name = name.split("}")[-1] if name.startswith("{") else name
            assert name not in _RESOURCE_ATTRS, (tag, name, value)
            assert not name.lower().startswith("on"), (tag, name)  # no inline event handler
            if name == "href":
                assert tag == "a", (tag, value)  # a link a person follows, never a fetched resource
            if name == "style":
                assert "url(" not in value, value
        if tag == "script":
            assert "src" not in el.attrib
        if tag == "style":
            assert "url(" not in (el.text or "") and "@import" not in (el.text or "")
    csp = [el.get("content") for el in doc.iter("meta") if el.get("http-equiv") == "Content-Security-Policy"]
    assert len(csp) == 1 and "default-src 'none'" in csp[0] and "http" not in csp[0], csp


def _scripts(doc) -> list:  # type: ignore[no-untyped-def]
    return [el for el in doc.iter("script")]


def _svgs(el) -> list:  # type: ignore[no-untyped-def]
    """<svg> elements: html5lib puts them in the SVG namespace."""
    return [e for e in el.iter() if isinstance(e.tag, str) and e.tag.split("}")[-1] == "svg"]


@pytest.fixture
def hostile_log(tmp_path: Path) -> tuple[Path, Path]:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "boom.toml").write_text(RULE, encoding="utf-8")
    log = tmp_path / "hostile.log"
    log.write_text("starting\n" + "".join(f"BOOM {h}\n" for h in HOSTILE) + "<b>bold?</b>\n", encoding="utf-8")
    return log, rules


def test_check_page_is_valid_self_contained_and_shows_the_finding_in_context(tmp_path: Path):
    page = tmp_path / "audit.html"
    res = run_cli("check", PYINFRA_LOG, "-e", "0", "--html", page)
    assert res.code == 1, res.stderr
    doc = parse(page.read_text(encoding="utf-8"))
    assert_self_contained(doc)
    assert _scripts(doc) == []  # the check page needs no script at all
    text = "".join(doc.itertext())
    assert "false-success" in text and "pyinfra/errors-exit-zero" in text and "exit 0" in text and "--exit-code" in text
    # The finding's evidence in context: the marked line 29 and the lines around it.
    hits = [tr for tr in doc.iter("tr") if tr.get("class") == "hit"]
    assert {"".join(tr.itertext()).strip().split()[0] for tr in hits} >= {"23", "29"}
    numbers = [int(td.text) for td in doc.iter("td") if td.get("class") == "ln" and (td.text or "").isdigit()]
    assert 26 in numbers and 20 in numbers  # context lines, not only the evidence
    # A link to the log, relative to the page's folder.
    links = [a.get("href") for a in doc.iter("a")]
    assert os.path.relpath(PYINFRA_LOG, tmp_path) in links


def test_check_page_keeps_hostile_log_text_as_text(hostile_log, tmp_path: Path):
    log, rules = hostile_log
    page = tmp_path / "audit.html"
    res = run_cli("check", log, "-e", "0", "--rules", rules, "--tool", "boom", "--html", page)
    assert res.code == 1, res.stderr
    raw = page.read_text(encoding="utf-8")
    doc = parse(raw)
    assert_self_contained(doc)
    assert _scripts(doc) == [] and not _svgs(doc) and not list(doc.iter("b"))
    text = "".join(doc.itertext())
    for h in HOSTILE:
        assert h in text  # shown, as text
    assert "boom said <script>alert(1)</script>" in text  # the rule's message, with the log's value in it
    assert "<script>alert" not in raw


def test_run_page_has_context_from_the_spool(tmp_path: Path):
    page = tmp_path / "run.html"
    script = "print('BOOM failed here'); print('after')"
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "boom.toml").write_text(RULE, encoding="utf-8")
    res = run_cli("run", "--rules", rules, "--html", page, "--", "python3", "-c", script)
    assert res.code == 1, res.stderr
    doc = parse(page.read_text(encoding="utf-8"))
    assert_self_contained(doc)
    rows = ["".join(tr.itertext()) for tr in doc.iter("tr")]
    assert any("after" in r for r in rows)  # a context line read back from the spool


def _dated_manifest(tmp_path: Path) -> Path:
    """The sample corpus as a manifest with a date per run, spread over ten weeks."""
    with open(SAMPLES / "manifest.csv", newline="", encoding="utf-8") as fh:
        cases = list(csv.DictReader(fh))
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["path", "exit_code", "date", "job"])
    for i, c in enumerate(cases):
        w.writerow([str(SAMPLES / c["path"]), c["exit_code"], f"2024-{1 + (i * 7 // 31) // 28 % 3:02d}-{1 + (i * 7) % 28:02d}", f"job-{i}"])
    path = tmp_path / "jobs.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_batch_page_headline_charts_tables_and_data(tmp_path: Path):
    page = tmp_path / "batch.html"
    res = run_cli("batch", _dated_manifest(tmp_path), "--html", page)
    assert res.code == 1, res.stderr  # the sample corpus holds false successes
    raw = page.read_text(encoding="utf-8")
    doc = parse(raw)
    assert_self_contained(doc)
    text = "".join(doc.itertext())
    assert "false-success rate" in text and "period covered" in text and "2024-01-01" in text
    charts = [el for el in doc.iter("div") if el.get("class") == "chart"]
    assert len(charts) == 2 and all(_svgs(c) for c in charts)  # over time, and top checks
    scripts = _scripts(doc)
    assert [s.get("type") for s in scripts] == ["application/json", None]
    import json

    data = json.loads(scripts[0].text)
    with open(SAMPLES / "manifest.csv", newline="", encoding="utf-8") as fh:
        assert len(data["runs"]) == len(list(csv.DictReader(fh)))
    # Without JavaScript the worst runs are already in the table, worst first.
    first = next(tr for tr in doc.iter("tr") if tr.find("td") is not None and "false-success" in "".join(tr.itertext()))
    assert first is not None


def test_batch_page_keeps_hostile_text_as_text(hostile_log, tmp_path: Path):
    log, rules = hostile_log
    weird = tmp_path / '"><svg onload=alert(4)>.log'
    shutil.copy(log, weird)
    manifest = tmp_path / "m.csv"
    manifest.write_text(f'path,exit_code,branch\n{log},0,"<script>alert(5)</script>"\n"{weird.as_posix().replace(chr(34), chr(34) * 2)}",0,x\n', encoding="utf-8")
    page = tmp_path / "b.html"
    res = run_cli("batch", manifest, "--rules", rules, "--tool", "boom", "--html", page)
    assert res.code == 1, res.stderr
    raw = page.read_text(encoding="utf-8")
    doc = parse(raw)
    assert_self_contained(doc)
    scripts = _scripts(doc)
    assert len(scripts) == 2  # the data and the page's own script, nothing else
    assert "</script><svg" not in scripts[0].text and "\\u003c/script\\u003e" in scripts[0].text
    svgs = _svgs(doc)
    assert all(not any(k.startswith("on") for k in el.attrib) for el in svgs)
    assert "<img" not in raw and "<script>alert" not in raw


def test_batch_page_of_10000_runs_stays_small(tmp_path: Path):
    """The size budget: 10,000 runs, a tenth of them with a finding, under 5 MB."""
    from exitaudit.batch import Job, Results
    from exitaudit.model import Evidence, ExitStatus, Finding, Kind, Origin, RunResult, Severity
    from exitaudit.reporters.html_batch import render

    results = Results(["date"], "date", Severity.ERROR, keep_evidence=True)
    for i in range(10_000):
        bad = i % 10 == 0
        finding = Finding(
            check="pytest/failures-exit-zero", tool="pytest", kind=Kind.FALSE_SUCCESS, severity=Severity.ERROR,
            title="t", message=f"pytest reported {i} failed test(s) but exited 0",
            evidence=(Evidence(41, f"=== {i} failed, 3 passed in 0.12s ==="),), line=41,
        )
        run = RunResult(f"ci/2024/job-{i:05d}.log", ExitStatus.from_code(0, Origin.FILE), ("pytest",), Kind.FALSE_SUCCESS if bad else Kind.CONSISTENT, (finding,) if bad else ())
        job = Job(source=run.source, status=run.exit_status, tools=None, carried={"date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"})
        results.add(job, run, None)
    page = render(results, results.summary_frame())
    assert len(page.encode("utf-8")) < 5_000_000, len(page)
    parse(page)


def test_batch_html_without_charts_is_one_line(tmp_path: Path, monkeypatch):
    from exitaudit.reporters import html_charts

    monkeypatch.setattr(html_charts, "_modules", lambda: (_ for _ in ()).throw(html_charts.ChartsUnavailable("the batch page's charts need altair", where="--html")))
    with pytest.raises(html_charts.ChartsUnavailable):
        html_charts.require()


# ---------------------------------------------------------------------------------------------
# In a real browser, offline.

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
browser = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs Debian's chromium)")


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    profile = tempfile.mkdtemp(prefix="exitaudit-chromium-")
    try:
        return subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
             # Offline: any name resolves nowhere, so a request could only fail (and would be logged).
             "--host-resolver-rules=MAP * ~NOTFOUND", *args],
            capture_output=True, text=True, timeout=120,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "CONSOLE" in line or "Refused to" in line]


@browser
def test_browser_console_catches_a_policy_violation(tmp_path: Path):
    """The check below can fail: a page whose script the policy forbids does log it."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\"><script>document.title='x'</script>", encoding="utf-8")
    assert _console(_chromium("--dump-dom", bad.as_uri()).stderr)


@browser
def test_batch_page_in_chromium_renders_table_and_charts(tmp_path: Path):
    from PIL import Image

    page = tmp_path / "batch.html"
    run_cli("batch", _dated_manifest(tmp_path), "--html", page)
    dom = _chromium("--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert _console(dom.stderr) == []
    with open(SAMPLES / "manifest.csv", newline="", encoding="utf-8") as fh:
        n = len(list(csv.DictReader(fh)))
    assert f"{n} of {n} runs" in dom.stdout  # the script ran and filled the table
    shot = tmp_path / "shot.png"
    res = _chromium("--window-size=1280,1400", f"--screenshot={shot}", page.as_uri())
    assert res.returncode == 0 and shot.exists(), res.stderr[-2000:]
    assert _console(res.stderr) == []
    img = Image.open(shot).convert("RGB")
    # The over-time chart sits under the headline: its lines and points are drawn in the
    # palette's colours, so that band of the screenshot is not blank.
    band = img.crop((0, 150, 1280, 700))
    coloured = sum(n for n, (r, g, b) in band.getcolors(maxcolors=1 << 24) if max(r, g, b) - min(r, g, b) > 60)
    assert coloured > 500, coloured


@browser
def test_check_page_in_chromium_has_no_console_message(tmp_path: Path, hostile_log):
    log, rules = hostile_log
    page = tmp_path / "audit.html"
    run_cli("check", log, "-e", "0", "--rules", rules, "--tool", "boom", "--html", page)
    dom = _chromium("--dump-dom", page.as_uri())
    assert dom.returncode == 0 and _console(dom.stderr) == [], dom.stderr[-2000:]
    assert "<script>alert(1)</script>" not in dom.stdout  # still escaped after the browser parsed it


def test_check_page_lists_an_unreadable_log_as_an_error(tmp_path: Path):
    page = tmp_path / "audit.html"
    res = run_cli("check", PYINFRA_LOG, tmp_path / "missing.log", "-e", "0", "--html", page)
    assert res.code == 2, res.stderr
    doc = parse(page.read_text(encoding="utf-8"))
    text = "".join(doc.itertext())
    assert "missing.log" in text and "unreadable" in text and "pyinfra/errors-exit-zero" in text


def test_check_page_of_a_ci_job_log_shows_its_steps(tmp_path: Path):
    page = tmp_path / "job.html"
    res = run_cli("check", SAMPLES / "github-actions" / "tee-trap" / "output.log", "--html", page)
    assert res.code == 1, res.stderr
    doc = parse(page.read_text(encoding="utf-8"))
    assert_self_contained(doc)
    text = "".join(doc.itertext())
    assert "Steps (4)" in text and "in step Run make test | tee make.log" in text
    # Context lines are the log's own, with the runner's timestamps.
    hits = ["".join(tr.itertext()) for tr in doc.iter("tr") if tr.get("class") == "hit"]
    assert any("Z make: *** [Makefile:4: test] Error 1" in h for h in hits), hits


def test_mine_page_is_self_contained_and_keeps_hostile_lines_as_text(tmp_path: Path):
    """`mine --html`: the failure templates and candidates of an archive whose failure line
    carries markup."""
    import csv as _csv

    rows = []
    for i in range(40):
        fail = i % 4 == 0
        code = 0 if i in (0, 20) else (1 if fail else 0)  # runs 0 and 20 lie
        lines = ["deployer 2.1 starting", "deployer: step upload"]
        if fail:
            lines.append(f'deployer: FATAL <script>alert({i})</script> "><img src=x onerror=alert(1)> failed')
        (tmp_path / f"{i}.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
        rows.append({"path": f"{i}.log", "exit_code": str(code)})
    with open(tmp_path / "m.csv", "w", newline="", encoding="utf-8") as fh:
        w = _csv.DictWriter(fh, fieldnames=["path", "exit_code"])
        w.writeheader()
        w.writerows(rows)
    page = tmp_path / "mine.html"
    res = run_cli("mine", tmp_path / "m.csv", "--html", page, "--jobs", "1")
    assert res.code == 0, res.stderr
    raw = page.read_text(encoding="utf-8")
    doc = parse(raw)
    assert_self_contained(doc)
    assert _scripts(doc) == [] and "<img" not in raw and "<script>alert" not in raw
    text = "".join(doc.itertext())
    assert "deployer: FATAL <script>alert(" in text and "candidate lies no rule flags" in text
