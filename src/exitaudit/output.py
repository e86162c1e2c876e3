"""Writing reports: whole or not at all.

A report goes to a temporary file beside its destination and is renamed over it only when
completely written, so a full disk or a crash never leaves half a report that a later CI step
would read as the truth.
"""

from __future__ import annotations

import os
import sys
import tempfile

from .errors import ExitauditError


class OutputError(ExitauditError):
    """A report that could not be written."""


class StdoutClosed(Exception):
    """Standard output's reader went away. Not an OSError on purpose: typer turns EPIPE into exit 1."""


def write_report(path: str, text: str) -> None:
    if path == "-":
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            raise StdoutClosed() from None
        return
    target = os.path.abspath(path)
    folder = os.path.dirname(target)
    if os.path.isdir(target):
        raise OutputError("is a directory", where=path)
    fd = -1
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fd = -1
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); a report is an ordinary file for the next CI step.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
        tmp = ""
    except FileNotFoundError:
        raise OutputError(f"cannot write report: no such directory {folder}", where=path) from None
    except PermissionError:
        raise OutputError("cannot write report: permission denied", where=path) from None
    except OSError as exc:
        raise OutputError(f"cannot write report: {exc.strerror or exc}", where=path) from None
    finally:
        if fd != -1:
            os.close(fd)
        if tmp:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
