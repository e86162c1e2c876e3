"""exitaudit's cache folder: work that is the same from run to run, kept between runs.

It holds what is costly to redo and cheap to check: compiled Hyperscan databases (scanner.py)
and parsed rule files (rules.py), each under a name derived from a hash of everything it depends
on, so that a stale entry is never read, only left behind. ``$XDG_CACHE_HOME/exitaudit``, else
``~/.cache/exitaudit``; a folder that cannot be written just means no cache.

Entries left behind (each edit of a rule file leaves one, each rule set its own Hyperscan
database) are removed, least recently used first, when a write takes the folder past
MAX_ENTRIES or MAX_BYTES: a read marks an entry used.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

MAX_ENTRIES = 200
MAX_BYTES = 64 << 20
"""The largest a cache folder grows. Measured with the built-in pack: `check` on a small log
leaves 16 entries (0.5 MiB); a batch over sample_logs/manifest.csv, whose rows name several tool
selections (a Hyperscan database each), 46 (3.4 MiB)."""
PRUNE_TO = 0.75
"""A prune removes entries down to this share of both limits, so that the next write does not
prune again."""
STALE_TMP_SECONDS = 3600
"""A half-written entry this old was left by a process that died while writing it."""


def path(name: str) -> str:
    return os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "exitaudit", name)


def read(name: str) -> bytes | None:
    target = path(name)
    try:
        with open(target, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    try:
        os.utime(target)  # used now: the last entry a prune removes
    except OSError:
        pass  # a read-only cache is still read
    return data


def write(name: str, data: bytes) -> None:
    """Write whole or not at all (renamed into place), so that a reader never sees half."""
    target = path(name)
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        tmp = f"{target}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except OSError:
        return  # a read-only home: just no cache
    prune(os.path.dirname(target), keep=target)


def prune(folder: str, keep: str | None = None) -> None:
    """Remove least recently used entries while the folder holds more than MAX_ENTRIES or
    MAX_BYTES, down to PRUNE_TO of both, never ``keep`` (the entry just written); and the
    half-written entries of processes that died. Costs one listing of the folder per write, and
    a write happens only when an entry was missing."""
    now = time.time()
    entries: list[tuple[float, int, str]] = []
    try:
        with os.scandir(folder) as it:
            for entry in it:
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if entry.name.endswith(".tmp"):
                    if now - st.st_mtime > STALE_TMP_SECONDS:
                        _remove(entry.path)
                    continue
                if entry.is_file(follow_symlinks=False):
                    entries.append((st.st_mtime, st.st_size, entry.path))
    except OSError:
        return
    count = len(entries)
    total = sum(size for _m, size, _p in entries)
    if count <= MAX_ENTRIES and total <= MAX_BYTES:
        return
    entries.sort()  # oldest use first
    for _mtime, size, entry_path in entries:
        if count <= MAX_ENTRIES * PRUNE_TO and total <= MAX_BYTES * PRUNE_TO:
            break
        if entry_path == keep:
            continue
        _remove(entry_path)
        count -= 1
        total -= size


def _remove(entry_path: str) -> None:
    try:
        os.remove(entry_path)
    except OSError:
        pass  # gone already (another process pruned it), or not ours to remove


def remembered(kind: str, key: Any, make: Callable[[], Any]) -> Any:
    """``make()``, or what it gave before for the same ``key``: plain data (str, bytes, numbers,
    lists, tuples, dicts, sets) kept with marshal, which reads back without running code, beside
    the key itself, so that an entry is used only for exactly that key and its file name can be
    a CRC (importing hashlib costs more than the whole lookup). A value marshal cannot keep is
    simply not kept."""
    import marshal
    import zlib

    packed_key = marshal.dumps(key)
    name = f"{kind}-{zlib.crc32(packed_key):08x}-{len(packed_key)}.marshal"
    blob = read(name)
    if blob is not None:
        try:
            stored_key, value = marshal.loads(blob)
            if stored_key == key:
                return value
        except (EOFError, ValueError, TypeError):
            pass  # unreadable: make it anew
    value = make()
    try:
        write(name, marshal.dumps((key, value)))
    except ValueError:
        pass
    return value
