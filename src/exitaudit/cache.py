"""exitaudit's cache folder: work that is the same from run to run, kept between runs.

It holds what is costly to redo and cheap to check: compiled Hyperscan databases (scanner.py)
and parsed rule files (rules.py), each under a name derived from a hash of everything it depends
on, so that a stale entry is never read, only left behind. ``$XDG_CACHE_HOME/exitaudit``, else
``~/.cache/exitaudit``; a folder that cannot be written just means no cache.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any


def path(name: str) -> str:
    return os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "exitaudit", name)


def read(name: str) -> bytes | None:
    try:
        with open(path(name), "rb") as fh:
            return fh.read()
    except OSError:
        return None


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
        pass  # a read-only home: just no cache


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
