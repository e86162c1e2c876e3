"""exitaudit's own exit codes, in one place.

The CLI is the only caller: the library returns findings and never decides how the process ends.
"""

from enum import IntEnum


class ExitCode(IntEnum):
    CLEAN = 0
    """No mismatch at or above the --fail-on severity."""
    MISMATCH = 1
    """At least one mismatch at or above the --fail-on severity."""
    ERROR = 2
    """Usage, input or rule error, or exitaudit itself failed.

    A crash must never exit 1: a CI step would read it as "mismatches found" and a user would
    go looking for a lie in their log instead of a bug in exitaudit.
    """
    INTERRUPTED = 130
    """Ctrl-C, as a shell reports SIGINT (128 + 2)."""
