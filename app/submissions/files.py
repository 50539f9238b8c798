"""What a file really is, judged by its first bytes (never by its name), and safe names."""

from __future__ import annotations

import io
import re
import struct
import unicodedata
from collections.abc import Iterator
from typing import Any, BinaryIO

HEAD_BYTES = 64


def sniff(head: bytes) -> str | None:
    """The kind of file ``head`` starts (one of app.models.credentials.FILE_KINDS), or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand.startswith(b"qt"):
            return "mov"
        if brand.startswith(b"M4A"):
            return "m4a"
        return "mp4"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "mp3"
    if head.startswith(b"PK\x03\x04"):
        # Office files are zip archives; the first entry names the kind in most writers.
        if b"word/" in head:
            return "docx"
        if b"ppt/" in head:
            return "pptx"
        if b"xl/" in head:
            return "xlsx"
        return "docx" if b"[Content_Types].xml" in head else None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "txt" if text and all(c.isprintable() or c in "\r\n\t" for c in text) else None


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
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COPY_CHUNK = 1024 * 1024


def without_location(kind: str, stream: BinaryIO) -> BinaryIO:
    """``stream`` with the photo's location (and other camera metadata) removed.

    JPEG: the EXIF block is replaced by one that keeps only the orientation (so photos stay
    upright); XMP and Photoshop/IPTC blocks are dropped. PNG: ``eXIf`` and metadata text
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


def _exactly(stream: BinaryIO, size: int) -> bytes:
    parts: list[bytes] = []
    got = 0
    while got < size:
        part = stream.read(min(size - got, _COPY_CHUNK))
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _copy(stream: BinaryIO, size: int) -> Iterator[bytes]:
    left = size
    while left > 0:
        part = stream.read(min(left, _COPY_CHUNK))
        if not part:
            raise DamagedImage("the image ends before its last part")
        left -= len(part)
        yield part


def _jpeg_without_location(stream: BinaryIO) -> Iterator[bytes]:
    if _exactly(stream, 2) != b"\xff\xd8":
        raise DamagedImage("not a JPEG image")
    yield b"\xff\xd8"
    while True:
        marker = _exactly(stream, 2)
        if len(marker) < 2:
            return
        while marker == b"\xff\xff":  # fill bytes before a marker
            marker = b"\xff" + _exactly(stream, 1)
        if marker[0] != 0xFF or len(marker) < 2:
            raise DamagedImage("the JPEG image is damaged")
        code = marker[1]
        if code in (0xDA, 0xD9):  # start of scan / end of image: the rest is image data
            yield marker
            while chunk := stream.read(_COPY_CHUNK):
                yield chunk
            return
        if 0xD0 <= code <= 0xD7 or code == 0x01:
            yield marker
            continue
        length_bytes = _exactly(stream, 2)
        if len(length_bytes) < 2 or int.from_bytes(length_bytes, "big") < 2:
            raise DamagedImage("the JPEG image is damaged")
        payload = _exactly(stream, int.from_bytes(length_bytes, "big") - 2)
        if len(payload) < int.from_bytes(length_bytes, "big") - 2:
            raise DamagedImage("the JPEG image ends too early")
        if code == 0xE1 and payload.startswith(b"Exif\x00\x00"):
            orientation = _orientation(payload[6:])
            if orientation is not None:
                yield _exif_with_orientation(orientation)
            continue
        if (code == 0xE1 and payload.startswith(_XMP_PREFIXES)) or code == 0xED:
            continue
        yield marker + length_bytes + payload


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


def _png_without_location(stream: BinaryIO) -> Iterator[bytes]:
    if _exactly(stream, 8) != _PNG_SIGNATURE:
        raise DamagedImage("not a PNG image")
    yield _PNG_SIGNATURE
    while True:
        header = _exactly(stream, 8)
        if not header:
            raise DamagedImage("the PNG image has no end")
        if len(header) < 8:
            raise DamagedImage("the PNG image ends too early")
        length, chunk_type = struct.unpack(">I4s", header)
        if length > 0x7FFFFFFF:
            raise DamagedImage("the PNG image is damaged")
        rest = length + 4  # data and CRC
        head = b""
        if chunk_type in (b"tEXt", b"zTXt", b"iTXt"):
            head = _exactly(stream, min(length, 80))
            rest -= len(head)
            dropped = head.split(b"\x00", 1)[0] in _PNG_METADATA_KEYWORDS
        else:
            dropped = chunk_type == b"eXIf"
        if dropped:
            for _ in _copy(stream, rest):
                pass
            continue
        yield header + head
        yield from _copy(stream, rest)
        if chunk_type == b"IEND":
            return
