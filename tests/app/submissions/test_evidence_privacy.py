"""A blind reviewer learns nothing of the teacher from the files: multi-picture photos lose
every embedded image's location, PDFs and Office documents their author details (issue 16).
"""

from __future__ import annotations

import hashlib
import io
import struct
import uuid
import zipfile
import zlib
from typing import Any

import pikepdf
import pytest
import requests
from defusedxml import ElementTree
from PIL import Image
from PIL.MpoImagePlugin import MpoImageFile
from sqlalchemy import func, select

from app.db import db
from app.models.submissions import EvidenceFile, Submission
from app.storage import S3Storage, storage
from app.submissions.cleaning import MAX_MEMBERS, cleaned
from app.submissions.files import without_location
from app.submissions.uploads import KIND_TYPES
from tests.app.people import sign_in
from tests.app.submissions.helpers import auth_for, prompt_ids, published, start, upload
from tests.app.submissions.helpers import with_file_prompt as file_prompt
from tests.documents import PDF, PDF_TEXT, small_pdf
from tests.servers import S3TestServer

AUTHOR = "Jordan Quill"
SCHOOL = "North Ridge School"


def _stored() -> bytes:
    store = storage()
    (key,) = store.keys("submissions/")
    return b"".join(store.open(key))


def _teacher(client: Any, kinds: list[str]) -> tuple[int, int, dict[str, str]]:
    cid = published(**file_prompt(allowed_kinds=kinds))
    auth = auth_for(client, "teacher@school.test")
    return start(client, cid, auth), prompt_ids(client, cid)["Three student samples"], auth


def _upload(client: Any, sid: int, prompt: int, data: bytes, name: str, auth: Any) -> Any:
    """``upload``, with the form encoded here: werkzeug's test builder leaks its spool file
    for uploads over 500 KB (a zip bomb is one)."""
    boundary = "evidence-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="prompt_id"\r\n\r\n{prompt}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(
        f"/api/v1/submissions/{sid}/files",
        data=body,
        headers=auth,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def _nothing_stored() -> None:
    assert storage().keys() == []
    assert db.session.scalar(select(func.count(EvidenceFile.id))) == 0


# Multi-picture JPEGs -------------------------------------------------------------------------


def _jpeg(color: str, datum: str) -> bytes:
    """A progressive JPEG whose EXIF holds a location; ``datum`` marks which image it is."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 0x12: datum})
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "JPEG", exif=exif, progressive=True)
    return out.getvalue()


def _multi_picture(first: bytes, second: bytes) -> bytes:
    """``first`` with an APP2 "MPF" index after its start, and ``second`` appended after its
    end, as phones write a second lens's picture or a depth map (CIPA DC-007)."""
    entries = 3
    entry_at = 8 + 2 + 12 * entries + 4  # the MP entries follow the index IFD
    tiff_size = entry_at + 2 * 16
    segment_size = 2 + 4 + tiff_size
    first_size = len(first) + 2 + segment_size
    tiff_at = 2 + 4 + 4  # SOI, marker and length, "MPF\0": offsets count from here
    tiff = b"MM\x00\x2a" + struct.pack(">IH", 8, entries)
    tiff += struct.pack(">HHI4s", 0xB000, 7, 4, b"0100")  # MPFVersion
    tiff += struct.pack(">HHII", 0xB001, 4, 1, 2)  # NumberOfImages
    tiff += struct.pack(">HHII", 0xB002, 7, 32, entry_at)  # MPEntry
    tiff += struct.pack(">I", 0)
    tiff += struct.pack(">IIIHH", 0x20030000, first_size, 0, 0, 0)  # the primary image
    tiff += struct.pack(">IIIHH", 0x00020002, len(second), first_size - tiff_at, 0, 0)
    segment = b"\xff\xe2" + struct.pack(">H", segment_size) + b"MPF\x00" + tiff
    return first[:2] + segment + first[2:] + second


def _locations(data: bytes) -> list[dict[int, Any]]:
    """The GPS IFD of every EXIF block anywhere in ``data`` (empty ones left out)."""
    found = []
    start = 0
    while (at := data.find(b"Exif\x00\x00", start)) != -1:
        exif = Image.Exif()
        exif.load(data[at:])
        if gps := dict(exif.get_ifd(0x8825)):
            found.append(gps)
        start = at + 1
    return found


class _Trickle(io.BytesIO):
    """Hands out a few bytes per read, so markers fall across chunk boundaries."""

    def read(self, size: int | None = -1) -> bytes:
        return super().read(7 if size is None or size < 0 else min(size, 7))


def test_multi_picture_jpeg_keeps_only_its_first_image_without_any_location(client: Any) -> None:
    photo = _multi_picture(_jpeg("teal", "FIRST-IMAGE"), _jpeg("orange", "SECOND-IMAGE"))
    shown = Image.open(io.BytesIO(photo))
    assert isinstance(shown, MpoImageFile)
    assert (shown.format, shown.n_frames) == ("MPO", 2)  # Pillow reads it as two pictures
    shown.seek(1)
    assert shown.getexif().get_ifd(0x8825)[0x12] == "SECOND-IMAGE"
    assert len(_locations(photo)) == 2
    sid, prompt, auth = _teacher(client, ["jpg"])

    response = upload(client, sid, prompt, photo, "IMG_0002.JPG", auth)

    assert response.status_code == 201, response.get_json()
    stored = _stored()
    assert _locations(stored) == []
    assert b"SECOND-IMAGE" not in stored
    assert b"FIRST-IMAGE" not in stored
    assert b"MPF\x00" not in stored
    assert stored.count(b"\xff\xd8\xff") == 1  # one image: nothing after its end
    image = Image.open(io.BytesIO(stored))
    image.load()
    assert (image.format, image.size) == ("JPEG", (64, 48))
    assert dict(image.getexif()) == {0x0112: 6}  # still upright


def test_jpeg_filter_finds_the_image_end_whatever_the_chunk_boundaries() -> None:
    photo = _multi_picture(_jpeg("teal", "FIRST-IMAGE"), _jpeg("orange", "SECOND-IMAGE"))
    whole = without_location("jpg", io.BytesIO(photo)).read()
    assert without_location("jpg", _Trickle(photo)).read() == whole
    alone = without_location("jpg", io.BytesIO(_jpeg("teal", "FIRST-IMAGE"))).read()
    assert whole == alone  # the same bytes as the first picture cleaned on its own
    assert whole.endswith(b"\xff\xd9")


# PDF -----------------------------------------------------------------------------------------


def _pdf_with_author() -> bytes:
    """The shared PDF, as a word processor would leave it: document information, XMP and
    private application data naming the teacher and the school."""
    with pikepdf.open(io.BytesIO(PDF)) as pdf:
        pdf.docinfo["/Author"] = AUTHOR
        pdf.docinfo["/Creator"] = f"{SCHOOL} Writer"
        pdf.docinfo["/Producer"] = f"{SCHOOL} PDF"
        pdf.docinfo["/Title"] = f"{AUTHOR}'s lesson"
        with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
            xmp["dc:creator"] = [AUTHOR]
            xmp["pdf:Producer"] = SCHOOL
        page = pdf.pages[0].obj
        page["/PieceInfo"] = pikepdf.Dictionary(
            Writer=pikepdf.Dictionary(Private=pikepdf.String(AUTHOR))
        )
        out = io.BytesIO()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue()


def _everything_in(data: bytes) -> bytes:
    """The PDF with every stream decoded and no object streams, to search it as text."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        out = io.BytesIO()
        pdf.save(
            out,
            qdf=True,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
            stream_decode_level=pikepdf.StreamDecodeLevel.all,
        )
    return out.getvalue()


def test_pdf_loses_its_document_information_and_xmp_but_keeps_its_pages(client: Any) -> None:
    document = _pdf_with_author()
    assert document.count(AUTHOR.encode()) >= 3  # info, XMP and private data all say it
    sid, prompt, auth = _teacher(client, ["pdf"])

    response = upload(client, sid, prompt, document, "Jordan Quill lesson.pdf", auth)

    assert response.status_code == 201, response.get_json()
    stored = _stored()
    assert response.get_json()["files"][0]["size"] == len(stored)
    readable = _everything_in(stored)
    for secret in (AUTHOR, SCHOOL, "Writer", "xmpmeta"):
        assert secret.encode() not in readable, secret
    with pikepdf.open(io.BytesIO(stored)) as pdf:
        assert "/Info" not in pdf.trailer
        assert "/Metadata" not in pdf.Root
        assert len(pdf.pages) == 1
        assert PDF_TEXT.encode() in pdf.pages[0].Contents.read_bytes()


def test_pdf_revision_that_dropped_the_author_does_not_bring_it_back(client: Any) -> None:
    with pikepdf.open(io.BytesIO(PDF)) as pdf:
        pdf.docinfo["/Author"] = AUTHOR
        root = pdf.Root.objgen[0]
        out = io.BytesIO()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable)
        size = len(pdf.objects) + 1
    first = out.getvalue()
    previous = int(first.rsplit(b"startxref", 1)[1].split()[0])
    # An incremental update whose trailer no longer names /Info: the old revision (and the
    # author in it) is still in the file, as editors that "remove" properties leave it.
    update = (
        f"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size {size} /Root {root} 0 R"
        f" /Prev {previous} >>\nstartxref\n{len(first)}\n%%EOF\n"
    ).encode()
    with pikepdf.open(io.BytesIO(first + update)) as pdf:
        assert "/Info" not in pdf.trailer  # readers see no author...
    assert AUTHOR.encode() in first + update  # ...but the bytes still hold it
    sid, prompt, auth = _teacher(client, ["pdf"])

    response = upload(client, sid, prompt, first + update, "lesson.pdf", auth)

    assert response.status_code == 201, response.get_json()
    stored = _stored()
    assert AUTHOR.encode() not in stored
    assert AUTHOR.encode() not in _everything_in(stored)


def test_clean_pdf_is_stored_byte_for_byte() -> None:
    with cleaned("pdf", io.BytesIO(PDF), limit=1 << 20) as result:
        assert (result.kind, result.stream.read()) == ("pdf", PDF)
    other = small_pdf("Another page")
    with cleaned("pdf", io.BytesIO(other), limit=1 << 20) as result:
        assert result.stream.read() == other


def _encrypted() -> bytes:
    with pikepdf.open(io.BytesIO(PDF)) as pdf:
        out = io.BytesIO()
        pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.4\n" + b"0" * 2000, "structure is damaged"),
        (PDF[: len(PDF) // 3], "structure is damaged"),
        (_encrypted(), "protected by a password"),
    ],
    ids=["fake", "truncated", "password"],
)
def test_pdf_that_cannot_be_read_is_refused_and_nothing_is_stored(
    client: Any, data: bytes, reason: str
) -> None:
    sid, prompt, auth = _teacher(client, ["pdf"])
    response = upload(client, sid, prompt, data, "lesson.pdf", auth)
    assert response.status_code == 422
    message = response.get_json()["error"]["message"]
    assert message.startswith("This PDF could not be read")
    assert reason in message
    _nothing_stored()


# Office documents ---------------------------------------------------------------------------

_CT = "application/vnd.openxmlformats-officedocument."
_MAIN = {
    "docx": ("word/document.xml", _CT + "wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", _CT + "spreadsheetml.sheet.main+xml"),
    "pptx": ("ppt/presentation.xml", _CT + "presentationml.presentation.main+xml"),
}
_REL = "http://schemas.openxmlformats.org/"


def _office_parts(
    kind: str, *, core: str = "docProps/core.xml", main_type: str | None = None
) -> list[tuple[str, bytes]]:
    """The parts of a small Office package whose properties name the teacher and school,
    [Content_Types].xml first as Word, Excel and PowerPoint write them."""
    main, content_type = _MAIN[kind]
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType='
        '"application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main}" ContentType="{main_type or content_type}"/>'
        f'<Override PartName="/{core}" ContentType='
        '"application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" ContentType="'
        f'{_CT}extended-properties+xml"/>'
        f'<Override PartName="/docProps/custom.xml" ContentType="{_CT}custom-properties+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="{_REL}package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}officeDocument/2006/relationships/officeDocument"'
        f' Target="{main}"/>'
        f'<Relationship Id="rId2" Type="{_REL}package/2006/relationships/metadata/'
        f'core-properties" Target="/{core}"/>'
        f'<Relationship Id="rId3" Type="{_REL}officeDocument/2006/relationships/'
        'extended-properties" Target="docProps/app.xml"/>'
        f'<Relationship Id="rId4" Type="{_REL}officeDocument/2006/relationships/'
        'custom-properties" Target="docProps/custom.xml"/>'
        "</Relationships>"
    )
    core_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<cp:coreProperties xmlns:cp="{_REL}package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:creator>{AUTHOR}</dc:creator><cp:lastModifiedBy>{AUTHOR}</cp:lastModifiedBy>"
        f"<dc:title>{AUTHOR}'s unit plan</dc:title></cp:coreProperties>"
    )
    app_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Properties xmlns="{_REL}officeDocument/2006/extended-properties">'
        f"<Company>{SCHOOL}</Company><Manager>{AUTHOR}</Manager></Properties>"
    )
    custom_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Properties xmlns="{_REL}officeDocument/2006/custom-properties"'
        f' xmlns:vt="{_REL}officeDocument/2006/docPropsVTypes">'
        '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Teacher">'
        f"<vt:lpwstr>{AUTHOR}</vt:lpwstr></property></Properties>"
    )
    body = f'<?xml version="1.0"?><document>Lesson evidence for {kind}</document>'
    return [
        ("[Content_Types].xml", types.encode()),
        ("_rels/.rels", rels.encode()),
        (main, body.encode()),
        (core, core_xml.encode()),
        ("docProps/app.xml", app_xml.encode()),
        ("docProps/custom.xml", custom_xml.encode()),
        ("media/photo.bin", bytes(range(256)) * 64),
    ]


def _zipped(parts: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts:
            package.writestr(name, data)
    return out.getvalue()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {m.filename: package.read(m) for m in package.infolist()}


@pytest.mark.parametrize("kind", ["docx", "xlsx", "pptx"])
def test_office_document_loses_its_properties_and_keeps_every_other_part(
    client: Any, kind: str
) -> None:
    parts = _office_parts(kind)
    document = _zipped(parts)
    sid, prompt, auth = _teacher(client, [kind])  # only this kind: its first bytes say docx

    response = upload(client, sid, prompt, document, f"plan.{kind}", auth)

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["files"][0]["kind"] == kind
    assert db.session.scalar(select(EvidenceFile.storage_key)).endswith(f".{kind}")
    stored = _members(_stored())
    assert list(stored) == [name for name, _ in parts]  # the same parts, in the same order
    originals = dict(parts)
    properties = ("docProps/core.xml", "docProps/app.xml", "docProps/custom.xml")
    for name, data in stored.items():
        if name in properties:
            root = ElementTree.fromstring(data)
            assert len(root) == 0, name  # valid XML, nothing in it
            assert root.tag == ElementTree.fromstring(originals[name]).tag
        else:
            assert data == originals[name], name  # content types and relationships too
    everything = b"".join(stored.values())
    assert AUTHOR.encode() not in everything
    assert SCHOOL.encode() not in everything


def test_photos_inside_an_office_document_lose_their_location(client: Any) -> None:
    """A photo pasted into a Word document keeps its camera's EXIF, GPS included."""
    parts = _office_parts("docx")
    photo = _jpeg("green", "pasted")
    assert _locations(photo)  # the photo as the camera wrote it
    parts.append(("word/media/image1.jpeg", photo))
    sid, prompt, auth = _teacher(client, ["docx"])
    response = upload(client, sid, prompt, _zipped(parts), "plan.docx", auth)
    assert response.status_code == 201, response.get_json()
    stored = _members(_stored())
    assert _locations(stored["word/media/image1.jpeg"]) == []
    assert Image.open(io.BytesIO(stored["word/media/image1.jpeg"])).size == (64, 48)
    assert stored["media/photo.bin"] == dict(parts)["media/photo.bin"]  # not a photo: as is


def test_properties_stored_elsewhere_are_found_through_the_package_relationships(
    client: Any,
) -> None:
    parts = _office_parts("docx", core="meta/properties.xml")
    parts.insert(0, parts.pop(1))  # the relationships first, as LibreOffice writes them
    sid, prompt, auth = _teacher(client, ["docx"])
    response = upload(client, sid, prompt, _zipped(parts), "plan.docx", auth)
    assert response.status_code == 201, response.get_json()
    stored = _members(_stored())
    assert len(ElementTree.fromstring(stored["meta/properties.xml"])) == 0
    assert AUTHOR.encode() not in b"".join(stored.values())


def test_office_kind_comes_from_the_package_not_its_first_bytes(client: Any) -> None:
    sid, prompt, auth = _teacher(client, ["xlsx"])
    word = upload(client, sid, prompt, _zipped(_office_parts("docx")), "sheet.xlsx", auth)
    assert word.status_code == 422
    assert word.get_json()["error"]["message"] == "This is a DOCX file; this prompt accepts xlsx."
    _nothing_stored()


def _bomb_parts() -> list[tuple[str, bytes, int, int]]:
    """The parts of a docx plus 520 MB of zeros packed into half a megabyte, as (name, raw
    deflate data, CRC-32, size); built from one repeated block, so it takes no time."""
    parts = []
    for name, data in _office_parts("docx"):
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        parts.append((name, packer.compress(data) + packer.flush(), zlib.crc32(data), len(data)))
    block = bytes(1 << 20)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    repeated = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(520):
        crc = zlib.crc32(block, crc)
    parts.append(("word/media/zeros.bin", repeated * 520 + packer.flush(), crc, 520 << 20))
    return parts


def _raw_zip(parts: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip archive of already deflated parts (zipfile cannot write those)."""
    body = b""
    directory = b""
    for name, data, crc, size in parts:
        encoded = name.encode()
        fields = struct.pack("<HHHHHIIIH", 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded))
        directory += b"PK\x01\x02" + struct.pack("<H", 20) + fields
        directory += struct.pack("<HHHHII", 0, 0, 0, 0, 0, len(body)) + encoded
        body += b"PK\x03\x04" + fields + struct.pack("<H", 0) + encoded + data
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(directory), len(body), 0
    )
    return body + directory + end


def _many_parts() -> bytes:
    parts = _office_parts("docx")
    parts += [(f"word/media/p{n}.xml", b"") for n in range(MAX_MEMBERS)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as package:
        for name, data in parts:
            package.writestr(name, data)
    return out.getvalue()


def _macros() -> bytes:
    macro_type = "application/vnd.ms-word.document.macroEnabled.main+xml"
    return _zipped(_office_parts("docx", main_type=macro_type))


def _same_name_twice() -> bytes:
    parts = _office_parts("docx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, data in parts:
            package.writestr(name, data)
        with pytest.warns(UserWarning, match="Duplicate name"):
            package.writestr("docProps/core.xml", b"<x/>")
    return out.getvalue()


def _broken_xml() -> bytes:
    parts = _office_parts("docx")
    parts[0] = ("[Content_Types].xml", b'<!DOCTYPE t [<!ENTITY a "aaaa">]><Types>&a;</Types>')
    return _zipped(parts)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: _zipped(_office_parts("docx"))[:700], "damaged or incomplete"),
        (lambda: _raw_zip(_bomb_parts()), "unpacks to far more than its size"),
        (_many_parts, f"more than {MAX_MEMBERS} parts"),
        (_same_name_twice, "same name"),
        (_broken_xml, "not valid XML"),
        (_macros, "contains macros"),
    ],
    ids=["truncated", "zip-bomb", "too-many-parts", "same-name", "xml-entities", "macros"],
)
def test_office_document_that_cannot_be_read_is_refused_and_nothing_is_stored(
    client: Any, make: Any, reason: str
) -> None:
    sid, prompt, auth = _teacher(client, ["docx"])
    response = _upload(client, sid, prompt, make(), "plan.docx", auth)
    assert response.status_code == 422, response.get_json()
    message = response.get_json()["error"]["message"]
    assert message.startswith("This document")
    assert reason in message
    _nothing_stored()


# Direct uploads to S3 -------------------------------------------------------------------------


@pytest.fixture
def s3_store(app: Any, s3_server: S3TestServer) -> S3Storage:
    """Evidence in a bucket of moto's S3 server, so the browser can upload straight to it."""
    bucket = f"evidence-{uuid.uuid4().hex[:8]}"
    s3_server.client().create_bucket(Bucket=bucket)
    store = S3Storage(bucket, client=s3_server.client())
    app.extensions["storage"] = store
    return store


def _direct(client: Any, sid: int, prompt: int, data: bytes, kind: str, auth: Any) -> Any:
    """What the page does for a large file: a presigned form, a POST to S3, completion."""
    begun = client.post(
        f"/api/v1/submissions/{sid}/uploads",
        json={"prompt_id": prompt, "filename": f"big.{kind}", "content_type": KIND_TYPES[kind]},
        headers=auth,
    )
    assert begun.status_code == 201, begun.get_json()
    post = begun.get_json()
    sent = requests.post(
        post["url"], data=post["fields"], files={"file": (f"big.{kind}", data)}, timeout=10
    )
    assert sent.status_code in (200, 201, 204)
    return client.post(
        f"/api/v1/submissions/{sid}/uploads/complete", json={"token": post["token"]}, headers=auth
    )


@pytest.mark.parametrize("kind", ["pdf", "pptx"])
def test_direct_upload_to_s3_is_cleaned_when_the_server_confirms_it(
    client: Any, s3_store: S3Storage, kind: str
) -> None:
    document = _pdf_with_author() if kind == "pdf" else _zipped(_office_parts(kind))
    sid, prompt, auth = _teacher(client, [kind])

    done = _direct(client, sid, prompt, document, kind, auth)

    assert done.status_code == 201, done.get_json()
    record = done.get_json()["files"][0]
    stored = _stored()  # the object as uploaded is gone: only the cleaned one is left
    assert (record["kind"], record["size"]) == (kind, len(stored))
    assert record["sha256"] == hashlib.sha256(stored).hexdigest()
    readable = _everything_in(stored) if kind == "pdf" else b"".join(_members(stored).values())
    assert AUTHOR.encode() not in readable
    assert SCHOOL.encode() not in readable


def test_direct_upload_of_an_unreadable_pdf_is_refused_and_deleted(
    client: Any, s3_store: S3Storage
) -> None:
    sid, prompt, auth = _teacher(client, ["pdf"])
    done = _direct(client, sid, prompt, b"%PDF-1.4\n" + b"0" * 2000, "pdf", auth)
    assert done.status_code == 422
    assert done.get_json()["error"]["message"].startswith("This PDF could not be read")
    _nothing_stored()


def test_draft_page_says_what_is_removed_before_reviewers_see_files(client: Any) -> None:
    sid, _prompt, _auth = _teacher(client, ["pdf", "docx", "jpg"])
    sign_in(client, db.session.get(Submission, sid).user)
    page = client.get(f"/submissions/{sid}").get_data(as_text=True)
    assert (
        "Location data and document author details are removed from files before reviewers"
        " see them." in page
    )
