"""What a file really is, judged by its first bytes (never by its name), and safe names."""

from __future__ import annotations

import re
import unicodedata

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
