"""Errors that end an audit with exit code 2.

Each carries where the problem is (a log path, a rule file with line and field) so that the CLI
can print it as one line: ``where: what``.
"""

from __future__ import annotations


class ExitauditError(Exception):
    """Base: a problem the user can fix, printed as one line, exit 2."""

    def __init__(self, message: str, *, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class UsageError(ExitauditError):
    """A command line that cannot be carried out (unknown tool, conflicting options)."""


class InputError(ExitauditError):
    """A log or exit-code file that cannot be read as one."""


class RuleError(ExitauditError):
    """A rule file that is not valid: names the file, the line and the field."""

    def __init__(
        self,
        message: str,
        *,
        path: str,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        where = path if line is None else f"{path}:{line}"
        if field:
            message = f"{field}: {message}"
        super().__init__(message, where=where)
        self.path = path
        self.line = line
        self.field = field


class RuleErrors(ExitauditError):
    """Several rule errors found at once (``rules lint`` reports them all)."""

    def __init__(self, errors: list[RuleError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)
