"""Baking: put a badge (a JWS or an assertion URL/JSON) into a PNG or SVG, and read it back.

PNG: one uncompressed ``iTXt`` chunk with keyword ``openbadges`` before ``IEND``; every other
byte of the image is kept. SVG: an ``<openbadges:assertion verify="...">`` element right after
the ``<svg>`` tag. Inputs are size-checked before they are read whole, and SVG is parsed only
with defusedxml (no DTDs, entities or external references).
"""

from __future__ import annotations

import io
import re
from typing import BinaryIO
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from badges import png
from badges.errors import BakeError, InputTooLarge
from badges.png import SIGNATURE as PNG_SIGNATURE
from badges.sniff import sniff

MAX_IMAGE_BYTES = 10 * 1024 * 1024
KEYWORD = b"openbadges"
OB_NS = "http://openbadges.org"
SVG_NS = "http://www.w3.org/2000/svg"


def read_limited(source: bytes | BinaryIO, limit: int = MAX_IMAGE_BYTES) -> bytes:
    """The bytes of ``source``, refusing anything over ``limit`` without reading it all."""
    if isinstance(source, bytes | bytearray):
        if len(source) > limit:
            raise InputTooLarge(f"the input is larger than {limit // (1024 * 1024)} MB")
        return bytes(source)
    data = source.read(limit + 1)
    if len(data) > limit:
        raise InputTooLarge(f"the input is larger than {limit // (1024 * 1024)} MB")
    return data


def kind_of(data: bytes) -> str | None:
    """``png`` or ``svg`` by the content (badges.sniff), else None."""
    kind = sniff(data)
    return kind if kind in ("png", "svg") else None


# --- PNG -------------------------------------------------------------------------------------


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, body) of every chunk, checking lengths and CRCs; ends at IEND."""
    found: list[tuple[bytes, bytes]] = []
    for item in png.chunks(io.BytesIO(data)):
        found.append((item.kind, item.body()))
        if len(found) == 1 and item.kind not in (b"IHDR", b"IEND"):
            raise BakeError("the PNG is damaged: it does not start with IHDR")
    return found


def _is_badge_chunk(kind: bytes, body: bytes) -> bool:
    return kind in (b"iTXt", b"tEXt") and body.startswith(KEYWORD + b"\x00")


def bake_png(image: bytes | BinaryIO, badge: str) -> bytes:
    """``image`` with ``badge`` in an uncompressed iTXt chunk, replacing any earlier one."""
    data = read_limited(image)
    chunks = png_chunks(data)
    text = KEYWORD + b"\x00" + b"\x00\x00" + b"\x00" + b"\x00" + badge.encode("utf-8")
    out = [PNG_SIGNATURE]
    for kind, body in chunks:
        if _is_badge_chunk(kind, body):
            continue
        if kind == b"IEND":
            out.append(png.chunk(b"iTXt", text))
        out.append(png.chunk(kind, body))
    return b"".join(out)


def unbake_png(image: bytes | BinaryIO) -> str | None:
    for kind, body in png_chunks(read_limited(image)):
        if not _is_badge_chunk(kind, body):
            continue
        rest = body[len(KEYWORD) + 1 :]
        if kind == b"tEXt":
            return rest.decode("latin-1")
        if len(rest) < 2 or rest[0] != 0:
            raise BakeError("the openbadges iTXt chunk is compressed, which the spec forbids")
        parts = rest[2:].split(b"\x00", 2)
        if len(parts) != 3:
            raise BakeError("the openbadges iTXt chunk is malformed")
        try:
            return parts[2].decode("utf-8")
        except UnicodeDecodeError as error:
            raise BakeError("the openbadges iTXt chunk is not UTF-8 text") from error
    return None


# --- SVG -------------------------------------------------------------------------------------


def _parse_svg(data: bytes) -> Element:
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise BakeError("the SVG declares a DTD or entities, which are refused") from error
    except SafeET.ParseError as error:
        raise BakeError(f"the SVG is not well-formed XML: {error}") from error
    if not isinstance(root, Element) or root.tag not in (f"{{{SVG_NS}}}svg", "svg"):
        raise BakeError("the file is XML but not an SVG image")
    return root


def _escape(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


_EXISTING = re.compile(rb"<openbadges:assertion\b.*?(?:/>|</openbadges:assertion>)", re.S)
_SVG_TAG = re.compile(rb"<svg\b[^>]*>", re.S)


def bake_svg(image: bytes | BinaryIO, badge: str, assertion_json: str | None = None) -> bytes:
    """The SVG with an ``openbadges:assertion`` element (``verify`` = the JWS or URL)."""
    data = read_limited(image)
    _parse_svg(data)
    data = _EXISTING.sub(b"", data)
    match = _SVG_TAG.search(data)
    if match is None:
        raise BakeError("no <svg> tag found")
    tag = match.group(0)
    if b"xmlns:openbadges" not in tag:
        tag = tag[:-1].rstrip(b"/") + b' xmlns:openbadges="http://openbadges.org">'
    body = f'<openbadges:assertion verify="{_escape(badge)}"'
    if assertion_json:
        cdata = assertion_json.replace("]]>", "]]]]><![CDATA[>")
        body += f"><![CDATA[{cdata}]]></openbadges:assertion>"
    else:
        body += "/>"
    baked = data[: match.start()] + tag + body.encode("utf-8") + data[match.end() :]
    _parse_svg(baked)
    return baked


def unbake_svg(image: bytes | BinaryIO) -> str | None:
    root = _parse_svg(read_limited(image))
    for element in root.iter(f"{{{OB_NS}}}assertion"):
        verify = element.get("verify")
        if verify:
            return verify
        return (element.text or "").strip() or None
    return None


def bake(image: bytes | BinaryIO, badge: str) -> bytes:
    data = read_limited(image)
    kind = kind_of(data)
    if kind == "png":
        return bake_png(data, badge)
    if kind == "svg":
        return bake_svg(data, badge)
    raise BakeError("only PNG and SVG images can be baked")


def unbake(image: bytes | BinaryIO) -> str:
    """What is baked into a PNG or SVG (a JWS, a URL or assertion JSON); BakeError if none."""
    data = read_limited(image)
    kind = kind_of(data)
    if kind is None:
        raise BakeError("not a PNG or SVG image")
    found = unbake_png(data) if kind == "png" else unbake_svg(data)
    if not found:
        raise BakeError("no Open Badges data is baked into this image")
    return found
