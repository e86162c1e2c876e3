"""``exitaudit rules new TOOL``: a commented rule file to start from.

The skeleton is a working file for an imaginary tool that prints ``TOOL 1.0 starting`` and a
summary ``TOOL: 3 passed, 2 failed``: it passes ``rules lint`` and ``rules test`` as written,
with one check and one example of each kind, so that an author edits something that works into
something that describes their tool, running both commands as they go.
"""

from __future__ import annotations

import re

TOOL_NAME = re.compile(r"^[a-z][a-z0-9-]*$")

_TEMPLATE = '''\
# Rules for @TOOL@, started by `exitaudit rules new @TOOL@`. The format: docs/rules.md
# (https://github.com/exitaudit/exitaudit/blob/main/docs/rules.md). Everything below describes an
# imaginary @TOOL@ that prints "@TOOL@ 1.0 starting" and a summary "@TOOL@: 3 passed, 2 failed";
# replace it with what your tool really prints, using real logs. After each change:
#
#     exitaudit rules lint @TOOL@.toml     # schema, patterns, conditions (tried on every exit status)
#     exitaudit rules test @TOOL@.toml     # the [[examples]] at the end
#     exitaudit check run.log -e 0 --rules @TOOL@.toml
#
# Patterns are Python `regex` syntax, matched one line at a time (write them in '...' so that
# backslashes need no doubling); conditions are CEL, whose matches() takes RE2 syntax.

format = 1
tool = "@TOOL@"                 # must equal the file's name: @TOOL@.toml
description = "@TOOL@: failed tasks in the summary against the exit code."
homepage = ""                   # the tool's documentation, quoted in the reference
versions = ""                   # the versions these rules were written and tested against

# Fingerprints: lines only @TOOL@ prints. The file applies to a log where `min_matches` lines match.
[detect]
patterns = ['^@TOOL@ \\S+ starting$']
min_matches = 1

# The exit codes @TOOL@ documents; `{exit.meaning}` quotes them in messages.
[exit_codes]
0 = "success: every task passed"
1 = "one or more tasks failed"
2 = "usage error"

# Signals: named facts from the log, the variables of the conditions. Each has a value even when
# nothing matched (0, false, "" or []), so conditions never meet a null.
[signals.failed]
description = "N of the summary line `@TOOL@: P passed, N failed`, summed over summary lines."
pattern = '^@TOOL@: \\d+ passed, (?P<n>\\d+) failed$'
value = "sum"

[signals.all_passed]
description = "A summary line with no failure: `@TOOL@: P passed, 0 failed`."
pattern = '^@TOOL@: \\d+ passed, 0 failed$'
value = "present"

[signals.usage_error]
description = "@TOOL@'s own error line for a bad command line: `@TOOL@: error: ...`."
pattern = '^@TOOL@: error: '
value = "present"

# Checks, one of each kind. The kind sets the default severity (false-success and wrong-code are
# errors, false-failure a warning, consistent info); `severity = "warning"` lowers a heuristic.

[[checks]]
id = "failed-exit-zero"
title = "Failed tasks, exit 0"
kind = "false-success"
when = "failed > 0 && exit.code == 0"
message = "@TOOL@ reported {failed} failed task(s) but the run exited 0"
evidence = ["failed"]
description = "The summary counts failed tasks, for which @TOOL@ exits 1: an exit status of 0 is not @TOOL@'s (`@TOOL@ | tee log` without pipefail)."
rationale = "A failed run that CI records as green."
references = []
false_positives = []

[[checks]]
id = "failed-wrong-code"
title = "Failed tasks, an exit code other than 1"
kind = "wrong-code"
when = "failed > 0 && exit.code != 0 && exit.code != 1 && exit.signal == '' && !usage_error"
message = "@TOOL@ reported {failed} failed task(s), for which it exits 1, but the run exited {exit.code} ({exit.meaning})"
evidence = ["failed"]
description = "Failed tasks and no usage error, but neither exit 0 nor @TOOL@'s documented 1 (nor death by a signal)."

[[checks]]
id = "passed-exit-nonzero"
title = "Every task passed, non-zero exit"
kind = "false-failure"
when = "all_passed && failed == 0 && exit.code != 0 && exit.signal == '' && !usage_error"
message = "@TOOL@'s summary has no failure, but the run exited {exit.code} ({exit.meaning})"
evidence = ["all_passed"]
description = "The log proves success, yet the status recorded is a failure: another command of the step failed, or a wrapper rewrote the code."

[[checks]]
id = "failed-exit-one"
title = "Failed tasks, exit 1"
kind = "consistent"
when = "failed > 0 && exit.code == 1"
message = "@TOOL@ reported {failed} failed task(s) and exited 1"
evidence = ["failed"]
description = "An honest failure: it explains the non-zero exit, so the run is not an unexplained-failure."

[[checks]]
id = "usage-error-exit-two"
title = "Usage error, exit 2"
kind = "consistent"
when = "usage_error && exit.code == 2"
message = "@TOOL@ refused its command line and exited 2"
evidence = ["usage_error"]

# Examples, run by `exitaudit rules test`: real output, shortened. `checks` lists exactly the
# checks of this file that must fire (`[]`: none); `exit_code` is left out for an unknown status.

[[examples]]
name = "every task passes, exit 0"
exit_code = 0
verdict = "consistent"
checks = []
log = \'\'\'
@TOOL@ 1.0 starting
@TOOL@: 5 passed, 0 failed
\'\'\'

[[examples]]
name = "two tasks fail behind `| tee` without pipefail, exit 0"
exit_code = 0
verdict = "false-success"
checks = ["failed-exit-zero"]
log = \'\'\'
@TOOL@ 1.0 starting
@TOOL@: 3 passed, 2 failed
\'\'\'

[[examples]]
name = "two tasks fail, exit 3"
exit_code = 3
verdict = "wrong-code"
checks = ["failed-wrong-code"]
log = \'\'\'
@TOOL@ 1.0 starting
@TOOL@: 3 passed, 2 failed
\'\'\'

[[examples]]
name = "every task passes, exit 1"
exit_code = 1
verdict = "false-failure"
checks = ["passed-exit-nonzero"]
log = \'\'\'
@TOOL@ 1.0 starting
@TOOL@: 5 passed, 0 failed
\'\'\'

[[examples]]
name = "two tasks fail, exit 1"
exit_code = 1
verdict = "consistent"
checks = ["failed-exit-one"]
log = \'\'\'
@TOOL@ 1.0 starting
@TOOL@: 3 passed, 2 failed
\'\'\'

[[examples]]
name = "a usage error, exit 2"
exit_code = 2
verdict = "consistent"
checks = ["usage-error-exit-two"]
log = \'\'\'
@TOOL@ 1.0 starting
@TOOL@: error: unknown option --frobnicate
\'\'\'

[[examples]]
name = "exit 1 and nothing in the log explains it"
exit_code = 1
verdict = "unexplained-failure"
checks = []
log = \'\'\'
@TOOL@ 1.0 starting
\'\'\'
'''


def skeleton(tool: str) -> str:
    """The commented rule file for ``tool`` (a name matching ``TOOL_NAME``)."""
    return _TEMPLATE.replace("@TOOL@", tool)
