"""The designer's pages: create, edit a draft, publish, new version, retire; role checks."""

from __future__ import annotations

import json
import struct
import zlib
from typing import Any

from sqlalchemy import func, select

from app.db import db
from app.models.credentials import Credential, CredentialVersion
from app.models.orgs import Role
from tests.app.credentials.body import BODY
from tests.app.people import grant, make_issuer, make_user


def _setup(client: Any) -> tuple[Any, Any]:
    mine = make_issuer("mine")
    theirs = make_issuer("theirs")
    designer = make_user("designer@mine.test")
    grant(designer, Role.DESIGNER, mine)
    other = make_user("designer@theirs.test")
    grant(other, Role.DESIGNER, theirs)
    make_user("teacher@mine.test")
    db.session.commit()
    return mine, theirs


def _import(client: Any, issuer_id: int, **changes: Any) -> int:
    data = dict(BODY.items())
    data.update(changes)
    response = client.submit(
        "/design/new", {"issuer": issuer_id, "import_json": json.dumps(data)}, page="/design/new"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def _act(client: Any, cid: int, action: str) -> Any:
    return client.submit(f"/design/{cid}/{action}", page=f"/design/{cid}")


def _png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_designer_builds_a_credential_with_forms_and_publishes(client: Any) -> None:
    mine, _ = _setup(client)
    client.login("designer@mine.test")
    created = client.submit(
        "/design/new",
        {"issuer": mine.id, "title": "Morning meeting", "slug": "morning-meeting"},
        page="/design/new",
    )
    assert created.status_code == 302
    cid = int(created.headers["Location"].split("/")[-1])
    page = client.get(f"/design/{cid}").get_data(as_text=True)
    assert "Add at least one submission prompt." in page

    assert (
        client.submit(
            f"/design/{cid}/prompts/new",
            {"kind": "text", "label": "Describe your meeting", "min_words": 50, "max_words": 400},
        ).status_code
        == 302
    )
    refused = client.submit(f"/design/{cid}/prompts/new", {"kind": "file", "label": "Video"})
    assert refused.status_code == 422
    assert "file kinds" in refused.get_data(as_text=True)
    assert (
        client.submit(
            f"/design/{cid}/prompts/new",
            {"kind": "file", "label": "Video", "allowed_kinds": ["mp4"], "max_mb": 200},
        ).status_code
        == 302
    )

    version = db.session.scalar(
        select(CredentialVersion).where(CredentialVersion.credential_id == cid)
    )
    prompt_ids = [p.id for p in version.prompts]
    levels = {
        "levels-0-name": "Not yet",
        "levels-0-points": 0,
        "levels-1-name": "Proficient",
        "levels-1-points": 2,
        "levels-1-descriptor": "All four parts.",
    }
    one_level = client.submit(
        f"/design/{cid}/criteria/new",
        {"title": "Structure", "levels-0-name": "Only", "levels-0-points": 1},
    )
    assert one_level.status_code == 422
    assert (
        client.submit(
            f"/design/{cid}/criteria/new",
            {"title": "Structure", "prompt_ids": prompt_ids, **levels},
        ).status_code
        == 302
    )
    details = client.submit(
        f"/design/{cid}/details",
        {
            "title": "Running a morning meeting",
            "competency": "The educator runs a daily morning meeting.",
            "research_resources": "The Morning Meeting Book | https://example.org/book",
            "alignments": "InTASC | 3 | https://example.org/intasc/3 | Learning environments",
            "tags": "Community, SEL",
            "grade_bands": ["PreK-2", "3-5"],
            "pass_min_level": 1,
        },
    )
    assert details.status_code == 302, details.get_data(as_text=True)[-1500:]
    bad_lines = client.submit(
        f"/design/{cid}/details",
        {"title": "X", "research_resources": "no url here", "pass_min_level": -1},
    )
    assert bad_lines.status_code == 422
    assert "Line 1" in bad_lines.get_data(as_text=True)

    upload = client.post(
        f"/design/{cid}/image",
        data={
            "image": (__import__("io").BytesIO(_png()), "badge.png"),
            "csrf_token": client.csrf_token(f"/design/{cid}"),
        },
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    hostile = client.post(
        f"/design/{cid}/image",
        data={
            "image": (
                __import__("io").BytesIO(b"<html><script>alert(1)</script></html>"),
                "badge.svg",
            ),
            "csrf_token": client.csrf_token(f"/design/{cid}"),
        },
        content_type="multipart/form-data",
    )
    assert hostile.status_code == 303

    assert _act(client, cid, "publish").status_code == 302
    db.session.expire_all()
    credential = db.session.get(Credential, cid)
    published = credential.published_version
    assert published is not None
    assert published.title == "Running a morning meeting"
    assert published.image_mimetype == "image/png"
    assert published.tags == ["community", "sel"]
    assert client.get("/catalog/mine/morning-meeting").status_code == 200


def test_published_versions_are_frozen_and_new_versions_copy_them(client: Any) -> None:
    mine, _ = _setup(client)
    client.login("designer@mine.test")
    cid = _import(client, mine.id)
    assert _act(client, cid, "publish").status_code == 302
    frozen = client.submit(f"/design/{cid}/details", {"title": "Changed"}, page=f"/design/{cid}")
    assert frozen.status_code == 409

    assert _act(client, cid, "new-version").status_code == 302
    db.session.expire_all()
    credential = db.session.get(Credential, cid)
    v1, v2 = credential.versions
    assert (v1.status, v2.status) == ("published", "draft")
    assert [c.title for c in v2.criteria] == [c.title for c in v1.criteria]
    assert {p.id for p in v2.prompts}.isdisjoint({p.id for p in v1.prompts})
    assert [len(c.prompts) for c in v2.criteria] == [len(c.prompts) for c in v1.criteria]

    revised = client.submit(
        f"/design/{cid}/details",
        {"title": "Exit tickets, revised", "competency": BODY["competency"], "pass_min_level": 2},
    )
    assert revised.status_code == 302
    assert _act(client, cid, "publish").status_code == 302
    db.session.expire_all()
    v1, v2 = db.session.get(Credential, cid).versions
    assert (v1.status, v1.title) == ("superseded", BODY["title"])
    assert (v2.status, v2.title) == ("published", "Exit tickets, revised")

    assert _act(client, cid, "retire").status_code == 302
    assert client.get("/api/v1/credentials").get_json()["total"] == 0
    assert client.get("/catalog/mine/exit-tickets").status_code == 404
    assert _act(client, cid, "unretire").status_code == 302
    assert client.get("/api/v1/credentials").get_json()["total"] == 1


def test_others_cannot_touch_a_credential(app: Any, client: Any) -> None:
    mine, _theirs = _setup(client)
    client.login("designer@mine.test")
    cid = _import(client, mine.id)
    client.logout()

    client.login("designer@theirs.test")
    assert client.get(f"/design/{cid}").status_code == 403
    assert (
        client.submit(f"/design/{cid}/details", {"title": "Hijacked"}, page="/design").status_code
        == 403
    )
    assert _act(client, cid, "retire").status_code == 403
    wrong_issuer = client.submit(
        "/design/new", {"issuer": mine.id, "title": "X", "slug": "x"}, page="/design/new"
    )
    assert wrong_issuer.status_code == 422
    client.logout()

    client.login("teacher@mine.test")
    assert client.get("/design").status_code == 403
    assert client.get(f"/design/{cid}").status_code == 403

    client.logout()

    # The owner's own session, but a request without the CSRF token (a forged form elsewhere).
    client.login("designer@mine.test")
    forged = client.post(f"/design/{cid}/retire")
    assert forged.status_code == 400
    db.session.expire_all()
    assert db.session.get(Credential, cid).latest_version.title == BODY["title"]
    assert db.session.get(Credential, cid).retired_at is None
    assert int(db.session.scalar(select(func.count(Credential.id)))) == 1


def test_post_without_csrf_changes_nothing(client: Any) -> None:
    mine, _ = _setup(client)
    client.login("designer@mine.test")
    cid = _import(client, mine.id)
    response = client.post(f"/design/{cid}/details", data={"title": "No token"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Credential, cid).latest_version.title == BODY["title"]


def test_import_json_errors_are_explained(client: Any) -> None:
    mine, _ = _setup(client)
    client.login("designer@mine.test")
    broken = client.submit(
        "/design/new", {"issuer": mine.id, "import_json": "{nope"}, page="/design/new"
    )
    assert broken.status_code == 422
    assert "could not be read" in broken.get_data(as_text=True)
    invalid = client.submit(
        "/design/new",
        {"issuer": mine.id, "import_json": json.dumps({"slug": "x"})},
        page="/design/new",
    )
    assert invalid.status_code == 422
    assert "title" in invalid.get_data(as_text=True)
    assert int(db.session.scalar(select(func.count(Credential.id)))) == 0
