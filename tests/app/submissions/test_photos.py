"""Photos lose their location on the way into storage; pixels and orientation stay."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from PIL import Image

from app.storage import storage
from app.submissions.files import DamagedImage, without_location
from tests.app.submissions.helpers import (
    auth_for,
    prompt_ids,
    published,
    start,
    upload,
    with_file_prompt,
)

XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>51,30.2N</exif:GPSLatitude></x:xmpmeta>'
)


def _photo(kind: str) -> bytes:
    image = Image.new("RGB", (64, 48), "teal")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: the phone was held upright
    exif[0x010F] = "Phone maker"
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 40.0)})
    out = io.BytesIO()
    if kind == "jpg":
        image.save(out, "JPEG", exif=exif, xmp=XMP)
    else:
        image.save(out, "PNG", exif=exif)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["jpg", "png"])
def test_uploaded_photo_keeps_pixels_and_orientation_but_not_location(
    client: Any, kind: str
) -> None:
    cid = published(**with_file_prompt(allowed_kinds=["pdf", "png", "jpg"]))
    auth = auth_for(client, "teacher@school.test")
    sid = start(client, cid, auth)
    photo = _photo(kind)
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)  # the input has a location
    prompt = prompt_ids(client, cid)["Three student samples"]
    response = upload(client, sid, prompt, photo, f"IMG_0001.{kind.upper()}", auth)
    assert response.status_code == 201, response.get_json()
    record = response.get_json()["files"][0]
    stored = b"".join(storage().open(storage().keys("submissions/")[0]))
    assert record["sha256"] == hashlib.sha256(stored).hexdigest()
    assert record["size"] == len(stored) < len(photo)
    image = Image.open(io.BytesIO(stored))
    image.load()
    assert image.size == (64, 48)
    assert not image.getexif().get_ifd(0x8825)
    assert b"eXIf" not in stored
    assert b"GPSLatitude" not in stored


def test_jpeg_filter_keeps_only_orientation() -> None:
    photo = _photo("jpg")
    cleaned = without_location("jpg", io.BytesIO(photo)).read()
    image = Image.open(io.BytesIO(cleaned))
    image.load()
    assert image.size == (64, 48)
    assert dict(image.getexif()) == {0x0112: 6}
    assert b"GPSLatitude" not in cleaned
    assert b"Phone maker" not in cleaned


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("jpg", b"\xff\xd8\xff\xe1\x00\x40Exif\x00\x00short"),
        ("jpg", b"\xff\xd8\xff\xe1\x00\x01"),
        ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00"),
        ("png", b"\x89PNG\r\n\x1a\n"),
    ],
)
def test_damaged_photos_are_refused(kind: str, data: bytes) -> None:
    with pytest.raises(DamagedImage):
        without_location(kind, io.BytesIO(data)).read()


def test_damaged_photo_upload_is_a_clear_error_and_stores_nothing(client: Any) -> None:
    cid = published()
    auth = auth_for(client, "teacher@school.test")
    sid = start(client, cid, auth)
    prompt = prompt_ids(client, cid)["Three student samples"]
    truncated = _photo("png")[:60]
    response = upload(client, sid, prompt, truncated, "cut.png", auth)
    assert response.status_code == 422
    assert "could not be read" in response.get_json()["error"]["message"]
    assert storage().keys() == []
