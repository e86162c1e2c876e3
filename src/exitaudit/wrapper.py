"""``exitaudit run``: run a command, pass its output through unchanged, keep a copy to audit.

The command's standard output and standard error are two pipes. Whatever arrives on one is
written at once, unchanged, to exitaudit's own standard output or standard error (``os.read`` /
``os.write``, no buffering in between), and is also appended to a spool: a temporary file in
``$TMPDIR``, unlinked as soon as it is created, so it is gone when exitaudit ends however it ends.
Memory stays bounded whatever the command prints: a read is at most ``READ_SIZE`` bytes and only
an unfinished line is held (up to ``MAX_PENDING`` bytes per stream).

The spool is the command's combined output in arrival order, whole lines at a time: a line
enters the spool when its newline arrives, so a line half-written on standard output when a line
of standard error arrives is not cut in two. Which stream each line came from is kept beside it,
one byte per line (``o`` or ``e``) in a second temporary file. Only where a line cannot be kept
whole does the spool differ from the bytes the command wrote: an unfinished line of one stream
(longer than ``MAX_PENDING``, or the last one before that stream closed) followed by a line of the
other stream is ended with a newline there.

Signals. The command stays in exitaudit's process group, so the terminal's Ctrl-C (SIGINT) and
Ctrl-\\ (SIGQUIT) reach it directly, as they would without exitaudit; exitaudit itself does not
die of them and waits for the command. They are forwarded only when no terminal delivered them
to the whole group (exitaudit is not in a terminal's foreground process group: CI, a ``kill``
from a script). SIGTERM and SIGHUP are forwarded always: supervisors and CI runners send them to
the process they started, which is exitaudit. A signal exitaudit's parent set to be ignored stays
ignored, for exitaudit and the command alike.
"""

from __future__ import annotations

import errno
import os
import select
import selectors
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from .reader import LogSource

READ_SIZE = 1 << 16
"""Bytes read from a pipe at a time (a Linux pipe holds 64 KiB)."""
MAX_PENDING = 1 << 20
"""An unfinished line longer than this goes to the spool in pieces."""
LINGER = 2.0
"""Seconds to keep reading after the command exited while something it started in the background
still holds its output open; after that the pipes are closed and exitaudit carries on."""
POLL = 0.1
"""Seconds between checks whether the command has exited while its pipes stay open."""

STDOUT, STDERR = "stdout", "stderr"
_TAG = {STDOUT: b"o", STDERR: b"e"}
_STREAM = {ord("o"): STDOUT, ord("e"): STDERR}

FORWARDED = (signal.SIGTERM, signal.SIGHUP)
"""Sent to exitaudit alone by whoever started it: passed on to the command."""
TERMINAL = (signal.SIGINT, signal.SIGQUIT)
"""Sent by a terminal to its whole foreground process group: passed on only when no terminal sent them."""


class NotRunnable(Exception):
    """The command could not be started. ``code`` is what a shell exits with: 127 or 126."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --------------------------------------------------------------------------------------------
# The spool


class Spool:
    """The captured output: combined, in arrival order, with each line's stream."""

    def __init__(self, directory: str | None = None) -> None:
        self.failed: str | None = None
        """Why the spool stopped keeping the output (``$TMPDIR`` full or unwritable), if it did:
        the output still passes through and the command still runs to its end, but it is not
        audited. A copy that fails must never cost the caller the output or the exit status."""
        # Anonymous temporary files (unlinked at once): nothing is left behind, even by a kill -9.
        try:
            self._log = tempfile.TemporaryFile(prefix="exitaudit-run-", suffix=".log", dir=directory)
            self._tags = tempfile.TemporaryFile(prefix="exitaudit-run-", suffix=".streams", dir=directory)
        except OSError as exc:
            self._fail(exc)
        self._pending: dict[str, bytearray] = {STDOUT: bytearray(), STDERR: bytearray()}
        self._at_line_start = True
        self._open_line: str | None = None  # the stream whose line the spool ends in, unfinished
        self.bytes = 0
        """Bytes in the spool (the combined log)."""
        self.lines = 0
        """Lines in the spool, a last one without a newline included."""
        self.stream_bytes = {STDOUT: 0, STDERR: 0}
        """Bytes the command wrote to each stream."""

    # -- writing -------------------------------------------------------------------------------

    def _fail(self, exc: OSError) -> None:
        if self.failed is None:
            where = tempfile.gettempdir()
            self.failed = f"cannot keep a copy of the output in {where}: {exc.strerror or exc}"
        self._pending = {STDOUT: bytearray(), STDERR: bytearray()}

    def feed(self, stream: str, data: bytes) -> None:
        """Bytes as they arrived from ``stream``; whole lines go to the spool now."""
        self.stream_bytes[stream] += len(data)
        if self.failed is not None:
            return
        pending = self._pending[stream]
        pending += data
        cut = pending.rfind(b"\n") + 1
        if cut:
            self._append(stream, bytes(pending[:cut]))
            del pending[:cut]
        if len(pending) >= MAX_PENDING:
            self._append(stream, bytes(pending))
            pending.clear()

    def end(self, stream: str) -> None:
        """``stream`` is closed: its unfinished last line, if any, goes to the spool as it is."""
        if self.failed is not None:
            return
        pending = self._pending[stream]
        if pending:
            self._append(stream, bytes(pending))
            pending.clear()

    def _append(self, stream: str, data: bytes) -> None:
        if self.failed is not None:
            return
        try:
            self._write(stream, data)
        except OSError as exc:  # ENOSPC, EIO, EFBIG: stop keeping the copy, carry on passing through
            self._fail(exc)

    def _write(self, stream: str, data: bytes) -> None:
        if self._open_line is not None and self._open_line != stream:
            # The other stream's unfinished line: end it here, so that no line mixes streams.
            self._log.write(b"\n")
            self.bytes += 1
            self._at_line_start = True
            self._open_line = None
        # Lines that start within ``data``: one per newline not at its very end, and one at its
        # start if the spool was at a line start.
        starts = self._at_line_start + data.count(b"\n") - data.endswith(b"\n")
        self._tags.write(_TAG[stream] * starts)
        self._log.write(data)
        self.lines += starts
        self.bytes += len(data)
        self._at_line_start = data.endswith(b"\n")
        self._open_line = None if self._at_line_start else stream

    def finish(self) -> None:
        for stream in (STDOUT, STDERR):
            self.end(stream)
        if self.failed is None:
            try:
                self._log.flush()
                self._tags.flush()
            except OSError as exc:
                self._fail(exc)

    # -- reading -------------------------------------------------------------------------------

    def open(self) -> BinaryIO:
        """A new reader of the combined log from its start."""
        self._log.flush()
        fd = os.dup(self._log.fileno())
        os.lseek(fd, 0, os.SEEK_SET)  # shares the offset with the writer, which is done
        return open(fd, "rb")  # noqa: SIM115 - the caller closes it

    def read(self) -> bytes:
        """The whole combined log; for small logs and tests."""
        with self.open() as fh:
            return fh.read()

    def source(self, name: str) -> LogSource:
        """The combined log as a LogSource (cleaned blocks, bounded memory) named ``name``."""
        return _SpoolSource(name, self)

    def streams(self) -> Iterator[str]:
        """The stream of each line of the combined log, in order: ``stdout`` or ``stderr``."""
        self._tags.flush()
        offset = 0
        while True:
            chunk = os.pread(self._tags.fileno(), READ_SIZE, offset)
            if not chunk:
                return
            offset += len(chunk)
            for byte in chunk:
                yield _STREAM[byte]

    def stream_of(self, line: int) -> str:
        """The stream line ``line`` (1-based) of the combined log came from."""
        if not 1 <= line <= self.lines:
            raise IndexError(f"line {line} is not in the spool (1 to {self.lines})")
        self._tags.flush()
        return _STREAM[os.pread(self._tags.fileno(), 1, line - 1)[0]]

    def close(self) -> None:
        for fh in (getattr(self, "_log", None), getattr(self, "_tags", None)):
            if fh is not None:
                try:
                    fh.close()
                except OSError:
                    pass  # a buffered write the full disk refused: the copy is dropped anyway

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _SpoolSource(LogSource):
    """LogSource over the spool: the same cleaning and blocks as ``check`` reads a file with."""

    def __init__(self, name: str, spool: Spool) -> None:
        super().__init__(name)
        self._spool = spool

    @property
    def display(self) -> str:
        return self.name

    def _open_raw(self) -> BinaryIO:
        return self._spool.open()

    def stretches(self, count: int, min_size: int) -> None:
        return None  # workers open a log by its name, and a spool's name is a label


# --------------------------------------------------------------------------------------------
# Running


@dataclass
class Completed:
    """How the command ended, and what it wrote. Close it (or use ``with``) to drop the spool."""

    argv: tuple[str, ...]
    returncode: int
    """As a shell's ``$?``: the exit code, or 128+N for death by signal N."""
    signal: int | None
    """The signal that killed the command, if one did."""
    duration: float
    """Seconds from start to exit."""
    spool: Spool
    interrupted: bool = False
    """exitaudit itself got SIGINT while the command ran."""
    not_passed: dict[str, str] = field(default_factory=dict)
    """Streams exitaudit could not pass on (its own standard output on a full disk), with why;
    what the command wrote after that was kept in the spool but not passed through."""

    @property
    def died_of_our_sigint(self) -> bool:
        """The command died of SIGINT, and exitaudit got one too: see ``die_of_sigint``."""
        return self.interrupted and self.signal == signal.SIGINT

    def close(self) -> None:
        self.spool.close()

    def __enter__(self) -> Completed:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run(
    argv: Sequence[str],
    *,
    stdout_fd: int = 1,
    stderr_fd: int = 2,
    tmpdir: str | None = None,
) -> Completed:
    """Run ``argv`` to its end, passing its output through to ``stdout_fd`` / ``stderr_fd``.

    Raises NotRunnable when the command cannot be started (not found: 127; not executable: 126).
    """
    if not argv:
        raise ValueError("no command")
    spool = Spool(tmpdir)
    signals = _Signals()
    signals.install()
    try:
        try:
            start = time.monotonic()
            proc = subprocess.Popen(list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
        except OSError as exc:
            raise _not_runnable(argv[0], exc) from None
        signals.started(proc)
        not_passed: dict[str, str] = {}
        exited = _pump(proc, spool, {STDOUT: stdout_fd, STDERR: stderr_fd}, not_passed)
        returncode = proc.wait()
        duration = (exited or time.monotonic()) - start
    except BaseException:
        spool.close()
        raise
    finally:
        signals.restore()
    spool.finish()
    sig = -returncode if returncode < 0 else None
    return Completed(
        argv=tuple(argv),
        returncode=128 + sig if sig is not None else returncode,
        signal=sig,
        duration=duration,
        spool=spool,
        interrupted=signal.SIGINT in signals.received,
        not_passed=not_passed,
    )


def _pump(proc: subprocess.Popen[bytes], spool: Spool, targets: dict[str, int], not_passed: dict[str, str] | None = None) -> float | None:
    """Copy the command's pipes to ``targets`` and the spool until both close (or the command
    has exited and LINGER has passed). Returns when the command was seen to exit, if it was
    before its pipes closed. A target that fails (ENOSPC, EIO) is no longer written to; why goes
    to ``not_passed``; the command's output is still read, so that it runs to its end."""
    if not_passed is None:
        not_passed = {}
    assert proc.stdout is not None and proc.stderr is not None
    pipes = {STDOUT: proc.stdout, STDERR: proc.stderr}
    passing = {STDOUT: True, STDERR: True}
    sel = selectors.DefaultSelector()
    for stream, pipe in pipes.items():
        sel.register(pipe.fileno(), selectors.EVENT_READ, stream)

    def close(stream: str) -> None:
        sel.unregister(pipes[stream].fileno())
        pipes[stream].close()
        spool.end(stream)

    deadline: float | None = None
    exited: float | None = None
    try:
        while sel.get_map():
            if deadline is None:
                timeout: float | None = POLL
            else:
                timeout = max(0.0, deadline - time.monotonic())
            events = sel.select(timeout)
            for key, _ in events:
                stream = key.data
                try:
                    data = os.read(key.fd, READ_SIZE)
                except OSError as exc:  # pragma: no cover - a pipe read does not fail
                    if exc.errno == errno.EINTR:
                        continue
                    data = b""
                if not data:
                    close(stream)
                    continue
                try:
                    reader_there = not passing[stream] or _write_all(targets[stream], data)
                except OSError as exc:
                    passing[stream] = False
                    not_passed[stream] = exc.strerror or str(exc)
                    reader_there = True
                if not reader_there:
                    # Our reader went away (`exitaudit run -- cmd | head`). Close the command's
                    # pipe too, so that it meets the closed pipe as it would without exitaudit.
                    passing[stream] = False
                    spool.feed(stream, data)
                    close(stream)
                    continue
                spool.feed(stream, data)
            if deadline is None and proc.poll() is not None:
                # Exited. The pipes normally close with it; a background process it left holding
                # them gets LINGER seconds, then the audit goes on without its output.
                exited = time.monotonic()
                deadline = exited + LINGER
            elif deadline is not None and time.monotonic() >= deadline:
                for stream in [key.data for key in list(sel.get_map().values())]:
                    close(stream)
    finally:
        for stream, pipe in pipes.items():
            if not pipe.closed:
                pipe.close()
        sel.close()
    return exited


def _write_all(fd: int, data: bytes) -> bool:
    """Write everything; False when the reader is gone (EPIPE). A closed descriptor (exitaudit
    started with ``>&-``) swallows the output, as it would have for the command."""
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            select.select([], [fd], [])  # someone set our stdout non-blocking; wait until it drains
            continue
        except InterruptedError:  # pragma: no cover - retried by Python (PEP 475)
            continue
        except BrokenPipeError:
            return False
        except OSError as exc:
            if exc.errno == errno.EBADF:
                return True
            raise
        view = view[written:]
    return True


def _not_runnable(command: str, exc: OSError) -> NotRunnable:
    """The message and exit code a shell gives for a command it cannot start."""
    if exc.errno == errno.ENOENT:
        if "/" not in command:
            if shutil.which(command) is None:
                return NotRunnable(127, f"{command}: command not found")
        elif not os.path.lexists(command):
            return NotRunnable(127, f"{command}: No such file or directory")
        # The file is there: its #! interpreter is not.
        return NotRunnable(126, f"{command}: cannot execute: required file not found")
    if os.path.isdir(command):
        return NotRunnable(126, f"{command}: Is a directory")
    if exc.errno == errno.ENOEXEC:
        return NotRunnable(126, f"{command}: cannot execute binary file: Exec format error")
    return NotRunnable(126, f"{command}: {exc.strerror or exc}")


# --------------------------------------------------------------------------------------------
# Signals


class _Signals:
    """exitaudit's handlers while the command runs: record, forward, never die."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.received: list[int] = []
        self._previous: dict[int, object] = {}

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # only the main thread may set handlers; a library caller keeps its own
        for sig in (*FORWARDED, *TERMINAL):
            previous = signal.getsignal(sig)
            if previous == signal.SIG_IGN:
                continue  # ignored by whoever started us: the command inherits that too
            self._previous[sig] = previous
            signal.signal(sig, self._handle)

    def _handle(self, signum: int, frame: object) -> None:
        self.received.append(signum)
        if self.proc is not None:
            self._forward(signum)

    def started(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        for signum in self.received:  # arrived between install() and the start
            self._forward(signum)

    def _forward(self, signum: int) -> None:
        assert self.proc is not None
        if signum in TERMINAL and _terminal_sent_it():
            return
        try:
            self.proc.send_signal(signum)  # does nothing once the command has been reaped
        except ProcessLookupError:  # pragma: no cover - exited between poll and kill
            pass

    def restore(self) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)  # type: ignore[arg-type]
        self._previous.clear()


def _terminal_sent_it() -> bool:
    """Whether we are in the foreground process group of our controlling terminal: then a SIGINT
    or SIGQUIT most likely came from its keyboard, and the command (same group) has it too."""
    try:
        fd = os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY)
    except OSError:
        return False  # no controlling terminal
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False
    finally:
        os.close(fd)


def die_of_sigint() -> None:
    """End exitaudit by SIGINT, after its work is done, when the command died of the Ctrl-C
    exitaudit also got: a calling shell script then stops too, as it would without exitaudit
    (bash's "wait and cooperative exit"). An exit code of 130 would let the script carry on."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(1)  # pragma: no cover - the signal is delivered before this ends
