"""Baking PNG and SVG: round trips, replacement, and hostile or oversized inputs refused."""

from __future__ import annotations

import io
import struct
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badges import bake
from badges.errors import BadgeError, BakeError, InputTooLarge
from badges.fetch import StaticFetcher
from badges.verify import verify
from tests.badges.samples import SVG, make_png

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJpZCI6InVybjp1dWlkOjEifQ.c2lnbmF0dXJl"


def test_png_round_trip_keeps_every_other_byte() -> None:
    png = make_png(8)
    baked = bake.bake_png(png, TOKEN)
    assert bake.unbake(baked) == TOKEN
    # Remove our chunk again: the rest is the original image, byte for byte.
    chunks = [(k, b) for k, b in bake.png_chunks(baked) if k != b"iTXt"]
    assert chunks == bake.png_chunks(png)
    rebaked = bake.bake_png(baked, "https://example.org/assertions/2")
    assert bake.unbake(rebaked) == "https://example.org/assertions/2"
    assert sum(1 for k, _ in bake.png_chunks(rebaked) if k == b"iTXt") == 1


def test_svg_round_trip_signed_and_hosted() -> None:
    assert bake.unbake(bake.bake_svg(SVG, TOKEN)) == TOKEN
    hosted = bake.bake_svg(
        SVG, "https://example.org/a/1", assertion_json='{"id": "https://example.org/a/1"}'
    )
    assert bake.unbake(hosted) == "https://example.org/a/1"
    assert b'xmlns:openbadges="http://openbadges.org"' in hosted
    assert bake.unbake(bake.bake_svg(hosted, TOKEN)) == TOKEN


def test_png_whose_chunk_lengths_lie_is_refused() -> None:
    png = bytearray(make_png(4))
    struct.pack_into(">I", png, 33, 0x7FFFFFF0)  # the IDAT length
    with pytest.raises(BakeError, match="claims more bytes"):
        bake.unbake(bytes(png))
    with pytest.raises(BakeError, match=r"truncated|claims more"):
        bake.unbake(make_png(4)[:40])


def test_png_with_bad_checksum_is_refused() -> None:
    png = bytearray(make_png(4))
    png[-20] ^= 0xFF
    with pytest.raises(BakeError, match=r"checksum|claims|truncated"):
        bake.bake_png(bytes(png), TOKEN)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol3;</text></svg>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>"""


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_hostile_svg_is_refused(hostile: bytes) -> None:
    with pytest.raises(BakeError, match="DTD or entities"):
        bake.unbake(hostile)
    with pytest.raises(BakeError):
        bake.bake_svg(hostile, TOKEN)
    report = verify(hostile, fetcher=StaticFetcher({}))
    assert not report.valid
    assert "DTD" in report.checks[0].message


class EndlessFile(io.RawIOBase):
    """A file that would yield 100 MB; it counts what was read."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = 100 * 1024 * 1024 if size < 0 else min(size, 100 * 1024 * 1024 - self.read_bytes)
        self.read_bytes += size
        return (
            b"\x89PNG\r\n\x1a\n" + bytes(max(size - 8, 0))
            if self.read_bytes == size
            else bytes(size)
        )


def test_100_mb_input_is_refused_before_it_is_read_whole() -> None:
    source = EndlessFile()
    with pytest.raises(InputTooLarge, match="larger than 10 MB"):
        bake.unbake(source)  # type: ignore[arg-type]
    assert source.read_bytes <= bake.MAX_IMAGE_BYTES + 1
    with pytest.raises(InputTooLarge):
        bake.unbake(b"\x00" * (bake.MAX_IMAGE_BYTES + 1))
    assert not verify(EndlessFile(), fetcher=StaticFetcher({})).valid  # type: ignore[arg-type]


def test_other_images_are_refused() -> None:
    with pytest.raises(BakeError, match="PNG and SVG"):
        bake.bake(b"GIF89a....", TOKEN)
    with pytest.raises(BakeError, match="no Open Badges data"):
        bake.unbake(make_png(2))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_random_bytes_only_give_clear_errors(data: bytes) -> None:
    for candidate in (data, b"\x89PNG\r\n\x1a\n" + data, b"<svg " + data):
        try:
            bake.unbake(candidate)
        except BadgeError as error:
            message = error.message
        else:
            message = "found"
        assert message
        report: Any = verify(candidate, fetcher=StaticFetcher({}))
        assert not report.valid
        assert report.checks
