"""Badges from other issuers on a portfolio: served by a real HTTP server on loopback (the
private-hosts setting on), verified on the way in against her address, re-verified by a job
that a view of the page queues after the recheck window (the view itself never fetches: the
next view shows the new result), and hostile images refused with nothing stored."""

from __future__ import annotations

import base64
import struct
import zlib
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select, text, update

from app import jobs
from app.config import Settings
from app.db import db, utcnow
from app.errors import Conflict, Forbidden, InvalidInput
from app.models.portfolio import PortfolioBadge
from app.pagination import PageArgs
from app.portfolio import service as portfolios
from badges import keys as badge_keys
from badges.bake import bake_png, bake_svg
from badges.recipient import make_recipient
from tests.app.people import make_user, sign_in
from tests.app.portfolio.scene import EMAIL, public_portfolio, scene
from tests.app.submissions.helpers import auth_for
from tests.badges.conftest import DocumentServer
from tests.badges.conftest import World as OtherIssuer
from tests.badges.samples import SVG, make_png
from tests.queries import count_statements


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_changes(badges_allow_private_hosts=True)  # the issuer on loopback


@pytest.fixture
def elsewhere() -> Any:
    server = DocumentServer()
    server.thread.start()
    yield OtherIssuer(server, badge_keys.generate_private_key())
    server.httpd.shutdown()
    server.httpd.server_close()


class _Asked(dict[str, Any]):
    """The issuer's documents, noting every path its server is asked for."""

    def __init__(self, documents: dict[str, Any]) -> None:
        super().__init__(documents)
        self.paths: list[str] = []

    def get(self, key: str, default: Any = None) -> Any:
        self.paths.append(key)
        return super().get(key, default)


@pytest.fixture
def asked(elsewhere: OtherIssuer) -> list[str]:
    """The paths the outside issuer's server is asked for. Its revocation list is never cached
    by the verifier's fetcher, so each verification of a hosted badge asks for it once."""
    documents = _Asked(elsewhere.server.documents)
    elsewhere.server.documents = documents
    return documents.paths


def _checks(paths: list[str]) -> int:
    """How many verifications reached the issuer (one revocation list each)."""
    return paths.count("/revocations")


def _to_her(**changes: Any) -> dict[str, Any]:
    return {"recipient": make_recipient(EMAIL), **changes}


def _count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(PortfolioBadge)) or 0


def _upload(client: Any, data: bytes, name: str) -> Any:
    """Post an image on the settings page's form (a pre-encoded body: werkzeug's test builder
    leaks its spool file for large uploads)."""
    boundary = "portfolio-boundary"
    token = client.csrf_token("/account/portfolio")
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{token}\r\n"
            f'--{boundary}\r\nContent-Disposition: form-data; name="outside-image"; '
            f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(
        "/account/portfolio/outside",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def _older(minutes: int) -> None:
    """As if the last check happened ``minutes`` ago (the recheck window passing)."""
    db.session.execute(
        update(PortfolioBadge).values(checked_at=utcnow() - timedelta(minutes=minutes))
    )
    db.session.commit()


def test_an_outside_badge_verifies_on_add_and_shows_revoked_once_the_window_passes(
    app: Any, client: Any, elsewhere: OtherIssuer
) -> None:
    found = scene()
    public_portfolio(found, badges=False)
    url = elsewhere.hosted(7, **_to_her())
    sign_in(client, found.teacher)
    added = client.submit(
        "/account/portfolio/outside", {"outside-url": url}, page="/account/portfolio"
    )
    assert added.status_code == 302, added.get_data(as_text=True)[-800:]
    entry = db.session.scalars(select(PortfolioBadge)).one()
    assert (entry.source, entry.assertion_key, entry.status) == ("url", url, "valid")
    assert entry.badge_name == "Exit tickets"
    assert entry.issuer_name == "Riverbend"
    assert entry.checked_at > utcnow() - timedelta(minutes=1)
    feed = client.get("/people/jordan-t/badges.json").get_json()
    assert [(b["id"], b["status"], b["source"]) for b in feed["badges"]] == [
        (url, "valid", "other-issuer")
    ]
    assert feed["badges"][0]["badgeClass"] == elsewhere.badge_id
    verify = urlsplit(feed["badges"][0]["verify"])
    assert (verify.path, parse_qs(verify.query)) == ("/verify", {"url": [url]})
    # The issuer revokes it. Within the window the stored result stands...
    elsewhere.revocations.append((url, "Issued in error"))
    elsewhere.publish()
    assert "Valid" in client.get("/people/jordan-t").get_data(as_text=True)
    # ...once it has passed, a view still answers with the stored result and queues a
    # re-check, which runs after its commit: the next view says so.
    _older(61)
    stored = client.get("/people/jordan-t").get_data(as_text=True)
    assert "Valid" in stored
    assert "Revoked" not in stored
    html = client.get("/people/jordan-t").get_data(as_text=True)
    assert "Revoked" in html
    assert "Issued in error" in html
    db.session.expire_all()
    entry = db.session.scalars(select(PortfolioBadge)).one()
    assert entry.status == "revoked"
    assert entry.checked_at > utcnow() - timedelta(minutes=1)
    assert client.get("/people/jordan-t/badges.json").get_json()["badges"][0]["status"] == (
        "revoked"
    )
    # She can take it off.
    removed = client.submit(
        f"/account/portfolio/badges/{entry.id}/remove", page="/account/portfolio"
    )
    assert removed.status_code == 302
    assert _count() == 0


def test_an_outside_badge_shows_expired_after_its_date(
    app: Any, client: Any, elsewhere: OtherIssuer
) -> None:
    found = scene()
    public_portfolio(found, badges=False)
    soon = utcnow() + timedelta(days=2)
    token = elsewhere.signed(8, **_to_her(expires=soon))
    entry = portfolios.add_outside(found.teacher, jws=token)
    db.session.commit()
    assert entry.source == "jws"
    assert entry.expires is not None
    portfolio = portfolios.public_portfolio("jordan-t")
    now = portfolios.shown_badges(portfolio, PageArgs())
    assert [s.status.key for s in now.items] == ["valid"]
    assert now.items[0].verify_url is None  # a signed badge is not re-published
    later = utcnow() + timedelta(days=3)
    shown = portfolios.shown_badges(portfolio, PageArgs(), now=later)
    assert [s.status.word for s in shown.items] == ["Expired"]
    db.session.rollback()
    # The re-check at that time agrees (the verifier's own date check).
    assert portfolios.recheck_due([entry.id], now=later) == 1
    db.session.commit()
    entry = db.session.scalars(select(PortfolioBadge)).one()
    assert entry.status == "expired"
    assert "expired" in entry.status_message


def test_re_checks_are_bounded_per_view_and_run_after_the_commit(
    app: Any, elsewhere: OtherIssuer, asked: list[str]
) -> None:
    found = scene()
    public_portfolio(found, badges=False)
    for number in range(1, 6):
        portfolios.add_outside(found.teacher, url=elsewhere.hosted(number, **_to_her()))
    db.session.commit()
    _older(120)
    asked.clear()
    portfolio = portfolios.public_portfolio("jordan-t")
    shown = portfolios.shown_badges(portfolio, PageArgs())
    assert [s.status.key for s in shown.items] == ["valid"] * 5  # the stored results
    assert asked == []  # nothing fetched while the view renders
    db.session.commit()  # the queued job runs (inline here) once the view's work is stored
    assert _checks(asked) == portfolios.RECHECKS_PER_VIEW
    db.session.expire_all()
    fresh = utcnow() - timedelta(minutes=1)
    checked = [e.checked_at > fresh for e in db.session.scalars(select(PortfolioBadge))]
    assert checked.count(True) == portfolios.RECHECKS_PER_VIEW
    portfolios.shown_badges(portfolio, PageArgs())
    db.session.commit()
    db.session.expire_all()
    assert all(e.checked_at > fresh for e in db.session.scalars(select(PortfolioBadge)))
    assert _checks(asked) == 5  # each once


def test_a_view_answers_with_the_stored_result_while_the_issuer_is_unreachable(
    app: Any, client: Any, elsewhere: OtherIssuer
) -> None:
    """The view never waits for another issuer: with its server gone, the page and the feed
    still answer with the stored result; the job queued by the view finds the issuer
    unreachable after the commit, and the next view shows that."""
    found = scene()
    public_portfolio(found, badges=False)
    portfolios.add_outside(found.teacher, url=elsewhere.hosted(21, **_to_her()))
    db.session.commit()
    elsewhere.server.httpd.shutdown()
    elsewhere.server.httpd.server_close()
    _older(61)
    feed = client.get("/people/jordan-t/badges.json")
    assert feed.status_code == 200
    assert [b["status"] for b in feed.get_json()["badges"]] == ["valid"]
    db.session.expire_all()
    entry = db.session.scalars(select(PortfolioBadge)).one()
    assert entry.status == "not_valid"  # the job ran after the view's commit
    assert entry.checked_at > utcnow() - timedelta(minutes=1)
    page = client.get("/people/jordan-t").get_data(as_text=True)
    assert "Not valid" in page
    # An issuer that could not be reached has not revoked anything: it is tried again.
    _older(61)
    assert jobs.run(app, "portfolio-recheck", [entry.id]) == 1


def test_a_view_costs_the_same_statements_whatever_is_stale(
    app: Any, elsewhere: OtherIssuer, asked: list[str]
) -> None:
    found = scene()
    public_portfolio(found, badges=False)
    portfolio = portfolios.public_portfolio("jordan-t")

    def statements() -> list[str]:
        db.session.expire_all()
        with count_statements(db.engine) as counted:
            page = portfolios.shown_badges(portfolio, PageArgs(1, 20))
            [s.issuer_name + s.name + s.status.message for s in page.items]
        db.session.rollback()  # drop the queued re-check
        return counted.sql

    portfolios.add_outside(found.teacher, url=elsewhere.hosted(31, **_to_her()))
    db.session.commit()
    fresh = statements()
    _older(120)
    one_stale = statements()
    for number in range(32, 38):
        portfolios.add_outside(found.teacher, url=elsewhere.hosted(number, **_to_her()))
    db.session.commit()
    _older(120)
    asked.clear()
    many_stale = statements()
    assert len(fresh) == len(one_stale) == len(many_stale)
    assert not any(sql.lstrip().upper().startswith("UPDATE") for sql in many_stale)
    assert asked == []


def test_a_job_for_fresh_revoked_or_removed_badges_fetches_nothing(
    app: Any, elsewhere: OtherIssuer, asked: list[str]
) -> None:
    found = scene()
    public_portfolio(found, badges=False)
    urls = [elsewhere.hosted(n, **_to_her()) for n in (41, 42, 43)]
    ids = [portfolios.add_outside(found.teacher, url=url).id for url in urls]
    db.session.commit()
    asked.clear()
    # Just added: fresh, nothing to do.
    assert jobs.run(app, "portfolio-recheck", ids) == 0
    assert asked == []
    _older(120)
    assert jobs.run(app, "portfolio-recheck", ids) == 3
    assert _checks(asked) == 3
    # A duplicate job (two views queued it) finds them fresh.
    assert jobs.run(app, "portfolio-recheck", ids) == 0
    assert _checks(asked) == 3
    # The issuer revokes one; she takes another off her portfolio.
    elsewhere.revocations.append((urls[0], "Issued in error"))
    elsewhere.publish()
    _older(120)
    assert jobs.run(app, "portfolio-recheck", ids[:1]) == 1
    db.session.expire_all()
    assert db.session.get(PortfolioBadge, ids[0]).status == "revoked"
    db.session.delete(db.session.get(PortfolioBadge, ids[1]))
    db.session.commit()
    _older(120)
    asked.clear()
    # Only the one still on her portfolio and not revoked is fetched.
    assert jobs.run(app, "portfolio-recheck", ids) == 1
    assert _checks(asked) == 1


@pytest.mark.postgres
def test_two_jobs_for_one_page_at_once_fetch_each_badge_once(
    app: Any, elsewhere: OtherIssuer, asked: list[str]
) -> None:
    """One job claims (and holds) the stale badges while a second runs: the second skips the
    locked rows and fetches nothing; a third, after both, finds them fresh."""
    found = scene()
    public_portfolio(found, badges=False)
    ids = [
        portfolios.add_outside(found.teacher, url=elsewhere.hosted(n, **_to_her())).id
        for n in (51, 52, 53)
    ]
    db.session.commit()
    _older(120)
    asked.clear()

    with app.app_context():  # a session of its own
        first = portfolios.recheck_due(ids)
        assert first == 3  # claimed and checked, not yet committed
        with app.app_context():  # another session, while the first holds its locks
            # Waiting on the first session's locks would wait forever here: fail instead.
            db.session.execute(text("SET LOCAL lock_timeout = '5s'"))
            second = portfolios.recheck_due(ids)
            db.session.commit()
        db.session.commit()
    assert second == 0
    assert _checks(asked) == 3
    assert jobs.run(app, "portfolio-recheck", ids) == 0
    assert _checks(asked) == 3
    db.session.expire_all()
    fresh = utcnow() - timedelta(minutes=1)
    assert all(e.checked_at > fresh for e in db.session.scalars(select(PortfolioBadge)))


def test_a_badge_for_another_address_is_refused_and_nothing_is_stored(
    app: Any, client: Any, elsewhere: OtherIssuer
) -> None:
    found = scene()
    public_portfolio(found, badges=False)
    url = elsewhere.hosted(9, recipient=make_recipient("somebody.else@lake.test"))
    sign_in(client, found.teacher)
    refused = client.submit(
        "/account/portfolio/outside", {"outside-url": url}, page="/account/portfolio"
    )
    assert refused.status_code == 422
    assert f"not issued to your address ({EMAIL})" in refused.get_data(as_text=True)
    assert _count() == 0
    # A badge that fails another check says which, and stores nothing either.
    with pytest.raises(InvalidInput, match="did not verify"):
        portfolios.add_outside(found.teacher, url=elsewhere.server.base + "/assertions/none")
    db.session.rollback()
    # The same badge twice is one entry.
    good = elsewhere.hosted(10, **_to_her())
    portfolios.add_outside(found.teacher, url=good)
    db.session.commit()
    with pytest.raises(Conflict, match="already on your portfolio"):
        portfolios.add_outside(found.teacher, url=good)
    db.session.rollback()
    assert _count() == 1


def test_a_baked_image_is_verified_and_its_checked_image_served(
    app: Any, client: Any, elsewhere: OtherIssuer
) -> None:
    found = scene()
    public_portfolio(found, badges=False)
    baked = bake_png(make_png(8), elsewhere.signed(11, **_to_her()))
    sign_in(client, found.teacher)
    added = _upload(client, baked, "badge.png")
    assert added.status_code == 302, added.get_data(as_text=True)[-800:]
    entry = db.session.scalars(select(PortfolioBadge)).one()
    assert entry.source == "image"
    assert entry.image_mimetype == "image/png"
    image = client.get(f"/people/jordan-t/badges/{entry.id}/image")
    assert image.status_code == 200
    assert image.mimetype == "image/png"
    assert b"openbadges" not in image.get_data()  # the checked copy, without the badge
    # An image on a page that is off, or another portfolio's id, is not found.
    assert client.get(f"/people/nobody/badges/{entry.id}/image").status_code == 404
    page = client.get("/people/jordan-t").get_data(as_text=True)
    assert f"/people/jordan-t/badges/{entry.id}/image" in page
    # A URL-added badge without a carried image gets a default one.
    portfolios.add_outside(found.teacher, url=elsewhere.hosted(12, **_to_her()))
    db.session.commit()
    other = db.session.scalars(select(PortfolioBadge).where(PortfolioBadge.source == "url")).one()
    default = client.get(f"/people/jordan-t/badges/{other.id}/image")
    assert default.status_code == 200
    assert default.mimetype == "image/svg+xml"
    assert default.headers["Content-Security-Policy"]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol3;</text></svg>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>"""


def _bad_crc(png: bytes) -> bytes:
    body = bytearray(png)
    body[29] ^= 0xFF  # the IHDR chunk's checksum
    return bytes(body)


def _huge_idat() -> bytes:
    """A PNG whose one chunk claims 2 GB."""
    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    ihdr = (
        struct.pack(">I", 13) + b"IHDR" + header + struct.pack(">I", zlib.crc32(b"IHDR" + header))
    )
    return b"\x89PNG\r\n\x1a\n" + ihdr + struct.pack(">I", 2**31) + b"IDAT" + b"\0" * 64


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("lol.svg", BILLION_LAUGHS, "does not carry a badge"),
        ("xxe.svg", EXTERNAL_ENTITY, "does not carry a badge"),
        ("plain.svg", SVG, "no Open Badges data"),
        ("plain.png", make_png(), "no Open Badges data"),
        ("crc.png", _bad_crc(make_png()), "does not carry a badge"),
        ("huge.png", _huge_idat(), "does not carry a badge"),
        ("page.png", b"<html><script>alert(1)</script></html>", "not a PNG or SVG"),
        ("big.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024), "larger than 5 MB"),
    ],
)
def test_hostile_or_empty_images_are_refused_cleanly(
    app: Any, client: Any, name: str, data: bytes, says: str
) -> None:
    found = scene()
    public_portfolio(found, badges=False)
    sign_in(client, found.teacher)
    refused = _upload(client, data, name)
    assert refused.status_code == 422
    assert says in refused.get_data(as_text=True)
    assert _count() == 0


def test_a_baked_svg_with_a_script_is_verified_but_never_served_with_it(
    app: Any, client: Any, elsewhere: OtherIssuer
) -> None:
    found = scene()
    public_portfolio(found, badges=False)
    hostile = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)">'
        b"<script>alert(2)</script><circle r='4'/></svg>"
    )
    baked = bake_svg(hostile, elsewhere.signed(13, **_to_her()))
    entry = portfolios.add_outside(found.teacher, image=baked, filename="badge.svg")
    db.session.commit()
    served = client.get(f"/people/jordan-t/badges/{entry.id}/image")
    assert served.status_code == 200
    assert served.mimetype == "image/svg+xml"
    text = served.get_data(as_text=True)
    assert "<script" not in text
    assert "onload" not in text
    assert "default-src 'none'" in served.headers["Content-Security-Policy"]


def test_base64_image_through_the_api_and_unconfirmed_accounts(
    app: Any, client: Any, elsewhere: OtherIssuer
) -> None:
    found = scene()
    public_portfolio(found, badges=False)
    baked = bake_png(make_png(), elsewhere.signed(14, **_to_her()))
    auth = auth_for(client, EMAIL)
    made = client.post(
        "/api/v1/me/portfolio/badges",
        json={"image": base64.b64encode(baked).decode(), "filename": "b.png"},
        headers=auth,
    )
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["source"] == "image"
    assert made.get_json()["status"] == "valid"
    junk = client.post("/api/v1/me/portfolio/badges", json={"image": "%%%"}, headers=auth)
    assert junk.status_code == 422
    unconfirmed = make_user("new@lake.test", confirmed=False)
    db.session.commit()
    with pytest.raises(Forbidden, match="Confirm your e-mail"):
        portfolios.add_outside(unconfirmed, url=elsewhere.hosted(15, **_to_her()))
    db.session.rollback()
    assert _count() == 1
