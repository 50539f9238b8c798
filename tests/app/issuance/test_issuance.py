"""Issuance: exactly once, keys encrypted at rest, hosted documents with content negotiation,
the earner's backpack and public page, revocation, and the API."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from app.db import db, dispose_engines
from app.issuance import documents, keys, service
from app.models.assertions import Assertion, IssuerKey
from app.models.reviews import Review
from app.models.submissions import Submission
from app.reviews import service as reviews
from badges.bake import unbake
from badges.jws import decode
from tests.app.issuance.helpers import passed
from tests.app.people import sign_in
from tests.app.reviews.world import active_review, build, full_scores
from tests.app.submissions.helpers import auth_for
from tests.conftest import postgres_in_use
from tests.processes import child_app

EMAIL = "jordan@lake.test"
LD = {"Accept": "application/ld+json"}


def test_a_pass_issues_one_signed_badge_and_tells_the_teacher(app: Any, mailbox: Any) -> None:
    world = build()
    item = passed(world, EMAIL)
    header, payload = decode(item.jws)
    assert header == {"alg": "RS256"}
    assert payload["id"] == documents.assertion_url(item)
    assert payload["verification"] == {
        "type": "SignedBadge",
        "creator": documents.key_url(item.key),
    }
    assert payload["recipient"]["hashed"] is True
    assert EMAIL not in item.jws
    assert EMAIL not in str(payload)
    assert "evidence" not in payload  # no consent: no public evidence
    again = service.issue_for_submission(db.session.get(Submission, item.submission_id))
    assert again.id == item.id
    assert db.session.scalar(select(func.count(Assertion.id))) == 1
    subjects = [str(m["Subject"]) for m in mailbox.to(EMAIL)]
    assert any(s.startswith("Your badge:") for s in subjects)


def test_consented_evidence_is_linked_and_shown_and_otherwise_private(
    app: Any, client: Any
) -> None:
    world = build()
    shared = passed(world, "shares@lake.test", evidence_public=True)
    private = passed(world, "keeps@lake.test")
    payload = decode(shared.jws)[1]
    assert payload["evidence"][0]["id"] == documents.evidence_url(shared)
    assert "judged by trained reviewers" in payload["evidence"][0]["narrative"]
    page = client.get(f"/ob/assertions/{shared.uid}/evidence")
    assert page.status_code == 200
    assert "evidence evidence" in page.get_data(as_text=True)
    assert "shares@lake.test" not in page.get_data(as_text=True)
    assert client.get(f"/ob/assertions/{private.uid}/evidence").status_code == 404


def _pass_in_child(
    database_url: str, instance: str, review_id: int, crash: bool, gate: Any
) -> None:
    """Another app process submits the passing scores; ``crash`` dies after signing, before
    the commit, as a worker killed half-way would."""
    from app.models.accounts import User

    app = child_app(database_url, instance)
    with app.app_context():
        review = db.session.get(Review, review_id)
        reviewer = db.session.get(User, review.reviewer_id)
        if gate is not None:
            gate.wait(timeout=60)
        try:
            review = reviews.get_mine(reviewer, review_id, lock=True)
            reviews.save_scores(reviewer, review, full_scores(review, 3), "Yes.", final=True)
            signed = db.session.scalar(select(Assertion.jws).where(Assertion.id.is_not(None)))
            if crash:
                assert signed  # signed in this transaction, not yet committed
                os._exit(3)
            db.session.commit()
        except Exception:
            db.session.rollback()  # the other process decided first: 404/409 here
        db.session.remove()
        dispose_engines()


@pytest.mark.postgres
def test_exactly_once_under_concurrent_passes_and_a_crash_before_commit(
    app: Any, database_url: str, tmp_path: Path
) -> None:
    world = build()
    world.reviewer("rev@hill.test")
    submission = world.submit(world.teacher(EMAIL))
    review_id = active_review(submission).id
    context = multiprocessing.get_context("spawn")

    crashed = context.Process(
        target=_pass_in_child, args=(database_url, str(tmp_path), review_id, True, None)
    )
    crashed.start()
    crashed.join(timeout=120)
    assert crashed.exitcode == 3
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Assertion.id))) == 0  # nothing half-issued
    assert db.session.get(Submission, submission.id).status == "submitted"

    gate = context.Barrier(4)
    racers = [
        context.Process(
            target=_pass_in_child, args=(database_url, str(tmp_path), review_id, False, gate)
        )
        for _ in range(4)
    ]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=120)
    assert [r.exitcode for r in racers] == [0, 0, 0, 0]
    db.session.expire_all()
    badges = db.session.scalars(select(Assertion)).all()
    assert len(badges) == 1
    assert badges[0].submission_id == submission.id
    assert badges[0].jws
    assert db.session.get(Submission, submission.id).status == "passed"


def test_private_keys_are_encrypted_at_rest_and_never_published(
    app: Any, client: Any, settings: Any
) -> None:
    world = build()
    item = passed(world, EMAIL)
    key = db.session.get(IssuerKey, item.key_id)
    assert key.private_encrypted is not None
    assert b"PRIVATE KEY" not in key.private_encrypted
    plain = Fernet(settings.master_key.encode()).decrypt(key.private_encrypted)
    assert plain.startswith(b"-----BEGIN PRIVATE KEY-----")
    if postgres_in_use():
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        dump = subprocess.run(
            ["pg_dump", url], capture_output=True, check=True, timeout=120
        ).stdout.decode()
    else:
        dump = "\n".join(db.session.connection().connection.iterdump())
    assert "BEGIN PUBLIC KEY" in dump  # the dump is real and holds the keys table
    assert "PRIVATE KEY" not in dump
    published = client.get(f"/ob/keys/{key.kid}", headers=LD).get_data(as_text=True)
    assert "PRIVATE" not in published
    page = client.get(f"/ob/keys/{key.kid}").get_data(as_text=True)
    assert "PRIVATE" not in page


def test_hosted_documents_negotiate_content_and_cache(app: Any, client: Any) -> None:
    world = build()
    item = passed(world, EMAIL)
    url = f"/ob/assertions/{item.uid}"
    ld = client.get(url, headers=LD)
    assert ld.status_code == 200
    assert ld.mimetype == "application/ld+json"
    assert ld.get_json()["verification"] == {"type": "HostedBadge"}
    assert ld.headers["Cache-Control"] == "public, no-cache"
    assert ld.headers["Vary"] == "Accept"
    plain = client.get(url, headers={"Accept": "application/json"})
    assert plain.mimetype == "application/json"
    page = client.get(url, headers={"Accept": "text/html"})
    assert page.mimetype == "text/html"
    assert page.headers["Vary"] == "Accept, Accept-Language, Cookie"  # a page in her language
    suffix = client.get(f"{url}.json")
    assert suffix.mimetype == "application/ld+json"
    assert suffix.get_json() == ld.get_json()
    validator = client.get(
        url, headers={"Accept": "application/ld+json, application/json, image/png, image/svg+xml"}
    )
    assert validator.mimetype == "application/ld+json"
    page = client.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.mimetype == "text/html"
    assert item.version.title in page.get_data(as_text=True)
    same = client.get(url, headers={**LD, "If-None-Match": ld.headers["ETag"]})
    assert same.status_code == 304
    for path in (
        f"/ob/issuers/{world.issuer.slug}",
        f"/ob/badges/{item.version_id}",
        f"/ob/keys/{item.key.kid}",
    ):
        document = client.get(path, headers=LD)
        assert document.status_code == 200, path
        assert document.headers["Cache-Control"] == "public, max-age=3600"
        assert document.get_json()["id"].endswith(path)
    profile = client.get(f"/ob/issuers/{world.issuer.slug}", headers=LD).get_json()
    assert profile["publicKey"] == documents.key_url(item.key)  # exactly one, the current
    image = client.get(f"/ob/badges/{item.version_id}/image")
    assert image.mimetype in ("image/svg+xml", "image/png")
    assert client.get("/ob/assertions/nope", headers=LD).status_code == 404


def test_backpack_downloads_carry_the_signed_badge(app: Any, client: Any) -> None:
    world = build()
    item = passed(world, EMAIL)
    sign_in(client, item.user)
    page = client.get("/badges").get_data(as_text=True)
    assert item.version.title in page
    png = client.get(f"/badges/{item.uid}/download/png")
    assert png.mimetype == "image/png"
    assert png.get_data().startswith(b"\x89PNG")
    assert unbake(png.get_data()) == item.jws
    svg = client.get(f"/badges/{item.uid}/download/svg")
    assert unbake(svg.get_data()) == item.jws
    assert client.get(f"/badges/{item.uid}/download/jws").get_data(as_text=True) == item.jws
    assert client.get(f"/badges/{item.uid}/download/json").get_json()["id"] == (
        documents.assertion_url(item)
    )
    assert ".png" in png.headers["Content-Disposition"]
    cached = client.get(f"/badges/{item.uid}/download/png")
    assert cached.get_data() == png.get_data()  # made once, then served from storage
    other = world.teacher("someone@lake.test")
    db.session.commit()
    sign_in(client, other)
    assert client.get(f"/badges/{item.uid}/download/png").status_code == 404


def test_public_page_is_off_by_default_and_shares_when_switched_on(app: Any, client: Any) -> None:
    world = build()
    item = passed(world, EMAIL)
    assert client.get(f"/b/{item.uid}").status_code == 404
    sign_in(client, item.user)
    client.submit(f"/badges/{item.uid}/public", {"public": "on"}, page="/badges")
    page = client.get(f"/b/{item.uid}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<meta property="og:title"' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert (
        f'rel="alternate" type="application/ld+json" href="{documents.assertion_url(item)}"' in html
    )
    assert "<strong>Valid</strong>" in html
    backpack = client.get("/badges").get_data(as_text=True)
    assert "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in backpack
    assert f"certId={item.uid}" in backpack
    assert "&lt;a href=" in backpack  # the embed snippet, shown as text to copy
    service.revoke(world.admin, item, "Issued in error.")
    db.session.commit()
    assert "<strong>Revoked</strong>" in client.get(f"/b/{item.uid}").get_data(as_text=True)
    client.submit(f"/badges/{item.uid}/public", {"public": "off"}, page="/badges")
    assert client.get(f"/b/{item.uid}").status_code == 404


def test_api_lists_my_badges_and_admins_revoke(app: Any, client: Any, mailbox: Any) -> None:
    world = build(validity_years=2)
    item = passed(world, EMAIL)
    mine = client.get("/api/v1/me/badges", headers=auth_for(client, EMAIL)).get_json()["badges"]
    assert len(mine) == 1
    badge = mine[0]
    assert set(badge) >= {
        "assertion_id",
        "credential_id",
        "issued_on",
        "expires",
        "revoked",
        "jws_url",
        "png_url",
        "svg_url",
        "public_url",
    }
    assert badge["assertion_id"] == documents.assertion_url(item)
    assert badge["expires"] is not None
    assert badge["public_url"] is None  # not shared yet
    teacher = auth_for(client, EMAIL)
    # The file links answer the file to the same token (and 401 JSON without one).
    for key, kind in (("jws_url", "application/jose"), ("png_url", "image/png")):
        path = badge[key].removeprefix("http://localhost")
        got = client.get(path, headers=teacher)
        assert got.status_code == 200, (key, got.status_code)
        assert got.mimetype == kind
        anonymous = client.get(path)
        assert anonymous.status_code == 401
        assert anonymous.is_json
    assert (
        unbake(client.get(badge["png_url"].removeprefix("http://localhost"), headers=teacher).data)
        == item.jws
    )
    stranger = auth_for(client, "admin@acme.test")
    assert (
        client.get(badge["jws_url"].removeprefix("http://localhost"), headers=stranger).status_code
        == 404
    )
    refused = client.post(
        f"/api/v1/assertions/{item.uid}/revoke", json={"reason": "x"}, headers=teacher
    )
    assert refused.status_code == 403
    admin = auth_for(client, "admin@acme.test")
    empty = client.post(f"/api/v1/assertions/{item.uid}/revoke", json={}, headers=admin)
    assert empty.status_code == 422
    done = client.post(
        f"/api/v1/assertions/{item.uid}/revoke",
        json={"reason": "Plagiarised evidence."},
        headers=admin,
    )
    assert done.status_code == 200
    assert done.get_json()["revoked"] is True
    twice = client.post(
        f"/api/v1/assertions/{item.uid}/revoke", json={"reason": "again"}, headers=admin
    )
    assert twice.status_code == 409
    revocations = client.get(f"/ob/issuers/{world.issuer.slug}/revocations", headers=LD)
    listed = revocations.get_json()["revokedAssertions"]
    assert {
        "id": documents.assertion_url(item),
        "revocationReason": "Plagiarised evidence.",
    } in listed
    assert any("revoked" in str(m["Subject"]) for m in mailbox.to(EMAIL))


def test_our_verifier_reports_a_revoked_hosted_badge_as_revoked(app: Any, client: Any) -> None:
    world = build()
    item = passed(world, EMAIL)
    service.revoke(world.admin, item, "Evidence was copied.")
    db.session.commit()
    report = client.post("/api/v1/verify", json={"url": documents.assertion_url(item)}).get_json()
    assert report["verdict"] == "Revoked"
    assert report["valid"] is False


def test_key_rotation_keeps_the_old_key_published_and_lists_one_key(app: Any, client: Any) -> None:
    world = build()
    item = passed(world, EMAIL)
    old = item.key
    sign_in(client, world.admin)
    client.submit(
        f"/issuers/{world.issuer.slug}/keys/rotate", page=f"/issuers/{world.issuer.slug}/badges"
    )
    db.session.expire_all()
    current = keys.current_key(world.issuer)
    assert current.id != old.id
    profile = client.get(f"/ob/issuers/{world.issuer.slug}", headers=LD).get_json()
    assert profile["publicKey"] == documents.key_url(current)
    assert client.get(f"/ob/keys/{old.kid}", headers=LD).status_code == 200
    assert db.session.get(Assertion, item.id).key_id == current.id
