"""Evidence loses what tells a blind reviewer who made it or where, on its way into storage.

Photos are filtered as they stream (``files.without_location``). PDFs and Office documents
cannot be: they are spooled to a temporary file (memory up to ``SPOOL_MEMORY``, the rest on
disk; uploads are size-capped before this) and rewritten.

- PDF (pikepdf, on qpdf): the document information dictionary (``/Info``: Author, Creator,
  Producer, Title...), every XMP ``/Metadata`` stream, private application data
  (``/PieceInfo``) are removed, and the file identifier (``/ID``, which links copies of one
  file) is replaced by one derived from the content; earlier revisions (incremental updates)
  are not written back; pages, text and images are copied without decoding any stream.
- DOCX, XLSX, PPTX: the package's core, extended and custom properties (creator,
  lastModifiedBy, company, manager, ...) are replaced by empty but valid parts under the same
  names, so ``[Content_Types].xml`` and the relationships stay as they were; every other
  member's content is copied byte for byte (unpacked and packed again with its own method;
  zip-level extras and comments are not kept), except photos under ``*/media/``, which lose
  their location as uploaded photos do. The kind is read from the package's content
  types (the first bytes only give a guess), and macro-enabled documents are refused.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from tempfile import SpooledTemporaryFile
from typing import IO, Any

import pikepdf
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from flask_babel import gettext as _

from app.storage import Readable, TooLarge
from app.submissions.files import DamagedImage, without_location

SPOOL_MEMORY = 4 * 1024 * 1024  # a spooled file moves to disk past this
OFFICE_KINDS = frozenset({"docx", "pptx", "xlsx"})
# Kinds whose stored bytes differ from what was uploaded.
REWRITTEN_KINDS = frozenset({"jpg", "png", "pdf"}) | OFFICE_KINDS
# Office packages: at most this many members, and this many bytes once unpacked.
MAX_MEMBERS = 10_000
MAX_UNPACKED = 512 * 1024 * 1024
MAX_PACKAGE_XML = 1024 * 1024  # [Content_Types].xml and _rels/.rels, read before parsing
_COPY = 1024 * 1024

# qpdf's guards against hostile PDFs (process-wide: nothing else here uses pikepdf). Streams
# are never decoded for writing, but object and cross-reference streams must be inflated to
# be read: each may take this much memory at most.
pikepdf.settings.set_qpdf_limits(
    doc_max_warnings=500,
    parser_max_container_size=1_000_000,
    flate_max_memory=64 * 1024 * 1024,
    png_max_memory=64 * 1024 * 1024,
    run_length_max_memory=64 * 1024 * 1024,
    tiff_max_memory=64 * 1024 * 1024,
    dct_max_memory=64 * 1024 * 1024,
)


class DamagedDocument(ValueError):
    """A PDF or Office document that cannot be read; the message says why, for a person."""


def _unreadable_pdf(reason: str) -> DamagedDocument:
    return DamagedDocument(
        _(
            "This PDF could not be read (%(reason)s); export or save it as a PDF again and retry.",
            reason=reason,
        )
    )


def _unreadable_office(reason: str) -> DamagedDocument:
    return DamagedDocument(
        _(
            "This document could not be read (%(reason)s); save it again from Word, Excel or"
            " PowerPoint and retry.",
            reason=reason,
        )
    )


@dataclass(frozen=True)
class Cleaned:
    kind: str  # the real kind (an Office document's package decides)
    stream: Readable


@contextmanager
def cleaned(kind: str, stream: Readable, *, limit: int) -> Iterator[Cleaned]:
    """``stream`` without location or author details, while the context lasts.

    Photos stream through (their damage surfaces as ``DamagedImage`` while reading); a PDF or
    Office document is read whole first, so ``TooLarge`` (past ``limit`` bytes) or
    ``DamagedDocument`` comes from entering. Other kinds pass through unchanged.
    """
    if kind in ("jpg", "png"):
        yield Cleaned(kind, without_location(kind, stream))
        return
    if kind != "pdf" and kind not in OFFICE_KINDS:
        yield Cleaned(kind, stream)
        return
    with _spooled(stream, limit) as source, SpooledTemporaryFile(max_size=SPOOL_MEMORY) as out:
        real = clean_pdf(source, out) if kind == "pdf" else clean_office(source, out)
        out.seek(0)
        yield Cleaned(real, out)


@contextmanager
def _spooled(stream: Readable, limit: int) -> Iterator[IO[bytes]]:
    with SpooledTemporaryFile(max_size=SPOOL_MEMORY) as spool:
        size = 0
        while chunk := stream.read(_COPY):
            size += len(chunk)
            if size > limit:
                raise TooLarge(_("the file is larger than %(mb)s MB", mb=limit // (1024 * 1024)))
            spool.write(chunk)
        spool.seek(0)
        yield spool


# PDF ----------------------------------------------------------------------------------------


def clean_pdf(source: IO[bytes], out: IO[bytes]) -> str:
    """Write ``source`` to ``out`` without its metadata; returns "pdf"."""
    try:
        with pikepdf.open(source) as pdf:  # type: ignore[arg-type]
            if "/Info" in pdf.trailer:
                del pdf.trailer["/Info"]
            if "/ID" in pdf.trailer:  # a new one is derived from the cleaned content
                del pdf.trailer["/ID"]
            for holder in pdf.objects:  # the catalog, pages, images, fonts...
                if isinstance(holder, (pikepdf.Dictionary, pikepdf.Stream)):
                    for key in ("/Metadata", "/PieceInfo"):
                        if key in holder:
                            del holder[key]
            pdf.save(
                out,  # type: ignore[arg-type]
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
                deterministic_id=True,
            )
    except pikepdf.PasswordError as error:
        raise _unreadable_pdf(_("it is protected by a password")) from error
    except (pikepdf.PikepdfError, RuntimeError) as error:  # qpdf's errors and its limits
        raise _unreadable_pdf(_("its structure is damaged")) from error
    return "pdf"


# Office (OOXML) -----------------------------------------------------------------------------

_CT = "application/vnd.openxmlformats-officedocument."
_MAIN_TYPES = {
    _CT + "wordprocessingml.document.main+xml": "docx",
    _CT + "wordprocessingml.template.main+xml": "docx",
    _CT + "spreadsheetml.sheet.main+xml": "xlsx",
    _CT + "spreadsheetml.template.main+xml": "xlsx",
    _CT + "presentationml.presentation.main+xml": "pptx",
    _CT + "presentationml.slideshow.main+xml": "pptx",
    _CT + "presentationml.template.main+xml": "pptx",
}
_MACRO_TYPES = (
    "application/vnd.ms-word.document.macroenabled",
    "application/vnd.ms-word.template.macroenabled",
    "application/vnd.ms-excel.sheet.macroenabled",
    "application/vnd.ms-excel.template.macroenabled",
    "application/vnd.ms-excel.addin.macroenabled",
    "application/vnd.ms-powerpoint.presentation.macroenabled",
    "application/vnd.ms-powerpoint.slideshow.macroenabled",
    "application/vnd.ms-powerpoint.template.macroenabled",
)
_XML = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
_EMPTY_PARTS = {
    "core": _XML
    + b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms='
    b'"http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi='
    b'"http://www.w3.org/2001/XMLSchema-instance"/>',
    "extended": _XML
    + b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-'
    b'properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'docPropsVTypes"/>',
    "custom": _XML
    + b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-'
    b'properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'docPropsVTypes"/>',
}
# Where writers put the properties; the package relationships may name other places too.
_USUAL_PARTS = {
    "docprops/core.xml": "core",
    "docprops/app.xml": "extended",
    "docprops/custom.xml": "custom",
}
# The last word of a relationship type (transitional or strict), without hyphens.
_PROPERTY_RELATIONSHIPS = {
    "coreproperties": "core",
    "extendedproperties": "extended",
    "customproperties": "custom",
}


def clean_office(source: IO[bytes], out: IO[bytes]) -> str:
    """Write the package in ``source`` to ``out`` with empty document properties; returns
    its real kind (docx, xlsx or pptx)."""
    try:
        with zipfile.ZipFile(source) as package:
            members = package.infolist()
            _check_members(members)
            names = {m.filename.lower(): m for m in members}
            kind = _main_kind(package, names)
            emptied = _property_parts(package, names)
            with zipfile.ZipFile(out, "w") as written:
                unpacked = 0
                for member in members:
                    copy = zipfile.ZipInfo(member.filename, member.date_time)
                    copy.compress_type = member.compress_type
                    copy.external_attr = member.external_attr
                    role = emptied.get(member.filename.lower())
                    if role is not None:
                        written.writestr(copy, _EMPTY_PARTS[role])
                        continue
                    with package.open(member) as part, written.open(copy, "w") as target:
                        photo = _photo_kind(member.filename)
                        source_part = without_location(photo, part) if photo else part
                        while chunk := source_part.read(_COPY):
                            unpacked += len(chunk)
                            if unpacked > MAX_UNPACKED:
                                raise _unreadable_office(_("it unpacks to far more than its size"))
                            target.write(chunk)
    except DamagedDocument:
        raise
    except DamagedImage as error:
        raise _unreadable_office(_("a picture in it is damaged: %(error)s", error=error)) from error
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as error:
        raise _unreadable_office(_("it is damaged or incomplete")) from error
    except NotImplementedError as error:  # a compression method Python cannot unpack
        raise _unreadable_office(_("it is packed in a way we cannot read")) from error
    except RuntimeError as error:  # an encrypted member
        raise _unreadable_office(_("part of it is encrypted")) from error
    return kind


def _photo_kind(name: str) -> str | None:
    """ "jpg" or "png" for a picture inside the package (word/media/, ppt/media/, xl/media/):
    a photo pasted into a document keeps its camera's EXIF, location included."""
    extension = posixpath.splitext(name.lower())[1]
    if "/media/" not in f"/{name.lower()}":
        return None
    return {".jpg": "jpg", ".jpeg": "jpg", ".png": "png"}.get(extension)


def _check_members(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise _unreadable_office(_("it has more than %(most)s parts", most=MAX_MEMBERS))
    if sum(m.file_size for m in members) > MAX_UNPACKED:
        raise _unreadable_office(_("it unpacks to far more than its size"))
    seen: set[str] = set()
    for member in members:
        name = member.filename.lower()
        if name in seen:  # two parts of one name: readers would disagree on which is meant
            raise _unreadable_office(_("two of its parts have the same name"))
        seen.add(name)
        if member.flag_bits & 0x1:
            raise _unreadable_office(_("part of it is encrypted"))


def _xml(package: zipfile.ZipFile, member: zipfile.ZipInfo | None) -> Any:
    if member is None:
        return None
    if member.file_size > MAX_PACKAGE_XML:
        raise _unreadable_office(_("its package description is too large"))
    try:
        return ElementTree.fromstring(package.read(member))
    except (ElementTree.ParseError, DefusedXmlException) as error:
        raise _unreadable_office(_("its package description is not valid XML")) from error


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _main_kind(package: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo]) -> str:
    """docx, xlsx or pptx, from the content types the package declares."""
    types = _xml(package, names.get("[content_types].xml"))
    if types is None:
        raise _unreadable_office(_("it is not a Word, Excel or PowerPoint document"))
    declared = [
        (element.get("ContentType") or "").strip().lower()
        for element in types
        if _local(element.tag) in ("Override", "Default")
    ]
    if any(t.startswith(_MACRO_TYPES) for t in declared):
        raise DamagedDocument(
            _(
                "This document contains macros, which are not passed on to reviewers; save it"
                " as .docx, .xlsx or .pptx and retry."
            )
        )
    kinds = {_MAIN_TYPES[t] for t in declared if t in _MAIN_TYPES}
    if len(kinds) != 1:
        raise _unreadable_office(_("it is not a Word, Excel or PowerPoint document"))
    return kinds.pop()


def _property_parts(package: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo]) -> dict[str, str]:
    """The package's property parts (lower-cased member names) and what each one is."""
    found = {name: role for name, role in _USUAL_PARTS.items() if name in names}
    relationships = _xml(package, names.get("_rels/.rels"))
    for element in relationships if relationships is not None else []:
        if _local(element.tag) != "Relationship" or element.get("TargetMode") == "External":
            continue
        kind = (element.get("Type") or "").rsplit("/", 1)[-1].replace("-", "").lower()
        role = _PROPERTY_RELATIONSHIPS.get(kind)
        target = posixpath.normpath((element.get("Target") or "").lstrip("/")).lower()
        if role is not None and target in names:
            found[target] = role
    return found
