"""Readers: compression by magic bytes, cleaning that keeps line numbers, and every bad input."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os

import pytest

from exitaudit import reader
from exitaudit.errors import InputError
from exitaudit.reader import LogSource


def read_all(path, **kw) -> tuple[str, LogSource]:
    with LogSource(str(path), **kw) as src:
        text = "".join(b.text for b in src.blocks())
    return text, src


LOG = b"first line\nsecond: Errors: 1\nthird\n"


@pytest.mark.parametrize(
    ("compress", "kind"),
    [(gzip.compress, "gzip"), (bz2.compress, "bz2"), (lzma.compress, "xz")],
)
def test_compressed_logs_are_read_by_magic_bytes_not_by_name(tmp_path, compress, kind):
    path = tmp_path / "build.log"  # deliberately no .gz/.bz2/.xz suffix
    path.write_bytes(compress(LOG))
    text, src = read_all(path)
    assert text == LOG.decode()
    assert src.compression == kind
    assert src.lines == 3
    assert src.bytes_read == len(LOG)


def test_plain_file_with_compressed_name_is_read_as_text(tmp_path):
    path = tmp_path / "build.log.gz"
    path.write_bytes(LOG)
    text, src = read_all(path)
    assert text == LOG.decode() and src.compression is None


def test_ansi_sequences_are_stripped_and_line_numbers_kept(tmp_path):
    path = tmp_path / "colour.log"
    path.write_bytes(
        b"\x1b[1m\x1b[32mok\x1b[0m\n"
        b"\x1b]8;;https://example.org\x07link\x1b]8;;\x07\n"
        b"section_start:1:build\r\x1b[0Kbuilding\n"
        b"\x1b[31mErrors: 1\x1b[0m\n"
    )
    with LogSource(str(path)) as src:
        blocks = list(src.blocks())
    text = "".join(b.text for b in blocks)
    assert "\x1b" not in text
    assert text.split("\n")[3] == "Errors: 1"
    assert src.lines == 4


def test_crlf_becomes_lf_and_bare_cr_is_kept_for_the_engine(tmp_path):
    path = tmp_path / "cr.log"
    path.write_bytes(b"a\r\nprogress 10%\rprogress 100%\rdone\r\nb\n")
    text, src = read_all(path)
    assert text == "a\nprogress 10%\rprogress 100%\rdone\nb\n"
    assert src.lines == 3


def test_invalid_utf8_is_replaced_and_counted(tmp_path):
    from exitaudit import load_rules
    from exitaudit.engine import Engine
    from exitaudit.model import ExitStatus

    path = tmp_path / "latin1.log"
    # A Latin-1 byte in a line the engine reads (it holds a pattern's literal, "Errors: "), and a
    # U+FFFD that was in the log already.
    path.write_bytes("caf\u00e9 ok Errors: 1\n".encode("latin-1") + "already \ufffd here Errors: 2\n".encode())
    text, src = read_all(path)
    assert text.startswith("caf\ufffd ok Errors: 1\n")
    with LogSource(str(path)) as src:
        run = Engine(load_rules()).audit(src.blocks(), ExitStatus.unknown())
    assert run.stats.invalid_utf8 == 1  # the U+FFFD already in the log is not counted


def test_nul_bytes_in_a_text_log_are_kept(tmp_path):
    path = tmp_path / "nul.log"
    path.write_bytes(b"line one\nbad\x00write\nErrors: 1\n")
    text, _ = read_all(path)
    assert "bad\x00write" in text


def test_last_line_without_newline_is_read(tmp_path):
    path = tmp_path / "partial.log"
    path.write_bytes(b"one\ntwo\nErrors: 1")  # a log still being written
    text, src = read_all(path)
    assert text.endswith("Errors: 1") and src.lines == 3


def test_giant_line_is_read_in_pieces_with_bounded_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "MAX_LINE", 1000)
    monkeypatch.setattr(reader, "READ_SIZE", 256)
    payload = "é" * 3000  # multi-byte characters, so a cut could split one
    path = tmp_path / "giant.log"
    path.write_bytes(b"before\n" + payload.encode() + b"\nafter\n")
    with LogSource(str(path)) as src:
        blocks = list(src.blocks())
    assert max(len(b.text.encode()) for b in blocks) <= 1000 + 256
    text = "".join(b.text for b in blocks)
    assert text == "before\n" + payload + "\nafter\n"
    assert src.lines == 3
    # Every block knows its first line: the pieces of the giant line all start on line 2.
    assert [b.first_line for b in blocks if payload[:10] in b.text or "é" in b.text][0] == 2


def test_long_lines_whose_pieces_end_exactly_at_max_line_are_read(tmp_path, monkeypatch):
    """A piece of a line longer than MAX_LINE can end exactly at MAX_LINE with nothing after it
    in the buffer; the cut is then the end of the buffer. Found by a real dotnet log (compiler
    error lines of 480-526 bytes, CRLF); the line lengths here are that log's."""
    monkeypatch.setattr(reader, "MAX_LINE", 300)
    monkeypatch.setattr(reader, "READ_SIZE", 21)
    lengths = [480, 480, 480, 496, 496, 496, 188, 526, 509, 515, 515, 176, 335, 463, 480, 477, 351, 406, 355, 388, 376, 431]
    text = "".join("a" * (n - 1) + "\r\n" for n in lengths)
    path = tmp_path / "long-crlf.log"
    path.write_bytes(text.encode())
    with LogSource(str(path)) as src:
        blocks = list(src.blocks())
    assert "".join(b.text for b in blocks) == text.replace("\r\n", "\n")
    assert src.lines == len(lengths)


def test_blocks_carry_correct_first_line_numbers(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "READ_SIZE", 64)
    lines = [f"line {i}" for i in range(1, 201)]
    path = tmp_path / "many.log"
    path.write_text("\n".join(lines) + "\n")
    with LogSource(str(path)) as src:
        for block in src.blocks():
            first = block.text.split("\n", 1)[0]
            assert first == f"line {block.first_line}"


def test_stdin_is_read_and_may_be_compressed():
    stream = io.BufferedReader(io.BytesIO(gzip.compress(LOG)))
    text, src = read_all("-", stdin=stream)
    assert text == LOG.decode() and src.display == "<stdin>" and src.compression == "gzip"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (bytes(range(256)) * 40, "looks binary"),
        (b"\x7fELF\x02\x01\x01" + bytes(500), "ELF executable"),
        (b"\x28\xb5\x2f\xfd" + bytes(50), "zstd"),
        (b"PK\x03\x04" + bytes(50), "zip archive"),
        (gzip.compress(LOG * 100)[:-30], "gzip stream is truncated"),
        (b"\x1f\x8b\x08\x00garbage-not-deflate-data" * 3, "corrupt gzip"),
    ],
    ids=["binary", "elf", "zstd", "zip", "truncated-gzip", "corrupt-gzip"],
)
def test_bad_logs_raise_one_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.log"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_all(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_all(tmp_path / "missing.log")
    with pytest.raises(InputError, match="is a directory"):
        read_all(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path):
    path = tmp_path / "secret.log"
    path.write_bytes(LOG)
    path.chmod(0)
    with pytest.raises(InputError, match="permission denied"):
        read_all(path)


@pytest.mark.parametrize("content", [b"", gzip.compress(b""), b"\xef\xbb\xbf"], ids=["empty", "empty-gzip", "bom-only"])
def test_an_empty_log_is_valid_input_with_no_blocks(tmp_path, content):
    path = tmp_path / "empty.log"
    path.write_bytes(content)
    with LogSource(str(path)) as src:
        src.validate()
        assert list(src.blocks()) == []


def test_a_byte_order_mark_is_not_part_of_the_first_line(tmp_path):
    path = tmp_path / "bom.log"
    path.write_bytes(b"\xef\xbb\xbfabc")  # a short first line without a newline: the mark goes too
    with LogSource(str(path)) as src:
        assert [b.data for b in src.blocks()] == [b"abc"] and src.lines == 1
