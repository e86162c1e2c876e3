"""Property-based fuzzing of the input side (readers, cleaning), the engine with the built-in
pack and every reporter: hostile bytes never crash exitaudit, and every report stays valid for
its consumer (JSON Schema, the JUnit XSDs through lxml, JSON for SARIF and GitLab).

Logs are built from pieces of the real sample logs (so that rules detect tools and checks fire)
mixed with random bytes, control characters, invalid UTF-8, NULs, long lines, ANSI sequences and
bare CRs. Each property is bounded (max_examples=150) so the file runs in well under a minute.
"""

from __future__ import annotations

import gzip
import io
import json
from functools import cache
from importlib import resources

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import SAMPLES, SCHEMAS
from exitaudit import load_rules
from exitaudit.engine import EVIDENCE_TEXT_MAX, Engine
from exitaudit.errors import InputError
from exitaudit.model import ExitStatus, Origin, Report, Severity
from exitaudit.reader import LogSource, blocks_of, clean
from exitaudit.reporters import FORMATS, renderer

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

REPORT_SCHEMA = json.loads(resources.files("exitaudit").joinpath("schemas/report.schema.json").read_text())
REPORT_VALIDATOR = jsonschema.Draft202012Validator(REPORT_SCHEMA)
XSD = {name: etree.XMLSchema(etree.parse(str(SCHEMAS / f"{name}.xsd"))) for name in ("junit-superset", "jenkins-xunit-junit-10")}
STRICT_PARSER = etree.XMLParser(recover=False, resolve_entities=False, no_network=True, huge_tree=False)


@cache
def _sample_lines() -> tuple[bytes, ...]:
    lines: list[bytes] = []
    for path in sorted(SAMPLES.rglob("output.log")):
        lines += path.read_bytes().splitlines()[:400]
    return tuple(line for line in lines if line.strip())


@cache
def _sample_logs() -> tuple[bytes, ...]:
    return tuple(p.read_bytes() for p in sorted(SAMPLES.rglob("output.log")))


@cache
def _engine() -> Engine:
    # A short regex limit: a pathological input must end in audit-incomplete, not a slow test.
    return Engine(load_rules(), regex_timeout=0.5)


# ---------------------------------------------------------------------------------------------
# Strategies

ANSI = st.one_of(
    st.builds(lambda params, final: b"\x1b[" + params + final,
              st.binary(max_size=6).map(lambda b: bytes(0x30 + x % 16 for x in b)),
              st.sampled_from([b"m", b"K", b"J", b"H", b"A", b"~", b""])),
    st.builds(lambda body, end: b"\x1b]" + body + end,
              st.binary(max_size=12).map(lambda b: b.replace(b"\n", b"")),
              st.sampled_from([b"\x07", b"\x1b\\", b""])),
    st.sampled_from([b"\x1b(B", b"\x1b)0", b"\x1bM", b"\x1b7", b"\x1b", b"\x1b[", b"\x1b]", b"\r\x1b[0K", b"\x1b[31;1m"]),
)
CONTROL = st.sampled_from([b"\x00", b"\x07", b"\x08", b"\x0b", b"\x0c", b"\r", b"\r\n", b"\x7f", b"\x01", b"\x1f"])
INVALID_UTF8 = st.sampled_from([b"\xff", b"\xfe", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\x80", b"\xef\xbf\xbe", b"\xef\xbb\xbf"])
SAMPLE_LINE = st.integers(min_value=0).map(lambda i: _sample_lines()[i % len(_sample_lines())])
TEXTY = st.text(max_size=40).map(lambda s: s.encode("utf-8", "surrogatepass"))
LONG_LINE = st.builds(lambda ch, n: ch * n, st.sampled_from([b"a", b"=", b"\xc3\xa9", b"E", b" "]), st.integers(1000, 20000))

PIECE = st.one_of(SAMPLE_LINE, SAMPLE_LINE, SAMPLE_LINE, TEXTY, ANSI, CONTROL, INVALID_UTF8, st.binary(max_size=30), st.just(b"\n"), st.just(b"\r"))


@st.composite
def logs(draw) -> bytes:
    """A log: sample lines, each possibly mangled by pieces of hostile bytes, joined by newlines."""
    lines = []
    for _ in range(draw(st.integers(0, 30))):
        parts = draw(st.lists(PIECE, min_size=1, max_size=5))
        if draw(st.integers(0, 40)) == 0:
            parts.append(draw(LONG_LINE))
        lines.append(b"".join(parts))
    sep = draw(st.sampled_from([b"\n", b"\n", b"\r\n", b"\r"]))
    data = sep.join(lines)
    if draw(st.booleans()):
        data += b"\n"
    return data


@st.composite
def mangled_samples(draw) -> bytes:
    """A real sample log (so that a tool is detected and checks fire) with hostile bytes
    inserted into some of its lines."""
    lines = draw(st.sampled_from(_sample_logs())).split(b"\n")
    start = draw(st.integers(0, max(0, len(lines) - 1)))
    if draw(st.booleans()):
        lines = lines[start:start + draw(st.integers(1, 300))]
    lines = list(lines)
    for _ in range(draw(st.integers(0, 12))):
        i = draw(st.integers(0, len(lines) - 1))
        piece = draw(st.one_of(ANSI, CONTROL, INVALID_UTF8, st.binary(max_size=8), LONG_LINE))
        at = draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:at] + piece + lines[i][at:]
    return b"\n".join(lines)


HOSTILE_LOGS = st.one_of(logs(), mangled_samples())

EXIT = st.one_of(st.none(), st.sampled_from([0, 1, 2, 3, 130, 137, 255]))


# ---------------------------------------------------------------------------------------------
# Helpers


def read_all(data: bytes, *, compress: bool = False) -> tuple[list, LogSource]:
    raw = gzip.compress(data, compresslevel=1) if compress else data
    src = LogSource("-", stdin=_Pipe(raw))
    with src:
        blocks = list(src.blocks())
    return blocks, src


class _Pipe(io.BytesIO):
    """Standard input that is not a terminal."""

    def isatty(self) -> bool:
        return False


def audit(data: bytes, code: int | None):
    status = ExitStatus.unknown() if code is None else ExitStatus.from_code(code, Origin.FLAG, "--exit-code")
    try:
        blocks, src = read_all(data)
    except InputError:
        return None
    return _engine().audit(blocks, status, source="fuzz/\x01<log>&.txt")


def check_reports(report: Report) -> None:
    for name in FORMATS:
        out = renderer(name)(report)
        assert isinstance(out, str)
        out.encode("utf-8")  # no lone surrogates: every report is written as UTF-8
        if name == "json":
            REPORT_VALIDATOR.validate(json.loads(out))
        elif name in ("sarif", "gitlab"):
            json.loads(out)
        elif name == "junit":
            for strict, xsd in ((False, "junit-superset"), (True, "jenkins-xunit-junit-10")):
                xml = renderer("junit", junit_strict=strict)(report)
                doc = etree.fromstring(xml.encode("utf-8"), STRICT_PARSER)
                assert XSD[xsd].validate(doc), XSD[xsd].error_log
        elif name == "text":
            assert "\x1b" not in out and "\x00" not in out


# ---------------------------------------------------------------------------------------------
# Properties


@SETTINGS
@given(st.one_of(st.binary(max_size=4000), HOSTILE_LOGS), st.booleans())
def test_readers_never_crash_and_keep_every_byte(data, compress):
    try:
        blocks, src = read_all(data, compress=compress)
    except InputError as exc:
        assert str(exc)
        return
    joined = b"".join(b.data for b in blocks)
    expected = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    assert joined == expected
    line = 1
    for b in blocks:
        assert b.first_line == line
        line += b.data.count(b"\n")
    assert src.lines == expected.count(b"\n") + (0 if not expected or expected.endswith(b"\n") else 1)  # empty: no line
    if compress:
        assert src.compression == "gzip"


@SETTINGS
@given(st.data())
def test_truncated_or_corrupt_gzip_is_an_input_error(data):
    log = data.draw(logs().filter(lambda d: len(d) > 20))
    packed = gzip.compress(log)
    cut = data.draw(st.integers(2, len(packed) - 1))
    mangled = packed[:cut]
    if data.draw(st.booleans()):
        flip = data.draw(st.integers(10, max(10, len(packed) - 1)))
        mangled = bytearray(packed)
        if flip < len(mangled):
            mangled[flip] ^= 0xFF
        mangled = bytes(mangled)
    try:
        read_all(mangled)
    except InputError as exc:
        assert "\n" not in str(exc)


@SETTINGS
@given(st.one_of(st.binary(max_size=2000), logs()))
def test_clean_never_changes_line_count(data):
    out = clean(data)
    assert out.count(b"\n") == data.replace(b"\r\n", b"\n").count(b"\n")
    assert len(out) <= len(data)
    assert clean(b"x\x1b[31;1my\x1b]0;title\x07z") == b"xyz"


@SETTINGS
@given(HOSTILE_LOGS, EXIT)
def test_engine_and_every_reporter_on_hostile_logs(data, code):
    result = audit(data, code)
    if result is None:
        return
    check_reports(Report((result,), fail_on=Severity.WARNING))


@SETTINGS
@given(st.binary(max_size=3000), EXIT)
def test_engine_and_every_reporter_on_random_bytes(data, code):
    result = audit(data, code)
    if result is None:
        return
    check_reports(Report((result, result), fail_on=Severity.ERROR))


def _segments(data: bytes) -> list[list[str]]:
    """Per line number (index + 1): the cleaned, decoded line and its bare-CR segments."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    out = []
    for raw in clean(data).split(b"\n"):
        text = raw.decode("utf-8", errors="replace")
        out.append([text, *text.split("\r")])
    return out


@SETTINGS
@given(HOSTILE_LOGS, EXIT)
def test_evidence_line_numbers_point_at_their_text(data, code):
    result = audit(data, code)
    if result is None:
        return
    lines = _segments(data)
    evidence = [ev for f in result.findings for ev in f.evidence]
    if result.exit_status.line:
        from exitaudit.model import Evidence

        evidence.append(Evidence(result.exit_status.line, result.exit_status.line_text or ""))
    for ev in evidence:
        assert 1 <= ev.line <= len(lines), (ev, len(lines))
        text = ev.text
        if len(text) == EVIDENCE_TEXT_MAX + 1 and text.endswith("…"):
            text = text[:-1]
        assert any(text in seg for seg in lines[ev.line - 1]), (ev, lines[ev.line - 1])
    for f in result.findings:
        if f.line is not None:
            assert 1 <= f.line <= len(lines)


@pytest.mark.parametrize("path", sorted(SAMPLES.rglob("output.log"))[:40], ids=lambda p: p.parent.name)
def test_evidence_line_numbers_on_the_sample_logs(path):
    data = path.read_bytes()
    result = audit(data, 0)
    assert result is not None
    lines = _segments(data)
    for f in result.findings:
        for ev in f.evidence:
            text = ev.text[:-1] if len(ev.text) == EVIDENCE_TEXT_MAX + 1 else ev.text
            assert any(text in seg for seg in lines[ev.line - 1]), (path, ev)


# ---------------------------------------------------------------------------------------------
# Rule files as input: conditions, patterns, message templates (issue 15)

CEL_ATOMS = st.sampled_from([
    "ids", "mine", "exit.code", "exit.meaning", "tool", "params.pat", "0", "1", "-3", "2.5", "7u", "0x1F", "1e3",
    "'x'", '"t_1"', "r'\\d+'", "'''a'''", "b'x'", "true", "false", "null", "[]", "[1, 2, 3]", "['a', 'b',]",
    "{'a': 1}", "{}", "exit['code']", "size(ids)", "ids.size()", "has(exit.code)",
])


def _cel(inner):
    binary = st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "in"]), inner)
    return st.one_of(
        binary.map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda e: f"!{e}"),
        inner.map(lambda e: f"-({e})"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
        st.tuples(inner, st.sampled_from(["all", "exists", "exists_one", "map", "filter"]), inner).map(lambda t: f"{t[0]}.{t[1]}(v, {t[2]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"{t[0]}.map(v, {t[1]}, {t[2]})"),
        st.tuples(inner, st.sampled_from(["contains", "startsWith", "endsWith", "matches"]), inner).map(lambda t: f"{t[0]}.{t[1]}({t[2]})"),
        st.tuples(st.sampled_from(["size", "string", "int", "double", "dyn", "matches", "type"]), st.lists(inner, min_size=1, max_size=2)).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
        st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(inner, inner), max_size=2).map(lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"),
        inner.map(lambda e: f"v.{e.split('.')[0]}" if e.isidentifier() else f"({e})"),
    )


CEL = st.recursive(st.one_of(CEL_ATOMS, st.just("v")), _cel, max_leaves=10)


@SETTINGS
@given(CEL)
def test_the_cost_parser_reads_every_condition_cel_compiles(expression):
    from exitaudit.celcost import CostError, bound
    from exitaudit.celexpr import _extension

    try:
        _extension().compile(expression)
    except Exception:  # noqa: BLE001 - not CEL: nothing to cost
        return
    try:
        bound(expression)
    except CostError as exc:
        # The only refusal allowed: deeper than the parser's recursion guard.
        assert "nested more than" in str(exc), (expression, exc)


PATTERN = st.one_of(
    st.sampled_from(["^FAILED (?P<id>\\S+)", "(?P<v>.*)", "^(a|aa)+$", "x", "^", "(a+)+b", "\\bError\\b", "(?i)warn", "[", "(?P<n>\\d+)"]),
    st.text(max_size=20),
)
TEMPLATE = st.one_of(
    st.lists(st.sampled_from(["{ids}", "{mine}", "{v}", "{exit.code}", "{tool}", "{params.pat}", "{mine.__class__}", "text ", "{", "}"]), max_size=12).map("".join),
    st.text(max_size=60),
)
HOSTILE_RULE_LOG = st.builds(
    lambda pieces: b"start\n" + b"".join(pieces),
    st.lists(st.one_of(st.just(b"FAILED t_1\n"), st.just(b"FAILED " + b"x" * 6000 + b"\n"), st.just(b"a" * 3000 + b"b\n"),
                       st.just(b"Error: x\r" * 200 + b"\n"), st.just(b"head\ntail\n"), PIECE), max_size=20),
)


def _toml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string with \uXXXX escapes is a TOML basic string


@SETTINGS
@given(st.one_of(CEL, st.text(max_size=80)), PATTERN, TEMPLATE, st.integers(1, 100_000), HOSTILE_RULE_LOG)
def test_any_condition_pattern_and_template_load_or_fail_in_one_line_and_audit_within_budget(tmp_path_factory, condition, pattern, template, within, log):
    from exitaudit import load_rule_file
    from exitaudit.errors import RuleError, RuleErrors
    from exitaudit.rules import MESSAGE_MAX, RuleSet

    path = tmp_path_factory.mktemp("rules") / "fuzz.toml"
    path.write_text(
        'format = 1\ntool = "fuzz"\ndescription = "x"\n[detect]\npatterns = [\'^start\']\n'
        '[params.pat]\ndescription = "p"\ndefault = ["t_\\\\d+"]\n'
        '[signals.ids]\npattern = \'^FAILED (?P<id>\\S+)\'\nvalue = "all"\n'
        f'[signals.mine]\npattern = {_toml_string(pattern)}\n'
        f'[signals.seq]\npattern = \'^head\'\nfollowed_by = {_toml_string(pattern)}\nwithin = {within}\n'
        f'[[checks]]\nid = "c"\ntitle = "t"\nkind = "false-success"\nwhen = {_toml_string(condition)}\nmessage = {_toml_string(template)}\n'
    )
    try:
        rf = load_rule_file(path)
    except RuleErrors as exc:
        assert exc.errors and all("\n" not in e.message for e in exc.errors), exc
        return
    except RuleError as exc:
        assert "\n" not in exc.message, exc.message
        return
    engine = Engine(RuleSet({rf.tool: rf}), regex_timeout=0.05, deadline=0.5)
    for code in (0, 1):
        result = engine.audit(blocks_of(log), ExitStatus.from_code(code, Origin.FLAG), source="fuzz.log")
        for f in result.findings:
            assert len(f.message) <= MESSAGE_MAX + 40, len(f.message)
        check_reports(Report((result,), fail_on=Severity.ERROR))
