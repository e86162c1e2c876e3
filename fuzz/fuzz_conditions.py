"""Coverage-guided fuzzing (atheris) of what a rule file says rather than its TOML: a condition,
a signal's pattern and a message template, taken from the fuzzer's bytes, placed in a valid rule
file and used on a hostile log under tight budgets. Not part of the test suite: run fuzz/run.sh.

Invariants:
* the cost parser (celcost.py) reads every condition cel compiles, or refuses it with CostError,
  never another exception;
* the file loads, or ends in RuleError/RuleErrors of one line each, naming the file;
* a loaded file audits the log to a result (regex time limit, deadline and condition budget
  holding), and every message is within MESSAGE_MAX and the note of its cut.
"""

from __future__ import annotations

import os
import sys
import tempfile

import atheris

with atheris.instrument_imports():
    from exitaudit.celcost import CostError, parse
    from exitaudit.celexpr import _extension
    from exitaudit.engine import Engine
    from exitaudit.errors import RuleError, RuleErrors
    from exitaudit.model import ExitStatus, Origin
    from exitaudit.reader import blocks_of
    from exitaudit.rules import MESSAGE_MAX, RuleSet, load_rule_file

DIR = tempfile.mkdtemp(prefix="exitaudit-fuzz-conditions-")
PATH = os.path.join(DIR, "fuzz.toml")
LOG = "start\n" + "FAILED t_1\nFAILED " + "x" * 5000 + "\n" + "a" * 3000 + "b\r" * 50 + "\nhead\ntail\n"


def toml_literal(text: str) -> str:
    """``text`` as a TOML basic string (any character, escaped)."""
    out = []
    for ch in text:
        if ch in '"\\' or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def rule_file(condition: str, pattern: str, message: str, within: int) -> str:
    return f"""format = 1
tool = "fuzz"
description = "x"
[detect]
patterns = ['^start']
[params]
pat = {{ default = ["t_\\\\d+", "x+"], description = "p" }}
[signals.ids]
pattern = '^FAILED (?P<id>\\S+)'
value = "all"
[signals.mine]
pattern = {toml_literal(pattern)}
[signals.seq]
pattern = '^head'
followed_by = {toml_literal(pattern)}
within = {within}
[[checks]]
id = "c"
title = "t"
kind = "false-success"
when = {toml_literal(condition)}
message = {toml_literal(message)}
"""


# Conditions built from CEL's tokens reach the cost parser and the evaluation far more often than
# random text, which rarely compiles.
TOKENS = [
    "ids", "mine", "seq", "exit.code", "exit.meaning", "tool", "params.pat", "v", "w", "0", "1", "10",
    "2.5", "7u", "0x1F", "'x'", '"t_1"', "r'\\d+'", "b'x'", "true", "false", "null", "[1, 2, 3]", "[]",
    "{'a': 1}", "(", ")", "[", "]", ",", ".", "!", "-", "+", "*", "/", "%", "==", "!=", "<", "<=", ">",
    ">=", "&&", "||", "?", ":", " in ", "size(", "has(", "string(", "int(", ".all(v, ", ".exists(v, ",
    ".exists_one(w, ", ".map(v, ", ".filter(w, ", ".contains(", ".startsWith(", ".matches(", ".size()",
]


def condition_of(fdp: atheris.FuzzedDataProvider) -> str:
    if fdp.ConsumeBool():
        return fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 400))
    return " ".join(fdp.PickValueInList(TOKENS) for _ in range(fdp.ConsumeIntInRange(1, 40)))


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    condition = condition_of(fdp)
    pattern = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(1, 60)) or "x"
    message = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 200))
    within = fdp.ConsumeIntInRange(1, 100_000)
    try:
        _extension().compile(condition)
        compiles = True
    except Exception:  # noqa: BLE001 - cel raises several types
        compiles = False
    if compiles:
        try:
            parse(condition)
        except CostError:
            pass
    with open(PATH, "w", encoding="utf-8") as fh:
        fh.write(rule_file(condition, pattern, message, within))
    try:
        rf = load_rule_file(PATH)
    except RuleErrors as exc:
        assert exc.errors and all(e.path == PATH and "\n" not in e.message for e in exc.errors)
        return
    except RuleError as exc:
        assert exc.path == PATH and "\n" not in exc.message
        return
    engine = Engine(RuleSet({rf.tool: rf}), regex_timeout=0.05, deadline=0.5)
    for code in (0, 1):
        run = engine.audit(blocks_of(LOG), ExitStatus.from_code(code, Origin.FLAG), source="fuzz.log")
        for finding in run.findings:
            assert len(finding.message) <= MESSAGE_MAX + 40, len(finding.message)


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
