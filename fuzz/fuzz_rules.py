"""Coverage-guided fuzzing (atheris) of the rule loader and the lint checks. Not part of the test
suite: run fuzz/run.sh.

Invariant: any bytes as a rule file end in a loaded RuleFile or in RuleError/RuleErrors (one
message naming the file, and a line and field where there is one); lint's static checks never
raise. A loaded file is then used to audit a small log, which may end only in a RuleFile's
own errors (UsageError for a bad tool) or a result.
"""

from __future__ import annotations

import os
import sys
import tempfile

import atheris

with atheris.instrument_imports():
    from exitaudit.engine import Engine
    from exitaudit.errors import RuleError, RuleErrors
    from exitaudit.model import ExitStatus
    from exitaudit.reader import blocks_of
    from exitaudit.rules import RuleSet, backtracking_risk, load_rule_file, slow_patterns

SEED = b'''format = 1
tool = "fuzz"
description = "x"
[detect]
patterns = ['^start']
[signals.a]
description = "a"
pattern = '^FAILED: (?P<n>\\d+)'
value = "sum"
[[checks]]
id = "c"
title = "t"
kind = "false-success"
when = "a > 0 && exit.code == 0"
message = "m {a}"
evidence = ["a"]
'''

DIR = tempfile.mkdtemp(prefix="exitaudit-fuzz-rules-")
PATH = os.path.join(DIR, "fuzz.toml")
LOG = "start\nFAILED: 3\n" + "a" * 200 + "\n"


def one_input(data: bytes) -> None:
    if len(data) % 3 == 0:
        data = SEED + data  # keep part of the time near a valid file, to reach the builder
    with open(PATH, "wb") as fh:
        fh.write(data)
    try:
        rf = load_rule_file(PATH)
    except RuleErrors as exc:
        assert exc.errors and all(e.path == PATH for e in exc.errors)
        return
    except RuleError as exc:
        assert exc.path == PATH and "\n" not in exc.message
        return
    slow_patterns(rf)
    for sig in rf.signals.values():
        if sig.pattern:
            backtracking_risk(sig.pattern)
    engine = Engine(RuleSet({rf.tool: rf}), regex_timeout=0.2)
    engine.audit(blocks_of(LOG), ExitStatus.unknown(), source="fuzz.log")


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
