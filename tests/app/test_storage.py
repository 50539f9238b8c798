"""Evidence storage: the local folder and S3 (moto's server on loopback, over real HTTP)."""

from __future__ import annotations

import hashlib
import io
import os
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from app.storage import CHUNK, LocalStorage, S3Storage, StorageError, TooLarge
from tests.servers import S3TestServer


@pytest.fixture
def s3(s3_server: S3TestServer) -> S3Storage:
    bucket = f"evidence-{uuid.uuid4().hex[:8]}"
    client = s3_server.client()
    client.create_bucket(Bucket=bucket)
    return S3Storage(bucket, client=client)


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "local":
        return LocalStorage(tmp_path / "evidence")
    return request.getfixturevalue("s3")


class CountingStream(io.RawIOBase):
    """Yields ``total`` bytes on demand and counts how many were read."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = self.total - self.read_bytes if size < 0 else min(size, self.total - self.read_bytes)
        self.read_bytes += size
        return b"x" * size


def test_round_trip_records_size_and_sha256(storage: Any) -> None:
    data = os.urandom(3 * CHUNK + 17)
    stored = storage.put(
        "submissions/1/a.bin", io.BytesIO(data), limit=10 * CHUNK, content_type="application/pdf"
    )
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert b"".join(storage.open("submissions/1/a.bin")) == data
    assert storage.keys("submissions/") == ["submissions/1/a.bin"]
    storage.delete("submissions/1/a.bin")
    assert not storage.exists("submissions/1/a.bin")


def test_oversized_file_is_refused_early_and_leaves_nothing(storage: Any) -> None:
    stream = CountingStream(100 * CHUNK)
    with pytest.raises(TooLarge, match="larger than 2 MB"):
        storage.put("submissions/2/big.mp4", stream, limit=2 * CHUNK, content_type="video/mp4")
    assert stream.read_bytes <= 2 * CHUNK + CHUNK
    assert storage.keys() == []


def test_zero_byte_file_is_stored_as_empty(storage: Any) -> None:
    stored = storage.put(
        "submissions/3/empty.txt", io.BytesIO(b""), limit=CHUNK, content_type="text/plain"
    )
    assert stored.size == 0
    assert stored.sha256 == hashlib.sha256(b"").hexdigest()


@pytest.mark.parametrize("key", ["../../etc/passwd", "/abs/path", "a//b", "sub/../../x", ""])
def test_hostile_keys_are_refused(storage: Any, key: str) -> None:
    with pytest.raises(StorageError):
        storage.put(key, io.BytesIO(b"x"), limit=CHUNK, content_type="text/plain")


def test_s3_outage_is_a_clear_error(s3_server: S3TestServer) -> None:
    dead = S3Storage("evidence", client=s3_server.client("http://127.0.0.1:9"))
    with pytest.raises(StorageError, match="not answering"):
        dead.put(
            "submissions/4/a.pdf",
            io.BytesIO(b"%PDF-1.4"),
            limit=CHUNK,
            content_type="application/pdf",
        )


def test_s3_objects_are_encrypted_and_presigned_links_expire(s3: S3Storage) -> None:
    s3.put(
        "submissions/5/a.pdf",
        io.BytesIO(b"%PDF-1.4 evidence"),
        limit=CHUNK,
        content_type="application/pdf",
    )
    head = s3.client.head_object(Bucket=s3.bucket, Key="submissions/5/a.pdf")
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentType"] == "application/pdf"
    with urllib.request.urlopen(s3.presigned_get("submissions/5/a.pdf", seconds=60)) as response:  # noqa: S310
        assert response.read() == b"%PDF-1.4 evidence"
    # moto does not enforce expiry, so check the signed expiry time the link carries.
    query = parse_qs(urlsplit(s3.presigned_get("submissions/5/a.pdf", seconds=60)).query)
    assert abs(int(query["Expires"][0]) - (time.time() + 60)) < 5
    post = s3.presigned_post("submissions/6/v.mp4", limit=500 * CHUNK, content_type="video/mp4")
    conditions = str(post["fields"])
    assert post["url"].startswith("http://127.0.0.1")
    assert "policy" in post["fields"]
    assert "video/mp4" in conditions
