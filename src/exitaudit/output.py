"""Writing reports: whole or not at all.

A report goes to a temporary file beside its destination and is renamed over it only when
completely written, so a full disk or a crash never leaves half a report that a later CI step
would read as the truth.
"""

from __future__ import annotations

import errno
import functools
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable, Sequence

from .errors import ExitauditError


class OutputError(ExitauditError):
    """A report that could not be written."""


class StdoutClosed(Exception):
    """Standard output's reader went away. Not an OSError on purpose: typer turns EPIPE into exit 1."""


class Staged:
    """Outputs written to temporary files beside their destinations; ``commit`` renames them all
    into place, ``discard`` removes them. A failure while staging leaves no output at all, and
    several reports of one run land together or not at all.

    Only a regular file (or a new one) is replaced by a rename, and through a symbolic link it is
    the link's target that is replaced: the link stays. A device, a FIFO or a file reached through
    ``/dev/stdout`` (``/proc/self/fd/N``) is written in place, after the renames, from a temporary
    file in ``$TMPDIR``: renaming over ``/dev/null`` would put a regular file in its place."""

    def __init__(self) -> None:
        self._pending: list[tuple[str, str, str, bool]] = []  # (tmp, target, shown name, in place)

    def _temp(self, path: str) -> str:
        target, in_place = destination(path)
        folder = None if in_place else os.path.dirname(target)
        clean_stale_temporaries(folder if folder is not None else tempfile.gettempdir())
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.{_writer_tag()}.", suffix=".tmp", dir=folder)
        except FileNotFoundError:
            raise OutputError(f"cannot write: no such directory {folder}", where=path) from None
        except PermissionError:
            raise OutputError("cannot write: permission denied", where=path) from None
        except OSError as exc:
            raise OutputError(f"cannot write: {exc.strerror or exc}", where=path) from None
        os.close(fd)
        self._pending.append((tmp, target, path, in_place))
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
            for tmp, target, path, in_place in self._pending:
                if not in_place:
                    try:
                        os.replace(tmp, target)
                    except OSError as exc:
                        raise OutputError(f"cannot write: {exc.strerror or exc}", where=path) from None
            for tmp, target, path, in_place in self._pending:
                if in_place:
                    _write_in_place(tmp, target, path)
        finally:
            self.discard()

    def discard(self) -> None:
        for tmp, _target, _path, _in_place in self._pending:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        self._pending = []


def destination(path: str) -> tuple[str, bool]:
    """Where a report named ``path`` goes: (the file to write, whether it is written in place).

    A regular file or a new one is replaced by a rename: through symbolic links, the file they
    resolve to. Anything else that can be opened for writing (a device, a FIFO, a file reached
    through a ``/proc/*/fd`` link such as ``/dev/stdout``) is written in place."""
    absolute = os.path.abspath(path)
    try:
        st = os.stat(absolute)
    except FileNotFoundError:
        return os.path.realpath(absolute), False  # new, or a dangling link: its target is created
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputError("cannot write: a loop of symbolic links", where=path) from None
        if exc.errno == errno.ENOTDIR:
            raise OutputError("cannot write: a part of the path is not a directory", where=path) from None
        raise OutputError(f"cannot write: {exc.strerror or exc}", where=path) from None
    if stat.S_ISDIR(st.st_mode):
        raise OutputError("is a directory", where=path)
    if not stat.S_ISREG(st.st_mode):
        return absolute, True
    if _through_proc(absolute):
        # /dev/stdout -> /proc/self/fd/1 -> the file the shell opened: renaming over it would
        # leave the shell writing to a deleted file.
        return absolute, True
    return os.path.realpath(absolute), False


def _through_proc(path: str) -> bool:
    """Whether ``path`` reaches its file through /proc (``/dev/stdout``, ``/dev/fd/N``): such a
    link names an open file, not a place in a folder."""
    for _ in range(40):
        path = os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))
        if path.startswith("/proc/"):
            return True
        if not os.path.islink(path):
            return False
        path = os.path.join(os.path.dirname(path), os.readlink(path))
    return False


def _write_in_place(tmp: str, target: str, path: str) -> None:
    """Copy the staged output into a device, a FIFO or an open file (appended, as a shell's
    ``>>`` would: never truncated, never replaced)."""
    try:
        st = os.stat(target)
        flags = os.O_WRONLY | (os.O_APPEND if stat.S_ISREG(st.st_mode) else 0)
        fd = os.open(target, flags | getattr(os, "O_CLOEXEC", 0))
        try:
            with open(tmp, "rb") as src:
                while chunk := src.read(1 << 20):
                    view = memoryview(chunk)
                    while view:
                        view = view[os.write(fd, view):]
        finally:
            os.close(fd)
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", where=path) from None


def check_distinct(destinations: Sequence[tuple[str, str | None]]) -> None:
    """A usage error when two reports would go to the same file (``--json r --junit r``, or the
    same file by another spelling or through a link): one would silently replace the other.
    ``destinations`` are (option, path) pairs; None and ``-`` are skipped, and so are character
    devices (``/dev/null`` twice discards both)."""
    from .errors import UsageError

    seen: dict[object, tuple[str, str]] = {}
    for option, path in destinations:
        if path is None or path == "-":
            continue
        absolute = os.path.abspath(path)
        try:
            st = os.stat(absolute)
        except OSError:
            key: object = ("path", os.path.realpath(absolute))
        else:
            if stat.S_ISCHR(st.st_mode):
                continue
            key = ("inode", st.st_dev, st.st_ino)
        if key in seen:
            first_option, first_path = seen[key]
            raise UsageError(
                f"{path} is the same file as {first_option} {first_path}; give each report its own file",
                where=option,
            )
        seen[key] = (option, path)


# Temporaries of killed writers ------------------------------------------------------------------

_STALE = re.compile(r"\A\.(?P<name>.+)\.(?P<pid>[1-9][0-9]{0,9})-(?P<tag>[0-9a-f]{6})\.[a-z0-9_]{8}\.tmp\Z")
"""exitaudit's temporary report names: ``.NAME.PID-TAG.RANDOM.tmp``; TAG tells this machine's
(and pid namespace's) writers from those of another host writing to the same shared folder."""
_cleaned: set[str] = set()


@functools.cache
def _host_tag() -> str:
    import socket
    import zlib  # a checksum, not hashlib: that loads OpenSSL, a cost check's start-up avoids

    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return f"{zlib.crc32(f'{socket.gethostname()} {namespace}'.encode()) & 0xFFFFFF:06x}"


def _writer_tag() -> str:
    return f"{os.getpid()}-{_host_tag()}"


def clean_stale_temporaries(folder: str) -> list[str]:
    """Remove from ``folder`` the temporary reports of writers that died before renaming them
    (SIGKILL, a power cut): only names of exitaudit's own pattern, written on this host, whose
    process no longer exists. Once per folder and process; never raises. Returns the names."""
    key = os.path.abspath(folder)
    if key in _cleaned:
        return []
    _cleaned.add(key)
    removed: list[str] = []
    tag = _host_tag()
    try:
        with os.scandir(key) as entries:
            stale = [e.name for e in entries if e.name.endswith(".tmp") and e.name.startswith(".")]
    except OSError:
        return removed
    for name in stale:
        m = _STALE.match(name)
        if m is None or m["tag"] != tag or _alive(int(m["pid"])):
            continue
        try:
            os.unlink(os.path.join(key, name))
            removed.append(name)
        except OSError:
            pass
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process (EPERM): alive
    return True


def write_to_stdout(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise StdoutClosed() from None
    except OSError as exc:  # a full disk (ENOSPC), EIO: one line, never "internal error"
        raise OutputError(f"cannot write: {exc.strerror or exc}", where="standard output") from None


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
