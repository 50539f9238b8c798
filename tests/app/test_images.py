"""Badge image validation: good PNG and SVG pass (cleaned), hostile or broken files are refused."""

from __future__ import annotations

import struct
import zlib

import pytest

from app.errors import InvalidInput
from app.images import MAX_IMAGE_BYTES, validate_badge_image


def chunk(kind: bytes, body: bytes, *, crc: int | None = None, length: int | None = None) -> bytes:
    crc = zlib.crc32(kind + body) if crc is None else crc
    length = len(body) if length is None else length
    return struct.pack(">I", length) + kind + body + struct.pack(">I", crc)


def make_png(
    width: int = 4,
    height: int = 3,
    *,
    extra: tuple[bytes, ...] = (),
    ihdr_size: tuple[int, int] | None = None,
) -> bytes:
    """An RGBA PNG (colour type 6, 8 bits); ``extra`` chunks go between IHDR and IDAT."""
    raw = b"".join(b"\0" + bytes([10, 20, 30, 255]) * width for _ in range(height))
    w, h = ihdr_size or (width, height)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
        + b"".join(extra)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def itxt(keyword: bytes, text: bytes) -> bytes:
    return chunk(b"iTXt", keyword + b"\0\0\0\0\0" + text)


SIMPLE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<circle cx="5" cy="5" r="4" fill="#1d4f91"/></svg>'
)


def refused(data: bytes, filename: str) -> str:
    with pytest.raises(InvalidInput) as caught:
        validate_badge_image(data, filename)
    return caught.value.message


# -- PNG ----------------------------------------------------------------------------------


def test_a_valid_png_comes_back_unchanged() -> None:
    png = make_png()
    assert validate_badge_image(png, "badge.png") == (png, "image/png")


def test_png_kind_is_recognised_without_an_extension() -> None:
    assert validate_badge_image(make_png(), "")[1] == "image/png"


def test_png_keeps_ordinary_text_chunks_and_drops_an_old_baked_assertion() -> None:
    comment = itxt(b"Comment", b"made by hand")
    baked = itxt(b"openbadges", b'{"id": "https://elsewhere.example/a/1"}')
    cleaned, _ = validate_badge_image(make_png(extra=(comment, baked)), "badge.png")
    assert b"made by hand" in cleaned
    assert b"openbadges" not in cleaned
    assert cleaned == make_png(extra=(comment,))


def test_png_drops_data_after_iend() -> None:
    png = make_png()
    cleaned, _ = validate_badge_image(png + b"<script>alert(1)</script>", "badge.png")
    assert cleaned == png


def test_interlaced_png_is_accepted() -> None:
    width, height = 5, 3
    # Adam7 passes of a 5x3 image as (width, height); pass 3 is empty. Rows are 1 + 4*w bytes.
    rows = [(1, 1), (1, 1), (1, 1), (3, 1), (2, 2), (5, 1)]
    raw = b"".join(b"\0" + b"\x01\x02\x03\xff" * w for w, h in rows for _ in range(h))
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 1))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    assert validate_badge_image(png, "i.png") == (png, "image/png")


def test_png_with_a_lying_chunk_length_is_refused() -> None:
    png = make_png()
    # IHDR says it holds 4000 bytes: the file ends long before that.
    lying = png[:8] + struct.pack(">I", 4000) + png[12:]
    assert "claims to be longer" in refused(lying, "badge.png")


def test_png_with_a_bad_crc_is_refused() -> None:
    png = make_png(extra=(chunk(b"tEXt", b"Title\0Badge", crc=12345),))
    assert "checksum" in refused(png, "badge.png")


def test_png_truncated_before_iend_is_refused() -> None:
    png = make_png()
    assert "IEND" in refused(png[:-12], "badge.png")


@pytest.mark.parametrize(("width", "height"), [(0, 10), (10, 0), (2049, 10), (10, 5000)])
def test_png_with_absurd_dimensions_is_refused(width: int, height: int) -> None:
    message = refused(make_png(ihdr_size=(width, height)), "badge.png")
    assert "2048 pixels" in message


def test_png_whose_image_data_does_not_match_its_header_is_refused() -> None:
    png = make_png(4, 3, ihdr_size=(40, 30))
    assert "does not match" in refused(png, "badge.png")


def test_png_not_starting_with_ihdr_is_refused() -> None:
    png = make_png()
    moved = png[:8] + chunk(b"tEXt", b"a\0b") + png[8:]
    assert "IHDR" in refused(moved, "badge.png")


# -- SVG ----------------------------------------------------------------------------------


def test_a_valid_svg_is_kept_and_reserialised() -> None:
    cleaned, mimetype = validate_badge_image(SIMPLE_SVG, "badge.svg")
    assert mimetype == "image/svg+xml"
    assert cleaned.startswith(b"<?xml")
    assert b'<svg xmlns="http://www.w3.org/2000/svg"' in cleaned
    assert b"<circle" in cleaned
    assert b'fill="#1d4f91"' in cleaned


def test_svg_keeps_internal_references_and_embedded_png() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<defs><linearGradient id="g"><stop offset="0"/></linearGradient></defs>'
        b'<rect fill="url(#g)" width="5" height="5"/><use xlink:href="#g"/>'
        b'<image href="data:image/png;base64,iVBORw0KGgo="/></svg>'
    )
    cleaned, _ = validate_badge_image(svg, "badge.svg")
    assert b'fill="url(#g)"' in cleaned
    assert b'xlink:href="#g"' in cleaned
    assert b'href="data:image/png;base64,iVBORw0KGgo="' in cleaned


@pytest.mark.parametrize(
    ("hostile", "gone"),
    [
        (b"<script>alert(1)</script>", b"alert"),
        (b'<script xlink:href="https://evil.example/x.js"/>', b"evil"),
        (b'<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">hi</p></foreignObject>', b"hi"),
        (b'<iframe src="https://evil.example/"/>', b"evil"),
        (b'<style>@import url("https://evil.example/a.css");</style>', b"evil"),
        (b'<image href="https://evil.example/track.png"/>', b"evil"),
        (b'<image xlink:href="file:///etc/passwd"/>', b"passwd"),
        (b'<a href="javascript:alert(1)"><text>x</text></a>', b"javascript"),
        (b'<a href=" jav&#x09;ascript:alert(1)"><text>x</text></a>', b"alert"),
        (b'<rect onclick="alert(1)" width="1" height="1"/>', b"alert"),
        (b'<rect style="background:url(https://evil.example/)"/>', b"evil"),
        (b'<rect fill="url(https://evil.example/#g)"/>', b"evil"),
        (b'<set attributeName="href" to="https://evil.example/"/>', b"evil"),
    ],
)
def test_hostile_svg_content_is_removed(hostile: bytes, gone: bytes) -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        + hostile
        + b'<circle r="1"/></svg>'
    )
    cleaned, _ = validate_badge_image(svg, "badge.svg")
    assert gone not in cleaned
    assert b"<circle" in cleaned


def test_svg_onload_on_the_root_is_removed() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
    cleaned, _ = validate_badge_image(svg, "badge.svg")
    assert b"onload" not in cleaned
    assert b"alert" not in cleaned


def test_svg_keeps_harmless_styles() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><style>rect { fill: red; }</style></svg>'
    cleaned, _ = validate_badge_image(svg, "badge.svg")
    assert b"fill: red" in cleaned


def test_svg_without_namespace_gets_the_svg_namespace() -> None:
    cleaned, _ = validate_badge_image(b"<svg><rect/></svg>", "badge.svg")
    assert b'xmlns="http://www.w3.org/2000/svg"' in cleaned


def test_svg_drops_an_old_baked_assertion() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b'<openbadges:assertion verify="https://elsewhere.example/a/1"/><rect/></svg>'
    )
    cleaned, _ = validate_badge_image(svg, "badge.svg")
    assert b"elsewhere" not in cleaned


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol4;</text></svg>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>"""


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_svg_with_a_dtd_or_entities_is_refused(hostile: bytes) -> None:
    assert "DOCTYPE" in refused(hostile, "badge.svg")


def test_malformed_svg_is_refused() -> None:
    assert "well-formed" in refused(b"<svg xmlns='http://www.w3.org/2000/svg'><rect>", "b.svg")


def test_xml_that_is_not_svg_is_refused() -> None:
    message = refused(b'<?xml version="1.0"?><html><body/></html>', "badge.svg")
    assert "not an SVG" in message


# -- size and kind ------------------------------------------------------------------------


def test_an_oversized_file_is_refused_before_parsing() -> None:
    data = b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_IMAGE_BYTES
    assert "1 MB" in refused(data, "badge.png")


def test_an_empty_file_is_refused() -> None:
    assert "empty" in refused(b"", "badge.png")


@pytest.mark.parametrize(
    ("data", "filename", "says"),
    [
        (b"\xff\xd8\xff\xe0\0\x10JFIF\0", "photo.jpg", ".jpg"),
        (b"\xff\xd8\xff\xe0\0\x10JFIF\0", "photo.png", "JPEG"),
        (b"GIF89a\x01\0\x01\0", "anim.gif", ".gif"),
        (b"GIF89a\x01\0\x01\0", "anim.svg", "GIF"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", "page.svg", "HTML"),
        (b"just some text", "notes.png", "not an image"),
    ],
)
def test_other_kinds_are_refused_naming_the_accepted_ones(
    data: bytes, filename: str, says: str
) -> None:
    message = refused(data, filename)
    assert says in message
    assert "PNG or an SVG" in message


def test_a_png_named_svg_is_refused() -> None:
    message = refused(make_png(), "badge.svg")
    assert "named as SVG" in message
    assert "PNG or an SVG" in message


def test_an_svg_named_png_is_refused() -> None:
    assert "named as PNG" in refused(SIMPLE_SVG, "badge.png")
