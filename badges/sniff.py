"""What a file is, judged by its first bytes (never by its name): the project's one sniffer.

Badges (PNG or SVG), badge image uploads and evidence files all ask :func:`sniff`; each
caller decides which kinds it takes.
"""

from __future__ import annotations

from badges.png import SIGNATURE as PNG_SIGNATURE

# The first bytes of text that make it an SVG (or XML claiming to be one; parsing decides),
# after an optional byte-order mark and white space, compared in lower case.
_SVG_STARTS = ("<?xml", "<svg", "<!--", "<!doctype svg")
_HTML_STARTS = ("<!doctype html", "<html")
_OFFICE_PARTS = (b"[Content_Types].xml", b"_rels/", b"docProps/")


def sniff(head: bytes) -> str | None:
    """The kind of file ``head`` starts, or None: ``pdf``, ``png``, ``jpg``, ``gif``, ``webp``,
    ``mp4``, ``mov``, ``m4a``, ``mp3``, ``docx``, ``pptx``, ``xlsx``, ``svg``, ``html`` or
    ``txt`` (UTF-8 text of printable characters; see :func:`is_text`)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(PNG_SIGNATURE):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
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
        return _office(head)
    text = text_head(head)
    if text.startswith(_SVG_STARTS):
        return "svg"
    if text.startswith(_HTML_STARTS):
        return "html"
    return "txt" if is_text(head) else None


def _office(head: bytes) -> str | None:
    # Office files are zip archives. The first entry names the kind in some writers; most
    # start with the package's own parts, so this is a first guess: the package's main part
    # decides (app.submissions.cleaning.clean_office).
    if b"word/" in head:
        return "docx"
    if b"ppt/" in head:
        return "pptx"
    if b"xl/" in head:
        return "xlsx"
    return "docx" if any(part in head for part in _OFFICE_PARTS) else None


def text_head(data: bytes) -> str:
    """The first 512 bytes as text: without a byte-order mark and leading white space, in
    lower case (undecodable bytes replaced)."""
    head = data[:512]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.decode("utf-8", "replace").lstrip().lower()


def is_text(head: bytes) -> bool:
    """``head`` is non-empty UTF-8 of printable characters, tabs and line breaks."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return bool(text) and all(c.isprintable() or c in "\r\n\t" for c in text)
