"""Badge images: check an uploaded PNG or SVG and return a safe copy.

A badge image is shown on public pages, served from our origin and later baked with a signed
assertion, so it must be exactly what it claims to be and carry nothing active:

- the size is capped before anything is parsed;
- a PNG is walked chunk by chunk (lengths, CRCs, IHDR first with sane dimensions, image data
  that inflates to exactly the size IHDR promises, IEND); an earlier ``openbadges`` chunk is
  dropped, as is anything after IEND;
- an SVG is parsed with defusedxml (no DTD, entities or external references), then scripts,
  event handlers, foreign content and outside references are removed before it is written
  out again.

Everything else (JPEG, GIF, HTML, a PNG named ``.svg``) is refused, naming what is accepted.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree as ET  # only builds and serialises; parsing is defusedxml

import defusedxml
import defusedxml.ElementTree as SafeET
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.errors import InvalidInput
from app.i18n import number
from badges import png
from badges.errors import DamagedPNG
from badges.sniff import sniff

MAX_IMAGE_BYTES = 1024 * 1024
MAX_DIMENSION = 2048
ACCEPTED = _l("Badge images must be a PNG or an SVG file.")

PNG_MIMETYPE = "image/png"
SVG_MIMETYPE = "image/svg+xml"

PNG_SIGNATURE = png.SIGNATURE
_CRITICAL_CHUNKS = {b"IHDR", b"PLTE", b"IDAT", b"IEND"}
_BADGE_CHUNK_KEYWORD = b"openbadges"
# colour type -> (channels, allowed bit depths)
_COLOUR_TYPES = {
    0: (1, {1, 2, 4, 8, 16}),
    2: (3, {8, 16}),
    3: (1, {1, 2, 4, 8}),
    4: (2, {8, 16}),
    6: (4, {8, 16}),
}
_ADAM7: tuple[tuple[int, int, int, int], ...] = (
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
)
_ADAM7 += ((0, 1, 1, 2),)

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
OPENBADGES_NS = "http://openbadges.org"
_DROPPED_ELEMENTS = {
    "script",
    "foreignobject",
    "iframe",
    "embed",
    "object",
    "handler",
    "listener",
    "audio",
    "video",
    "canvas",
}
_ANIMATIONS = {"set", "animate", "animatetransform", "animatemotion", "animatecolor"}
_SAFE_HREF_PREFIXES = ("#", "data:image/png", "data:image/jpeg")
_CSS_DANGER = re.compile(r"url\s*\(|@import|expression\s*\(|behavior\s*:|-moz-binding", re.I)
_CSS_URL = re.compile(r"url\s*\(\s*['\"]?\s*([^)'\"\s]*)", re.I)
_CONTROL_AND_SPACE = re.compile(r"[\x00-\x20\x7f]+")

ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)


def validate_badge_image(data: bytes, filename: str) -> tuple[bytes, str]:
    """Return ``(safe_bytes, mimetype)`` for an uploaded badge image, or raise InvalidInput.

    ``filename`` only states what the uploader claims; the content decides, and the two must
    agree (a PNG named ``badge.svg`` is refused).
    """
    if not data:
        raise InvalidInput(_("The badge image is empty.") + " " + ACCEPTED)
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidInput(
            _(
                "The badge image is %(size)s MB; the largest accepted is 1 MB.",
                size=number(round(len(data) / (1024 * 1024), 1)),
            )
        )
    claimed = _claimed_kind(filename)
    actual = sniff(data)
    if actual not in ("png", "svg"):
        raise InvalidInput(str(_REFUSALS.get(actual or "", _UNREADABLE)) + " " + ACCEPTED)
    if claimed is not None and claimed != actual:
        raise InvalidInput(
            _(
                "The file is named as %(claimed)s but its content is %(actual)s.",
                claimed=claimed.upper(),
                actual=actual.upper(),
            )
            + " "
            + ACCEPTED
        )
    if actual == "png":
        return _clean_png(data), PNG_MIMETYPE
    return _clean_svg(data), SVG_MIMETYPE


# -- kind ---------------------------------------------------------------------------------


def _claimed_kind(filename: str) -> str | None:
    name = (filename or "").strip().lower()
    if "." not in name:
        return None
    extension = name.rsplit(".", 1)[1]
    if extension == "png":
        return "png"
    if extension == "svg":
        return "svg"
    raise InvalidInput(
        _("Files ending in .%(extension)s are not accepted.", extension=extension[:10])
        + " "
        + ACCEPTED
    )


_UNREADABLE = _l("This file is not an image we can read.")
_REFUSALS = {
    "jpg": _l("This is a JPEG image."),
    "gif": _l("This is a GIF image."),
    "webp": _l("This is a WebP image."),
    "html": _l("This is an HTML page, not an image."),
}


# -- PNG ----------------------------------------------------------------------------------


# What each kind of damage badges.png reports says to the person uploading.
_PNG_DAMAGE = {
    "signature": _l("The file is not a PNG image."),
    "no_end": _l("The PNG file is cut short: it ends before its IEND chunk."),
    "cut_short": _l("The PNG file is cut short: it ends before its IEND chunk."),
    "too_long": _l("The PNG file is damaged: a chunk claims to be longer than the file."),
    "short": _l("The PNG file is damaged: a chunk claims to be longer than the file."),
    "chunk_type": _l("The PNG file is damaged: a chunk has an invalid name."),
    "checksum": _l("The PNG file is damaged: the %(kind)s chunk fails its checksum."),
}


def _png_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """Yield ``(type, body)`` up to and including IEND; refuse any damage."""
    try:
        for item in png.chunks(io.BytesIO(data)):
            yield item.kind, item.body()
    except DamagedPNG as err:
        message = str(_PNG_DAMAGE[err.problem]).replace("%(kind)s", str(err.kind))
        raise InvalidInput(message) from err


def _clean_png(data: bytes) -> bytes:
    out = [PNG_SIGNATURE]
    header: tuple[int, int, int, int, int] | None = None
    compressed: list[bytes] = []
    seen_palette = False
    for index, (kind, body) in enumerate(_png_chunks(data)):
        if index == 0:
            if kind != b"IHDR":
                raise InvalidInput(_("The PNG file is damaged: it does not start with IHDR."))
            header = _read_ihdr(body)
        elif kind == b"IHDR":
            raise InvalidInput(_("The PNG file is damaged: it has more than one IHDR chunk."))
        if kind.upper() == kind and kind not in _CRITICAL_CHUNKS:
            raise InvalidInput(
                _("The PNG file uses an unknown chunk (%(chunk)s).", chunk=kind.decode())
            )
        if kind == b"PLTE":
            seen_palette = True
        if kind == b"IDAT":
            compressed.append(body)
        if kind in (b"iTXt", b"tEXt", b"zTXt") and body.split(b"\0", 1)[0] == (
            _BADGE_CHUNK_KEYWORD
        ):
            continue  # an earlier baked assertion: never re-served or re-baked
        out.append(png.chunk(kind, body))  # as read: its CRC was checked
    assert header is not None  # the loop ran at least once: _png_chunks reached IEND
    if not compressed:
        raise InvalidInput(_("The PNG file has no image data."))
    if header[3] == 3 and not seen_palette:
        raise InvalidInput(_("The PNG file is damaged: a palette image without its palette."))
    _check_image_data(b"".join(compressed), header)
    return b"".join(out)


def _read_ihdr(body: bytes) -> tuple[int, int, int, int, int]:
    if len(body) != 13:
        raise InvalidInput(_("The PNG file is damaged: its header has the wrong size."))
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", body
    )
    if not (1 <= width <= MAX_DIMENSION and 1 <= height <= MAX_DIMENSION):
        raise InvalidInput(
            _(
                "The PNG is %(width)s by %(height)s pixels; badge images must be between 1 and "
                "%(most)s pixels on each side.",
                width=width,
                height=height,
                most=MAX_DIMENSION,
            )
        )
    if colour not in _COLOUR_TYPES or depth not in _COLOUR_TYPES[colour][1]:
        raise InvalidInput(_("The PNG file is damaged: unknown colour type or bit depth."))
    if compression != 0 or filtering != 0 or interlace not in (0, 1):
        raise InvalidInput(_("The PNG file is damaged: unknown compression or interlace method."))
    return width, height, depth, colour, interlace


def _expected_raw_size(width: int, height: int, depth: int, colour: int, interlace: int) -> int:
    bits_per_pixel = depth * _COLOUR_TYPES[colour][0]
    passes = _ADAM7 if interlace else ((0, 0, 1, 1),)
    total = 0
    for x0, y0, dx, dy in passes:
        pass_width = (width - x0 + dx - 1) // dx if width > x0 else 0
        pass_height = (height - y0 + dy - 1) // dy if height > y0 else 0
        if pass_width and pass_height:
            total += pass_height * (1 + (pass_width * bits_per_pixel + 7) // 8)
    return total


def _check_image_data(compressed: bytes, header: tuple[int, int, int, int, int]) -> None:
    expected = _expected_raw_size(*header)
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(compressed, expected + 1)
    except zlib.error as err:
        raise InvalidInput(_("The PNG file is damaged: its image data cannot be read.")) from err
    if len(raw) != expected or not inflater.eof:
        raise InvalidInput(
            _("The PNG file is damaged: its image data does not match its stated size.")
        )


# -- SVG ----------------------------------------------------------------------------------


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def _namespace(name: str) -> str:
    return name[1:].split("}", 1)[0] if name.startswith("{") else ""


def _clean_svg(data: bytes) -> bytes:
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden as err:
        raise InvalidInput(
            _(
                "The SVG declares a DOCTYPE; badge SVGs must not use DTDs or entities. "
                "Export it again as plain SVG."
            )
        ) from err
    except (defusedxml.DefusedXmlException, ET.ParseError, ValueError) as err:
        raise InvalidInput(
            _(
                "The SVG file is not well-formed XML, or it uses entities or external "
                "references, which are not accepted."
            )
        ) from err
    if _local(root.tag) != "svg" or _namespace(root.tag) not in ("", SVG_NS):
        raise InvalidInput(_("The file is XML but not an SVG image.") + " " + ACCEPTED)
    _sanitise(root)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode("utf-8")


def _sanitise(element: ET.Element) -> None:
    # typeshed types Element.tag as str; a comment's or a PI's tag is a function.
    if not isinstance(element.tag, str):  # pragma: no cover - the parser drops comments/PIs
        return  # type: ignore[unreachable]
    if _namespace(element.tag) == "":
        element.tag = f"{{{SVG_NS}}}{element.tag}"
    for name in list(element.attrib):
        if not _attribute_is_safe(name, element.attrib[name]):
            del element.attrib[name]
    for child in list(element):
        if _element_is_dropped(child):
            element.remove(child)
        else:
            _sanitise(child)


def _element_is_dropped(element: ET.Element) -> bool:
    if not isinstance(element.tag, str):  # a comment or PI (typeshed: tag is always str)
        return True  # type: ignore[unreachable]
    local = _local(element.tag)
    if _namespace(element.tag) == OPENBADGES_NS or local in _DROPPED_ELEMENTS:
        return True
    if local == "style":
        return bool(_CSS_DANGER.search("".join(element.itertext())))
    if local in _ANIMATIONS:
        target = element.attrib.get("attributeName", "").lower()
        return target.endswith("href") or target.startswith("on")
    return False


def _attribute_is_safe(name: str, value: str) -> bool:
    local = _local(name)
    compact = _CONTROL_AND_SPACE.sub("", value).lower()
    if local.startswith("on") or "javascript:" in compact or "vbscript:" in compact:
        return False
    if name == f"{{{XML_NS}}}base":
        return False
    if local == "href" or local == "src":
        return compact.startswith(_SAFE_HREF_PREFIXES)
    if local == "style":
        return _CSS_DANGER.search(value) is None
    if "url(" in compact:
        return all(target.startswith("#") for target in _CSS_URL.findall(value))
    return True


# -- generated badges ---------------------------------------------------------------------

_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


# The caption sits on the lower part of the inner disc (radius 101 inside the white ring), at
# most two lines kept clear of the ring: (baseline y, characters per line). The room at those
# heights is about 158 and 136 px: 24 and 20 characters at 12 px and 0.55 em a character.
_CAPTION_LINES = ((176, 24), (191, 20))
_CAPTION_SIZE = 12


def _caption_lines(caption: str) -> list[str]:
    """``caption`` on at most two lines, broken between words (an ellipsis when cut)."""
    (_first_y, first_chars), (_second_y, second_chars) = _CAPTION_LINES
    words = caption.split()
    first = ""
    while words and len(f"{first} {words[0]}".strip()) <= first_chars:
        first = f"{first} {words.pop(0)}".strip()
    if not first and words:  # one word longer than a line
        first, words[0] = words[0][:first_chars], words[0][first_chars:]
        words = [w for w in words if w]
    second = " ".join(words)
    if len(second) > second_chars:
        second = second[: second_chars - 1].rstrip() + "…"
    return [line for line in (first, second) if line]


def badge_svg(initials: str, caption: str = "", colour: str = "#1d4f91") -> bytes:
    """A simple round badge with ``initials`` (and a short ``caption``) as safe SVG bytes.

    Used for demo credentials and as the image of a credential that has none. The caption is
    wrapped onto two short lines that stay inside the ring.
    """
    from xml.sax.saxutils import escape

    if not _HEX_COLOUR.fullmatch(colour):
        colour = "#1d4f91"
    initials = escape(initials[:4], {'"': "&quot;"})
    size = 64 if len(initials) <= 2 else 48
    lines = _caption_lines(caption[:80])
    # One line sits lower; two share the band.
    places = _CAPTION_LINES[1:] if len(lines) == 1 else _CAPTION_LINES
    caption_svg = ""
    for line, (y, _chars) in zip(lines, places, strict=False):
        text = escape(line, {'"': "&quot;"})
        caption_svg += (
            f'<text x="128" y="{y}" text-anchor="middle" font-family="Helvetica, Arial, '
            f'sans-serif" font-size="{_CAPTION_SIZE}" fill="#ffffff">{text}</text>\n'
        )
    top = 128 + size // 3 - (8 if lines else 0)
    svg = f"""<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" \
viewBox="0 0 256 256" role="img" aria-label="{initials} badge">
<circle cx="128" cy="128" r="120" fill="{colour}"/>
<circle cx="128" cy="128" r="104" fill="none" stroke="#ffffff" stroke-width="6"/>
<text x="128" y="{top}" text-anchor="middle" font-family="Helvetica, Arial, \
sans-serif" font-size="{size}" font-weight="700" fill="#ffffff">{initials}</text>
{caption_svg}</svg>
"""
    return svg.encode("utf-8")


BAKED_PNG_SIZE = 512


def svg_to_png(data: bytes, size: int = BAKED_PNG_SIZE) -> bytes:
    """A PNG rendering of a (sanitised) badge SVG, for the baked PNG of an SVG-only badge."""
    import resvg_py

    png = resvg_py.svg_to_bytes(svg_string=data.decode("utf-8"), width=size, height=size)
    return bytes(png)


def png_in_svg(png: bytes) -> bytes:
    """An SVG that shows a PNG badge image, for the baked SVG of a PNG-only badge."""
    import base64

    width, height = struct.unpack(">II", png[16:24])
    encoded = base64.b64encode(png).decode("ascii")
    return (
        f'<svg xmlns="{SVG_NS}" xmlns:xlink="{XLINK_NS}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><image width="{width}" height="{height}" '
        f'xlink:href="data:image/png;base64,{encoded}"/></svg>'
    ).encode()


def image_of(version: Any) -> tuple[bytes, str]:
    """A credential version's badge image: its own (validated at upload), or a generated
    default badge with the title's initials. The catalog shows it; issuance bakes it."""
    data = getattr(version, "image", None)
    if data:
        return bytes(data), str(getattr(version, "image_mimetype", None) or "image/png")
    initials = "".join(word[0] for word in version.title.split()[:3] if word[:1].isalnum())
    return badge_svg(initials.upper() or "MC", ""), SVG_MIMETYPE
