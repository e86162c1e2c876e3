"""Coverage-guided fuzzing (atheris) of the readers, cleaning, the engine with the built-in pack
and every reporter. Not part of the test suite: run fuzz/run.sh.

Invariant: any bytes (plain, or gzip/bz2/xz-compressed, possibly truncated) end in an audit
whose reports are well-formed, or in exitaudit's InputError; nothing else may be raised.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import sys

import atheris

with atheris.instrument_imports():
    from exitaudit import load_rules
    from exitaudit.engine import Engine
    from exitaudit.errors import InputError
    from exitaudit.model import ExitStatus, Origin, Report, Severity
    from exitaudit.reader import LogSource, clean
    from exitaudit.reporters import FORMATS, renderer

from lxml import etree

ENGINE = Engine(load_rules(), regex_timeout=0.5)
PARSER = etree.XMLParser(recover=False, resolve_entities=False, no_network=True)


class Pipe(io.BytesIO):
    def isatty(self) -> bool:
        return False


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    how = fdp.ConsumeIntInRange(0, 5)
    code = fdp.ConsumeIntInRange(-1, 255)
    body = fdp.ConsumeBytes(fdp.remaining_bytes())
    if how == 1:
        body = gzip.compress(body, compresslevel=1)
    elif how == 2:
        body = bz2.compress(body)
    elif how == 3:
        body = lzma.compress(body)
    elif how == 4 and len(body) > 4:
        body = gzip.compress(body)[: len(body) // 2]  # truncated
    cleaned = clean(body)
    assert cleaned.count(b"\n") == body.replace(b"\r\n", b"\n").count(b"\n")
    status = ExitStatus.unknown() if code < 0 else ExitStatus.from_code(code, Origin.FLAG, "--exit-code")
    try:
        with LogSource("-", stdin=Pipe(body)) as src:
            result = ENGINE.audit(src.blocks(), status, source="fuzz.log")
    except InputError:
        return
    report = Report((result,), fail_on=Severity.WARNING)
    for name in FORMATS:
        out = renderer(name)(report)
        out.encode("utf-8")
        if name in ("json", "sarif", "gitlab"):
            json.loads(out)
        elif name == "junit":
            etree.fromstring(out.encode("utf-8"), PARSER)
            etree.fromstring(renderer("junit", junit_strict=True)(report).encode("utf-8"), PARSER)


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
