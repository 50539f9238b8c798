"""PNG chunks, read from a stream and written back: the project's one PNG walker.

A PNG is an 8-byte signature, then chunks: a 4-byte length, a 4-byte type, the body, and a
CRC-32 of type and body; IEND is the last. :func:`chunks` walks them from any readable stream
and stops after IEND (whatever follows is never read). Two modes:

- ``check=True`` (badges being baked, images being uploaded): each chunk is read whole and
  checked (its length, a type of four ASCII letters, its CRC) before it is handed over;
- ``check=False`` (photos being filtered): a chunk is handed over as soon as its header is
  read, and its body is read by the caller in pieces of at most :data:`PIECE` bytes, or
  skipped, so a large photo is never held in memory.

Damage raises :class:`~badges.errors.DamagedPNG`, whose ``problem`` names what is wrong so a
caller can word it for its own readers. :func:`chunk` writes one chunk.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from typing import Final, Protocol

from badges.errors import DamagedPNG

SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
MAX_LENGTH: Final = 2**31 - 1  # the spec's ceiling for a chunk's length
PIECE: Final = 1024 * 1024  # the most read from the stream at once


class Readable(Protocol):
    """A byte stream read front to back."""

    def read(self, size: int = -1, /) -> bytes: ...


class Chunk:
    """One chunk: its type and length at once, its body on demand (read, streamed or skipped).

    ``header`` is the chunk's first 8 bytes as read (length and type). Whatever the caller
    leaves unread is skipped before the next chunk is read.
    """

    def __init__(self, kind: bytes, length: int, header: bytes, stream: Readable) -> None:
        self.kind = kind
        self.length = length
        self.header = header
        self._stream = stream
        self._body_left = length
        self._crc_left = 4

    def read(self, size: int) -> bytes:
        """Up to ``size`` more bytes of the body (fewer only at its end)."""
        want = min(size, self._body_left)
        data = read_exactly(self._stream, want)
        self._body_left -= len(data)
        if len(data) < want:
            raise DamagedPNG("short")
        return data

    def body(self) -> bytes:
        """The rest of the body."""
        return b"".join(self._pieces(with_crc=False))

    def raw(self) -> Iterator[bytes]:
        """The rest of the body and the CRC, as read, in pieces of at most PIECE bytes."""
        return self._pieces(with_crc=True)

    def skip(self) -> None:
        for _ in self._pieces(with_crc=True):
            pass

    def _pieces(self, *, with_crc: bool) -> Iterator[bytes]:
        while self._body_left:
            yield self.read(min(self._body_left, PIECE))
        if with_crc and self._crc_left:
            crc = read_exactly(self._stream, self._crc_left)
            self._crc_left -= len(crc)
            if self._crc_left:
                raise DamagedPNG("short")
            yield crc


def chunks(stream: Readable, *, check: bool = True) -> Iterator[Chunk]:
    """The chunks after the signature, up to and including IEND; DamagedPNG on any damage.

    With ``check``, each chunk is read whole and its type and CRC are checked before it is
    yielded; without, its body is left for the caller to read, stream or skip.
    """
    if read_exactly(stream, len(SIGNATURE)) != SIGNATURE:
        raise DamagedPNG("signature")
    while True:
        header = read_exactly(stream, 8)
        if len(header) < 8:
            raise DamagedPNG("cut_short" if header else "no_end")
        length, kind = struct.unpack(">I4s", header)
        if length > MAX_LENGTH:
            raise DamagedPNG("too_long")
        item = Chunk(kind, length, header, _checked(kind, length, stream) if check else stream)
        yield item
        item.skip()
        if kind == b"IEND":
            return


def _checked(kind: bytes, length: int, stream: Readable) -> Readable:
    """The body and CRC of a chunk, read whole and checked, as a stream of their own."""
    data = read_exactly(stream, length + 4)
    if len(data) < length + 4:
        raise DamagedPNG("short")
    if not kind.isalpha():  # bytes.isalpha() is ASCII letters only
        raise DamagedPNG("chunk_type")
    (crc,) = struct.unpack(">I", data[length:])
    if zlib.crc32(kind + data[:length]) != crc:
        raise DamagedPNG("checksum", kind)
    return io.BytesIO(data)


def chunk(kind: bytes, body: bytes) -> bytes:
    """One chunk, written: length, type, body, CRC."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def read_exactly(stream: Readable, size: int) -> bytes:
    """``size`` bytes of ``stream``, or fewer where it ends; read in pieces, so a length that
    lies costs no more memory than the stream really holds."""
    parts: list[bytes] = []
    got = 0
    while got < size:
        part = stream.read(min(size - got, PIECE))
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)
