"""badges.png: the one PNG walker, checked whole or streamed; badges.sniff: the one sniffer."""

from __future__ import annotations

import io
import struct

import pytest

from badges import png
from badges.errors import DamagedPNG
from badges.sniff import sniff
from tests.badges.samples import SVG, make_png


class CountingStream(io.BytesIO):
    """A stream that remembers the largest single read asked of it."""

    largest = 0

    def read(self, size: int | None = -1, /) -> bytes:
        data = super().read(size)
        self.largest = max(self.largest, len(data))
        return data


def test_chunks_are_read_and_written_back_byte_for_byte() -> None:
    data = make_png(8)
    found = [(c.kind, c.body()) for c in png.chunks(io.BytesIO(data))]
    assert [kind for kind, _ in found] == [b"IHDR", b"IDAT", b"IEND"]
    assert png.SIGNATURE + b"".join(png.chunk(k, b) for k, b in found) == data


def test_nothing_after_iend_is_read() -> None:
    stream = io.BytesIO(make_png() + b"<html>trailer</html>")
    assert [c.kind for c in png.chunks(stream)][-1] == b"IEND"
    assert stream.read() == b"<html>trailer</html>"


def test_a_streamed_chunk_is_read_in_pieces_never_whole() -> None:
    big = png.PIECE * 3 + 5
    data = (
        png.SIGNATURE
        + png.chunk(b"IHDR", b"\x00" * 13)
        + png.chunk(b"zzZz", b"x" * big)
        + png.chunk(b"IEND", b"")
    )
    stream = CountingStream(data)
    out = [png.SIGNATURE]
    for chunk in png.chunks(stream, check=False):
        out.append(chunk.header)
        out.extend(chunk.raw())
    assert b"".join(out) == data
    assert stream.largest <= png.PIECE


def test_an_unread_streamed_chunk_is_skipped() -> None:
    data = make_png()
    kinds = [c.kind for c in png.chunks(io.BytesIO(data), check=False)]
    assert kinds == [b"IHDR", b"IDAT", b"IEND"]


def _damaged_checksum() -> bytes:
    data = bytearray(make_png())
    data[-20] ^= 0xFF  # inside the IDAT body
    return bytes(data)


def _bad_type() -> bytes:
    data = bytearray(make_png())
    data[37:41] = b"ID4T"  # the IDAT type (signature 8 + IHDR 25 + length 4)
    return bytes(data)


def _too_long() -> bytes:
    data = bytearray(make_png())
    struct.pack_into(">I", data, 33, 0x80000000)
    return bytes(data)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"GIF89a" + b"\x00" * 20, "signature"),
        (make_png()[:33], "no_end"),
        (make_png()[:36], "cut_short"),
        (_too_long(), "too_long"),
        (make_png()[:45], "short"),
        (_bad_type(), "chunk_type"),
        (_damaged_checksum(), "checksum"),
    ],
)
def test_damage_is_named(data: bytes, problem: str) -> None:
    with pytest.raises(DamagedPNG) as caught:
        list(png.chunks(io.BytesIO(data)))
    assert caught.value.problem == problem
    assert caught.value.message.startswith(("the PNG", "not a PNG"))


def test_a_streamed_walk_checks_structure_not_checksums() -> None:
    assert [c.kind for c in png.chunks(io.BytesIO(_damaged_checksum()), check=False)][-1] == (
        b"IEND"
    )
    with pytest.raises(DamagedPNG, match="claims more bytes"):
        list(png.chunks(io.BytesIO(make_png()[:45]), check=False))  # each unread chunk skipped


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (make_png(), "png"),
        (SVG, "svg"),
        (b"\xef\xbb\xbf  <?xml version='1.0'?><svg/>", "svg"),
        (b"<!DOCTYPE html><html></html>", "html"),
        (b"%PDF-1.7\n", "pdf"),
        (b"\xff\xd8\xff\xe0", "jpg"),
        (b"GIF89a\x01\x00", "gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
        (b"\x00\x00\x00\x18ftypqt  ", "mov"),
        (b"\x00\x00\x00\x18ftypisom", "mp4"),
        (b"PK\x03\x04\x14\x00word/document.xml", "docx"),
        (b"Plain notes\nline two\n", "txt"),
        (b"\x00\x01\x02binary", None),
    ],
)
def test_sniff_judges_by_content(head: bytes, kind: str | None) -> None:
    assert sniff(head) == kind
