"""Writing reports: whole or not at all.

A report goes to a temporary file beside its destination and is renamed over it only when
completely written, so a full disk or a crash never leaves half a report that a later CI step
would read as the truth.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable

from .errors import ExitauditError


class OutputError(ExitauditError):
    """A report that could not be written."""


class StdoutClosed(Exception):
    """Standard output's reader went away. Not an OSError on purpose: typer turns EPIPE into exit 1."""


class Staged:
    """Outputs written to temporary files beside their destinations; ``commit`` renames them all
    into place, ``discard`` removes them. A failure while staging leaves no output at all, and
    several reports of one run land together or not at all."""

    def __init__(self) -> None:
        self._pending: list[tuple[str, str, str]] = []  # (tmp, target, shown name)

    def _temp(self, path: str) -> str:
        target = os.path.abspath(path)
        folder = os.path.dirname(target)
        if os.path.isdir(target):
            raise OutputError("is a directory", where=path)
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=folder)
        except FileNotFoundError:
            raise OutputError(f"cannot write: no such directory {folder}", where=path) from None
        except PermissionError:
            raise OutputError("cannot write: permission denied", where=path) from None
        except OSError as exc:
            raise OutputError(f"cannot write: {exc.strerror or exc}", where=path) from None
        os.close(fd)
        self._pending.append((tmp, target, path))
        return tmp

    def write(self, path: str, writer: Callable[[str], None]) -> None:
        """Stage one output: ``writer(tmp)`` writes it to the temporary file given."""
        tmp = self._temp(path)
        try:
            writer(tmp)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            # mkstemp makes the file private (0600); a report is an ordinary file for the next step.
            os.chmod(tmp, 0o666 & ~_umask())
        except OutputError:
            raise
        except OSError as exc:
            raise OutputError(f"cannot write: {exc.strerror or exc}", where=path) from None
        except Exception as exc:  # noqa: BLE001 - a table writer (polars) failing
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise OutputError(f"cannot write: {first}", where=path) from None

    def write_text(self, path: str, text: str) -> None:
        def writer(tmp: str) -> None:
            with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)

        self.write(path, writer)

    def commit(self) -> None:
        try:
            for tmp, target, path in self._pending:
                try:
                    os.replace(tmp, target)
                except OSError as exc:
                    raise OutputError(f"cannot write: {exc.strerror or exc}", where=path) from None
        finally:
            self.discard()

    def discard(self) -> None:
        for tmp, _target, _path in self._pending:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        self._pending = []


def write_to_stdout(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise StdoutClosed() from None


def write_reports(outputs: list[tuple[str, str]]) -> None:
    """Several reports of one run: the files land together or not at all, then standard output
    (``-``) is written, so that nothing on it suggests the audit went through if a file failed."""
    staged = Staged()
    try:
        for path, text in outputs:
            if path != "-":
                staged.write_text(path, text)
        staged.commit()
    finally:
        staged.discard()
    for path, text in outputs:
        if path == "-":
            write_to_stdout(text)


def write_report(path: str, text: str) -> None:
    write_reports([(path, text)])


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
