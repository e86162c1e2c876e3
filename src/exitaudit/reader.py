"""Readers: turn a file, a compressed file or standard input into blocks of clean lines.

A log is read in blocks of whole lines, so memory stays bounded whatever the log's size; the
engine scans each block with the rules' patterns. Blocks stay raw bytes: the engine searches
plain lines where they lie and cleans only the lines that need it (scanner.py). Cleaning keeps
line numbers: ANSI escapes are removed within a line, CRLF becomes LF, and a bare CR (progress
bars) separates segments of the same numbered line.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import re
import stat
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from .errors import InputError

READ_SIZE = 1 << 20
"""Bytes read at a time; a block holds about this much text."""
MAX_LINE = 8 << 20
"""A line longer than this is matched in pieces of this size, so one giant line cannot exhaust memory."""
SNIFF_SIZE = 8192

# ECMA-48 escape sequences: CSI (colours, cursor moves, "erase line" as in GitLab's `\r\x1b[0K`),
# OSC (titles, hyperlinks; ended by BEL or ST) and the two-byte forms. None may swallow a newline,
# or line numbers would shift.
_ANSI_PATTERN = (
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?"
    r"|\x1b[()][0-9A-Za-z]"
    r"|\x1b[@-Z\\-_]"
)
_ANSI_BYTES = re.compile(_ANSI_PATTERN.encode())

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
)
# Formats we recognise but do not read: say so instead of auditing compressed bytes as text.
_UNSUPPORTED_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x28\xb5\x2f\xfd", "a zstd-compressed file (decompress it first: zstd -dc FILE | exitaudit check -)"),
    (b"PK\x03\x04", "a zip archive (extract the log first)"),
    (b"\x7fELF", "an ELF executable, not a log"),
    (b"\x89PNG", "a PNG image, not a log"),
    (b"\xff\xfe", "UTF-16 text (convert it first: iconv -f UTF-16 -t UTF-8 FILE)"),
    (b"\xfe\xff", "UTF-16 text (convert it first: iconv -f UTF-16 -t UTF-8 FILE)"),
)
# Control bytes that text logs do not contain; \t \n \v \f \r \b ESC and DEL are text to us.
_BINARY_BYTES = bytes(b for b in range(32) if b not in b"\t\n\x0b\x0c\r\x08\x1b")


@dataclass(frozen=True)
class Block:
    data: bytes
    """Whole raw lines (ending in \\n) except possibly at the end of the log or of a giant
    line's piece. UTF-8 as far as the log is; the engine cleans and decodes what it reads."""
    first_line: int
    """1-based number of the block's first line; 0 when the reader did not number it (the
    engine does, in the pass that numbers its hits: ``LogSource.blocks(numbered=False)``)."""

    @property
    def text(self) -> str:
        """The block as patterns see it: cleaned, decoded with U+FFFD for invalid UTF-8."""
        return clean(self.data).decode("utf-8", errors="replace")


_ANSI_TAIL = re.compile(
    rb"\[[0-?]*[ -/]*[@-~]"
    rb"|\][^\x07\x1b\n]*(?:\x07|\x1b\\)?"
    rb"|[()][0-9A-Za-z]"
    rb"|[@-Z\\-_]"
)
"""An escape sequence without its ESC, matched at the start of what follows an ESC."""


def clean(data: bytes) -> bytes:
    """ANSI escapes out, CRLF to LF; never adds or removes a newline."""
    escapes = data.count(b"\x1b")
    if escapes:
        if escapes * 256 < len(data):
            # Sparse colour: split at ESC (memchr) and trim each sequence; costs per escape.
            parts = data.split(b"\x1b")
            tail = _ANSI_TAIL.match
            out = [parts[0]]
            for part in parts[1:]:
                m = tail(part)
                out.append(part[m.end():] if m else b"\x1b" + part)
            data = b"".join(out)
        else:
            # Colour on most lines: one pass of the regex costs less than a loop per escape.
            data = _ANSI_BYTES.sub(b"", data)
    if b"\r\n" in data:
        data = data.replace(b"\r\n", b"\n")
    return data


def blocks_of(text: str | bytes) -> list[Block]:
    """A small in-memory log as one block, as the readers read files."""
    data = text.encode("utf-8", errors="surrogateescape") if isinstance(text, str) else text
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return [Block(data, 1)] if data else []


def _sniff_binary(head: bytes) -> str | None:
    """Why ``head`` is not a text log, or None. NUL bytes alone do not make a log binary."""
    for magic, what in _UNSUPPORTED_MAGIC:
        if head.startswith(magic):
            return f"is {what}"
    if not head:
        return None
    sample = head[:SNIFF_SIZE]
    controls = len(sample) - len(sample.translate(None, _BINARY_BYTES))
    invalid = sample.decode("utf-8", errors="replace").count("\ufffd")
    # A real log has the odd NUL or control byte (a program writing a C string badly) and the odd
    # Latin-1 line; a binary file has them everywhere. Thresholds: a tenth of the bytes control
    # bytes, or a third not text at all.
    if controls > len(sample) * 0.1 or controls + invalid > len(sample) * 0.3:
        return f"looks binary ({controls + invalid} of the first {len(sample)} bytes are not text), not a text log"
    return None


class LogSource:
    """One log to audit: a path, or ``-`` for standard input. Use as a context manager."""

    def __init__(self, name: str, *, stdin: BinaryIO | None = None) -> None:
        self.name = name
        self._stdin = stdin
        self._raw: BinaryIO | None = None
        self._stream: BinaryIO | None = None
        self.compression: str | None = None
        self.bytes_read = 0
        self.lines = 0

    @property
    def size(self) -> int | None:
        """The log's size in bytes when known in advance (a plain, uncompressed file)."""
        if self.compression or self._raw is None or self.name == "-":
            return None
        try:
            return os.fstat(self._raw.fileno()).st_size
        except (OSError, ValueError, AttributeError):
            return None

    @property
    def display(self) -> str:
        return "<stdin>" if self.name == "-" else self.name

    def __enter__(self) -> LogSource:
        self._raw = self._open_raw()
        buffered = self._raw if isinstance(self._raw, io.BufferedReader) else io.BufferedReader(self._raw)  # type: ignore[arg-type]
        magic = buffered.peek(8)[:8]
        self._stream = buffered
        for sig, kind in _MAGIC:
            if magic.startswith(sig):
                self.compression = kind
                self._stream = _decompressor(kind, buffered)
                break
        return self

    def __exit__(self, *exc: object) -> None:
        for stream in (self._stream, self._raw):
            if stream is not None and stream is not self._stdin:
                try:
                    stream.close()
                except OSError:
                    pass

    def _open_raw(self) -> BinaryIO:
        if self.name == "-":
            stdin = self._stdin or sys.stdin.buffer
            if stdin.isatty():
                raise InputError("standard input is a terminal; pipe a log in or name a file", where="-")
            return stdin
        if is_url(self.name):
            return _open_url(self.name)
        # No stat before the open (a batch opens thousands of logs): a folder is told from the
        # open's failure, IsADirectoryError here, PermissionError on Windows.
        try:
            return open(self.name, "rb")  # noqa: SIM115 - closed in __exit__
        except FileNotFoundError:
            raise InputError("no such file", where=self.name) from None
        except (IsADirectoryError, PermissionError) as exc:
            if isinstance(exc, IsADirectoryError) or os.path.isdir(self.name):
                raise InputError("is a directory, not a log file", where=self.name) from None
            raise InputError("permission denied", where=self.name) from None
        except OSError as exc:
            raise InputError(f"cannot open: {exc.strerror or exc}", where=self.name) from None

    def _read(self, size: int, *, line: bool = False) -> bytes:
        """``size`` bytes, or with ``line`` the rest of the current line (at most ``size``)."""
        assert self._stream is not None
        try:
            data = self._stream.readline(size) if line else self._stream.read(size)
        except EOFError:
            raise InputError(
                f"{self.compression} stream is truncated after {self.bytes_read} bytes of log",
                where=self.display,
            ) from None
        except (OSError, zlib.error, lzma.LZMAError) as exc:
            what = f"corrupt {self.compression} data" if self.compression else "read failed"
            raise InputError(f"{what}: {exc}", where=self.display) from None
        self.bytes_read += len(data)
        return data

    def validate(self) -> None:
        """Raise InputError for a binary log, as blocks() would on its first block."""
        self._refuse(self._read(SNIFF_SIZE) if self._stream is not None else b"")

    def _refuse(self, head: bytes) -> None:
        """InputError when the first bytes read show a binary log. An empty log is valid input
        (flake8, eslint and ruff print nothing on success): it has no blocks."""
        if not head:
            return
        why = _sniff_binary(head)
        if why:
            raise InputError(why, where=self.display)

    def blocks(self, start: int = 0, end: int | None = None, first_line: int = 1, *, numbered: bool = True) -> Iterator[Block]:
        """Yield the log as raw blocks of whole lines (none for an empty log, or one that is only
        a byte order mark). Raises InputError for binary input.

        ``start`` and ``end`` (offsets of line starts in a plain file, see stretches()) read one
        stretch of it, its lines numbered from ``first_line``. ``numbered=False`` leaves the
        counting to the engine (first_line 0, ``lines`` not set): counting the newlines of a
        block costs a third of its scan."""
        assert self._stream is not None
        if start or end is not None:
            self._stream.seek(start)
        remaining = None if end is None else end - start
        # Reads no larger than what is left of a file of known size: allocating a 1 MiB buffer
        # for a 100 KiB log costs five times the read (measured); one byte more finds the end.
        known = self.size or None  # /proc files and FIFOs say 0
        pos = start
        line = first_line
        carry = b""
        first = start == 0
        unterminated = False
        while True:
            size = READ_SIZE if remaining is None else min(READ_SIZE, remaining)
            if known is not None:
                size = min(size, max(known - pos, 0) + 1)
            chunk = self._read(size) if size > 0 else b""
            pos += len(chunk)
            if known is not None and pos > known:
                known = None  # the file has grown (a log still being written): read on freely
            if remaining is not None:
                remaining -= len(chunk)
            if first:
                first = False
                self._refuse(chunk)
                if chunk.startswith(b"\xef\xbb\xbf"):
                    chunk = chunk[3:]  # a UTF-8 byte order mark is not part of the first line
                    if not chunk:
                        chunk = self._read(READ_SIZE if remaining is None else min(READ_SIZE, remaining))
                        pos += len(chunk)
                        if remaining is not None:
                            remaining -= len(chunk)
            if not chunk:
                break
            if not carry and not chunk.endswith(b"\n") and remaining != 0:
                # Finish the last line from the stream: the block is then the chunk itself, not
                # a copy cut from carry + chunk (copies cost more than reading, measured 5x).
                # A stretch ends at a line start, so this never reads past its end.
                rest = self._read(MAX_LINE, line=True)
                chunk += rest
                pos += len(rest)
                if remaining is not None:
                    remaining -= len(rest)
            data = carry + chunk if carry else chunk
            if data.endswith(b"\n"):
                carry, block = b"", data
            else:  # the end of the log, or a line longer than MAX_LINE
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    if len(data) < MAX_LINE:
                        carry = data
                        continue
                    cut = _utf8_boundary(data, MAX_LINE)
                carry = data[cut:]
                block = data[:cut]
            unterminated = not block.endswith(b"\n")
            if numbered:
                yield Block(block, line)
                line += block.count(b"\n")
            else:
                yield Block(block, 0)
        if carry:
            block = carry
            unterminated = not block.endswith(b"\n")
            yield Block(block, line if numbered else 0)
            line += block.count(b"\n") if numbered else 0
        if numbered:
            # A last line without a newline (a log still being written) is a line all the same.
            self.lines = line - first_line + unterminated

    def stretches(self, count: int, min_size: int) -> list[tuple[int, int]] | None:
        """The log cut into ``count`` byte ranges of about equal size, each beginning at a line
        start, to be read by several processes; None when it cannot be (standard input, a
        compressed file or a URL: they only read forwards) or is smaller than ``min_size``."""
        size = self.size
        if size is None or size < min_size or count < 2 or is_url(self.name) or self._raw is None:
            return None
        fd = self._raw.fileno()
        cuts = [0]
        for k in range(1, count):
            cut = _line_start_from(fd, max(size * k // count, cuts[-1]), size)
            if cut >= size:
                break
            if cut > cuts[-1]:
                cuts.append(cut)
        cuts.append(size)
        return list(zip(cuts, cuts[1:], strict=False)) if len(cuts) > 2 else None


def _line_start_from(fd: int, pos: int, size: int) -> int:
    """The first line start at or after ``pos``."""
    if pos == 0:
        return 0
    pos -= 1  # a newline just before pos makes pos a line start
    while pos < size:
        data = os.pread(fd, 1 << 16, pos)
        if not data:
            break
        nl = data.find(b"\n")
        if nl != -1:
            return pos + nl + 1
        pos += len(data)
    return size

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(name: str) -> bool:
    """A URL (``s3://``, ``gs://``, ``http://``, ``file://``, ``memory://``...), which LogSource
    opens with fsspec; anything else is a path."""
    return _URL.match(name) is not None


def _open_url(url: str) -> BinaryIO:
    """A URL opened with fsspec, imported only here; its protocol's backend must be installed."""
    try:
        import fsspec
    except ImportError:
        raise InputError("reading a URL needs fsspec: pip install fsspec", where=url) from None
    try:
        return fsspec.open(url, "rb").open()  # type: ignore[no-any-return]
    except ImportError as exc:  # fsspec names the package: "Install s3fs to access S3"
        raise InputError(f"no fsspec backend for {url.split('://')[0]}:// here ({str(exc).strip()})", where=url) from None
    except FileNotFoundError:
        raise InputError("no such file", where=url) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a log file", where=url) from None
    except PermissionError:
        raise InputError("permission denied", where=url) from None
    except Exception as exc:  # noqa: BLE001 - each backend raises its own kinds (credentials, network...)
        lines = str(exc).strip().splitlines()
        raise InputError(f"cannot open: {lines[0] if lines else type(exc).__name__}", where=url) from None


def _utf8_boundary(data: bytes, limit: int) -> int:
    """An offset at or just below ``limit`` that does not split a UTF-8 sequence. ``data`` may
    end exactly at ``limit`` (a giant line's carry grown to it): then a sequence begun in its
    last three bytes, whose rest is still to be read, goes to the next piece."""
    if limit < len(data):
        cut = limit
        while cut > limit - 4 and cut > 0 and (data[cut] & 0xC0) == 0x80:
            cut -= 1
        return cut
    cut = len(data)
    for back in range(1, min(4, cut) + 1):
        lead = data[cut - back]
        if lead & 0xC0 == 0x80:
            continue  # a continuation byte: its lead is further back
        needs = 1 if lead < 0x80 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
        return cut - back if needs > back and cut - back > 0 else cut
    return cut


def _decompressor(kind: str, stream: BinaryIO) -> BinaryIO:
    if kind == "gzip":
        return gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[return-value]
    if kind == "bz2":
        return bz2.BZ2File(stream, mode="rb")  # type: ignore[return-value]
    return lzma.LZMAFile(stream, mode="rb")  # type: ignore[return-value]


def read_small_file(
    path: str,
    *,
    what: str,
    error: Callable[[str, int | None], Exception],
    limit: int = 1 << 20,
    regular_only: bool = True,
) -> str:
    """A whole small UTF-8 file (a rule file, a configuration file, an exit-code file), with one
    clear error for each way it can fail; ``error(message, line)`` makes the exception.

    At most ``limit + 1`` bytes are read, whatever the file's size. The open never blocks: a
    FIFO (or a device) is refused unless ``regular_only`` is False, for a file the command line
    names (``--exit-code-file <(echo $?)`` is a pipe); a FIFO a repository planted as a rule
    file or a sidecar would otherwise hang the audit until someone writes to it."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise error("no such file", None) from None
    except IsADirectoryError:
        raise error(f"is a directory, not {what}", None) from None
    except PermissionError:
        raise error("permission denied", None) from None
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror or exc}", None) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise error(f"is a directory, not {what}", None)
        if not stat.S_ISREG(st.st_mode):
            if regular_only:
                raise error(f"is {_file_kind(st.st_mode)}, not a regular file; not {what}", None)
            os.set_blocking(fd, True)  # a pipe named on the command line: wait for its writer
        # Not read(limit + 1) for every file: that allocates the whole limit first.
        size = st.st_size
        wanted = (size if 0 < size <= limit else limit) + 1
        chunks: list[bytes] = []
        got = 0
        while got < wanted:  # grown since the fstat, or a pipe: read on, to the limit
            chunk = os.read(fd, min(wanted - got, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
            if got == wanted and size < got <= limit:
                wanted = limit + 1
        data = b"".join(chunks)
    except IsADirectoryError:
        raise error(f"is a directory, not {what}", None) from None
    except PermissionError:
        raise error("permission denied", None) from None
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror or exc}", None) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise error(f"larger than {limit >> 10} KiB; not {what}", None)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"not valid UTF-8 (byte {exc.start})", data[: exc.start].count(b"\n") + 1) from None


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def read_text(source: str | os.PathLike[str], *, regular_only: bool = True) -> str:
    """A whole small text file (an exit-code file), with clear errors. ``regular_only=False``
    for a file the command line names, which may be a pipe."""
    name = os.fspath(source)
    return read_small_file(name, what="a file", error=lambda message, _line: InputError(message, where=name), regular_only=regular_only)
