"""What a file really is, judged by its first bytes (never by its name), and safe names."""

from __future__ import annotations

import io
import itertools
import re
import struct
import unicodedata
from collections.abc import Iterator
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.models.credentials import FILE_KINDS
from app.storage import Readable
from badges import png
from badges import sniff as sniffing
from badges.errors import DamagedPNG

HEAD_BYTES = 64


def sniff(head: bytes) -> str | None:
    """The kind of file ``head`` starts (one of app.models.credentials.FILE_KINDS), or None.

    The kinds are badges.sniff's; markup (SVG, HTML) is plain text to evidence."""
    kind = sniffing.sniff(head)
    if kind in ("svg", "html"):
        kind = "txt" if sniffing.is_text(head) else None
    return kind if kind in FILE_KINDS else None


def safe_filename(name: str) -> str:
    """A display name without paths, control characters or surprises; never used as a path."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^\w.\- ()]+", "_", name).strip(" .")
    return (name or "file")[:120]


class DamagedImage(ValueError):
    """An image whose structure ends or breaks before it should."""


_XMP_PREFIXES = (b"http://ns.adobe.com/xap/1.0/\x00", b"http://ns.adobe.com/xmp/extension/\x00")
# PNG text chunks that carry EXIF, XMP or IPTC (which may hold a location), by keyword.
_PNG_METADATA_KEYWORDS = {
    b"XML:com.adobe.xmp",
    b"Raw profile type exif",
    b"Raw profile type APP1",
    b"Raw profile type xmp",
    b"Raw profile type iptc",
}
_COPY_CHUNK = png.PIECE


def without_location(kind: str, stream: Readable) -> Readable:
    """``stream`` with the photo's location (and other camera metadata) removed.

    JPEG: the EXIF block is replaced by one that keeps only the orientation (so photos stay
    upright); XMP and Photoshop/IPTC blocks are dropped, and only the first image is kept (a
    multi-picture file's further images carry EXIF of their own). PNG: ``eXIf`` and metadata text
    chunks are dropped. Pixels are never re-encoded and everything is streamed, so a large
    photo is never held whole. Other kinds pass through unchanged.
    """
    if kind == "jpg":
        return IterReader(_jpeg_without_location(stream))
    if kind == "png":
        return IterReader(_png_without_location(stream))
    return stream


class IterReader(io.RawIOBase):
    """A read-only stream over an iterator of byte strings."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.buffer = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        want = None if size is None or size < 0 else size
        while want is None or len(self.buffer) < want:
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            self.buffer += chunk
        if want is None:
            out, self.buffer = self.buffer, b""
        else:
            out, self.buffer = self.buffer[:want], self.buffer[want:]
        return out

    def readinto(self, target: Any) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)


class _Pushback:
    """A stream that can take back bytes read too far (the start of the next JPEG marker)."""

    def __init__(self, stream: Readable) -> None:
        self.stream = stream
        self.pending = b""

    def exactly(self, size: int) -> bytes:
        out, self.pending = self.pending[:size], self.pending[size:]
        return out + png.read_exactly(self.stream, size - len(out)) if len(out) < size else out

    def chunk(self) -> bytes:
        if self.pending:
            out, self.pending = self.pending, b""
            return out
        return self.stream.read(_COPY_CHUNK)

    def unread(self, data: bytes) -> None:
        self.pending = data + self.pending


def _jpeg_without_location(stream: Readable) -> Iterator[bytes]:
    """The first image of a JPEG, segment by segment, without its location.

    Everything after the first image's end (EOI) is dropped: the further images of a
    multi-picture file (MPF: a phone's depth map or second lens, each with its own EXIF and
    GPS), an appended "motion photo" video, or any other trailer; so is the APP2 "MPF"
    segment that points at them. Segments between progressive scans get the same treatment
    as those before the first scan.
    """
    source = _Pushback(stream)
    if source.exactly(2) != b"\xff\xd8":
        raise DamagedImage(_("not a JPEG image"))
    yield b"\xff\xd8"
    while True:
        marker = source.exactly(2)
        if len(marker) < 2:
            return
        while marker == b"\xff\xff":  # fill bytes before a marker
            marker = b"\xff" + source.exactly(1)
        if marker[0] != 0xFF or len(marker) < 2:
            raise DamagedImage(_("the JPEG image is damaged"))
        code = marker[1]
        if code == 0xD9:  # end of the first image: whatever follows is not kept
            yield marker
            return
        if 0xD0 <= code <= 0xD7 or code == 0x01:
            yield marker
            continue
        length_bytes = source.exactly(2)
        if len(length_bytes) < 2 or int.from_bytes(length_bytes, "big") < 2:
            raise DamagedImage(_("the JPEG image is damaged"))
        payload = source.exactly(int.from_bytes(length_bytes, "big") - 2)
        if len(payload) < int.from_bytes(length_bytes, "big") - 2:
            raise DamagedImage(_("the JPEG image ends too early"))
        if code == 0xE1 and payload.startswith(b"Exif\x00\x00"):
            orientation = _orientation(payload[6:])
            if orientation is not None:
                yield _exif_with_orientation(orientation)
            continue
        if (
            (code == 0xE1 and payload.startswith(_XMP_PREFIXES))
            or (code == 0xE2 and payload.startswith(b"MPF\x00"))
            or code == 0xED
        ):
            continue
        yield marker + length_bytes + payload
        if code == 0xDA:  # start of scan: compressed data up to the next marker
            yield from _entropy_coded(source)


def _entropy_coded(source: _Pushback) -> Iterator[bytes]:
    """The compressed data of one scan, in chunks; the marker that ends it is put back.

    In this data 0xFF is followed by 0x00 (a stuffed byte), a restart marker (0xD0-0xD7) or
    more 0xFF fill; any other byte after 0xFF starts the next segment. A file that ends here
    without an end marker is kept as it is, as it always was.
    """
    data = b""
    while more := source.chunk():
        data += more
        start = 0
        while (at := data.find(b"\xff", start)) != -1 and at + 1 < len(data):
            following = data[at + 1]
            if following == 0x00 or 0xD0 <= following <= 0xD7:
                start = at + 2
            elif following == 0xFF:
                start = at + 1
            else:
                if at:
                    yield data[:at]
                source.unread(data[at:])
                return
        keep = 1 if data.endswith(b"\xff") else 0  # its next byte decides what it is
        if len(data) > keep:
            yield data[: len(data) - keep]
        data = data[len(data) - keep :]
    if data:
        yield data


def _orientation(tiff: bytes) -> int | None:
    """The EXIF orientation (1-8) in a TIFF block, or None."""
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None or len(tiff) < 8:
        return None
    (offset,) = struct.unpack(order + "I", tiff[4:8])
    if offset + 2 > len(tiff):
        return None
    (count,) = struct.unpack(order + "H", tiff[offset : offset + 2])
    for index in range(min(count, 1000)):
        start = offset + 2 + 12 * index
        if start + 12 > len(tiff):
            break
        tag, kind = struct.unpack(order + "HH", tiff[start : start + 4])
        if tag == 0x0112 and kind == 3:
            (value,) = struct.unpack(order + "H", tiff[start + 8 : start + 10])
            return value if 1 <= value <= 8 else None
    return None


def _exif_with_orientation(orientation: int) -> bytes:
    tiff = b"MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">H", 1)
    tiff += struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack(">I", 0)
    payload = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


# What each kind of damage badges.png reports means for a photo being filtered.
_PNG_DAMAGE = {
    "signature": _l("not a PNG image"),
    "no_end": _l("the PNG image has no end"),
    "cut_short": _l("the PNG image ends too early"),
    "too_long": _l("the PNG image is damaged"),
    "short": _l("the image ends before its last part"),
}


def _png_without_location(stream: Readable) -> Iterator[bytes]:
    """The PNG, chunk by chunk, without eXIf and metadata text chunks; streamed (badges.png
    reads only chunk headers and the first bytes of text chunks before deciding)."""
    chunks = png.chunks(stream, check=False)
    try:
        first = next(chunks)  # the signature and the first header, before anything is passed on
        yield png.SIGNATURE
        for chunk in itertools.chain([first], chunks):
            head = b""
            if chunk.kind in (b"tEXt", b"zTXt", b"iTXt"):
                head = chunk.read(80)
                dropped = head.split(b"\x00", 1)[0] in _PNG_METADATA_KEYWORDS
            else:
                dropped = chunk.kind == b"eXIf"
            if not dropped:
                yield chunk.header + head
                yield from chunk.raw()
    except DamagedPNG as err:
        raise DamagedImage(str(_PNG_DAMAGE[err.problem])) from err
