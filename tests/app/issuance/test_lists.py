"""Badge lists are pages: the earner's backpack (``/badges``, ``GET /api/v1/me/badges``) and
the issuer admin's issued badges and bulk uploads (``/issuers/<slug>/badges``). Each request
sends the same number of SQL statements for 3 rows and for 60, pages never overlap and
together cover the list in a stable order (newest first, the id breaking ties), ``per_page``
is capped, junk paging arguments answer 422, and nobody sees anyone else's badges."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any

import pytest

from app.credentials import service as credentials
from app.db import db
from app.models.accounts import User
from app.models.assertions import Assertion, BulkIssuance
from app.models.credentials import Credential, CredentialVersion, VersionStatus
from app.models.orgs import Issuer, Role
from app.pagination import MAX_PER_PAGE
from badges.recipient import make_recipient
from tests.app.credentials.body import BODY
from tests.app.people import grant, make_issuer, make_user, sign_in
from tests.app.reviews.world import World, build
from tests.app.submissions.helpers import auth_for
from tests.queries import count_statements

EMAIL = "jordan@lake.test"
START = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
BADGE_RE = re.compile(r'id="badge-([0-9a-f]{32})"')
ISSUED_RE = re.compile(r'href="[^"]*/ob/assertions/([0-9a-f]{32})"')
BULK_RE = re.compile(r"/bulk/(\d+)\">")
NEXT_RE = re.compile(r'rel="next" href="([^"]+)"')
ISSUED_NEXT_RE = re.compile(r'rel="next" href="([^"]+#issued)"')


@dataclass
class Scene:
    world: World
    teacher: User
    rival: Issuer
    rival_admin: User
    versions: list[CredentialVersion]


def _scene() -> Scene:
    """Acme (the world's issuer) and a rival issuer, each with a published credential, and a
    confirmed teacher."""
    world = build()
    rival = make_issuer("rival")
    rival_admin = make_user("admin@rival.test")
    grant(rival_admin, Role.ISSUER_ADMIN, rival)
    designer = make_user("designer@rival.test")
    grant(designer, Role.DESIGNER, rival)
    theirs = credentials.create_credential(designer, rival, {**BODY, "title": "Rival's badge"})
    credentials.publish(designer, theirs)
    teacher = make_user(EMAIL)
    db.session.commit()
    versions = [
        _version(world.credential_id),
        _version(theirs.id),
    ]
    return Scene(world, teacher, rival, rival_admin, versions)


def _version(credential_id: int) -> CredentialVersion:
    credential = db.session.get(Credential, credential_id)
    assert credential is not None
    assert credential.published_version is not None
    return credential.published_version


def _catalogue(count: int, issuer: Issuer | None = None) -> list[CredentialVersion]:
    """``count`` published credentials of one version each, every one at an issuer of its own
    unless ``issuer`` is given. Badges of these share nothing, so a list that loaded a row's
    version or issuer on its own would pay for it per row (rows of one version would hide
    that: the session finds an object it already holds without asking the database)."""
    versions = []
    for n in range(count):
        tag = uuid.uuid4().hex[:10]
        owner = issuer or make_issuer(f"org-{tag}", name=f"Org {tag}")
        credential = Credential(issuer_id=owner.id, slug=f"badge-{tag}")
        db.session.add(credential)
        db.session.flush()
        version = CredentialVersion(
            credential_id=credential.id,
            number=1,
            title=f"Badge {n} {tag}",
            status=VersionStatus.PUBLISHED.value,
            published_at=START,
        )
        db.session.add(version)
        versions.append(version)
    db.session.flush()
    return versions


def _award(
    versions: list[CredentialVersion],
    count: int,
    *,
    email: str = EMAIL,
    user: User | None = None,
    public: bool = False,
) -> list[Assertion]:
    """``count`` badges, straight into the table (signing is not what a list is about): the
    versions taken in turn, four badges sharing each issue time, so the id breaks ties."""
    made = []
    for n in range(count):
        version = versions[n % len(versions)]
        recipient = make_recipient(email)
        item = Assertion(
            uid=uuid.uuid4().hex,
            issuer_id=version.credential.issuer_id,
            credential_id=version.credential_id,
            version_id=version.id,
            user_id=user.id if user else None,
            recipient_email=email,
            salt=recipient["salt"],
            identity=recipient["identity"],
            issued_on=START - timedelta(days=n // 4),
            expires=START + timedelta(days=365) if n % 3 == 0 else None,
            public=public or n % 2 == 0,
        )
        db.session.add(item)
        made.append(item)
    db.session.commit()
    return made


def _newest_first(items: list[Assertion]) -> list[str]:
    return [a.uid for a in sorted(items, key=lambda a: (a.issued_on, a.id), reverse=True)]


def _uploads(issuer: Issuer, count: int) -> list[BulkIssuance]:
    made = [
        BulkIssuance(
            issuer_id=issuer.id,
            filename=f"awards-{n}.csv",
            csv_text="email,credential,issued_on\n" + "x@y.test,exit-tickets,2025-06-01\n" * 50,
            status="done",
            total=50,
            done=50,
            issued=49,
            errors=[{"row": 2, "email": "x@y.test", "message": "Already issued."}],
        )
        for n in range(count)
    ]
    db.session.add_all(made)
    db.session.commit()
    return made


def _walk(
    client: Any, url: str, found: re.Pattern[str], following_re: re.Pattern[str] = NEXT_RE
) -> list[list[str]]:
    """Follow a page's ``rel="next"`` link to the end; the ids on each page."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        pages.append(found.findall(html))
        following = following_re.search(html)
        url = unescape(following.group(1)) if following else ""
        assert len(pages) < 50, "the pages never end"
    return pages


def _statements(client: Any, url: str, **kwargs: Any) -> tuple[int, Any]:
    with count_statements(db.engine) as seen:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return seen.count, response


# The earner's backpack: the page -----------------------------------------------------------


def test_backpack_page_costs_the_same_statements_for_3_badges_and_60(app: Any, client: Any) -> None:
    scene = _scene()
    _award(_catalogue(3), 3, user=scene.teacher, public=True)
    sign_in(client, scene.teacher)
    few, page = _statements(client, "/badges?per_page=100")
    assert len(BADGE_RE.findall(page.get_data(as_text=True))) == 3
    _award(_catalogue(55), 55, user=scene.teacher, public=True)
    _award(scene.versions, 2, user=scene.teacher)
    many, page = _statements(client, "/badges?per_page=100")
    html = page.get_data(as_text=True)
    assert len(BADGE_RE.findall(html)) == 60
    assert len(re.findall(r"linkedin\.com/profile/add", html)) >= 55
    assert "Rival&#39;s badge" in html  # both issuers' versions and names, loaded with the page
    assert "Rival Learning" in html
    assert many == few, f"{few} statements for 3 badges, {many} for 60"


def test_backpack_pages_cover_every_badge_once_newest_first(app: Any, client: Any) -> None:
    scene = _scene()
    mine = _award(scene.versions, 23, user=scene.teacher)
    mine += _award(scene.versions, 2)  # to the teacher's confirmed address, no account yet
    sign_in(client, scene.teacher)
    pages = _walk(client, "/badges?per_page=7", BADGE_RE)
    assert [len(p) for p in pages] == [7, 7, 7, 4]
    assert [uid for p in pages for uid in p] == _newest_first(mine)
    assert pages == _walk(client, "/badges?per_page=7", BADGE_RE)  # stable
    second = client.get("/badges?page=2&per_page=7").get_data(as_text=True)
    assert "8&ndash;14 of 25" in second
    assert 'rel="prev" href="/badges?page=1&amp;per_page=7"' in second
    past = client.get("/badges?page=9&per_page=7").get_data(as_text=True)
    assert "There is no page 9" in past


def test_switching_a_badge_public_returns_to_the_page_it_is_on(app: Any, client: Any) -> None:
    scene = _scene()
    mine = _award(scene.versions, 5, user=scene.teacher)
    sign_in(client, scene.teacher)
    oldest = _newest_first(mine)[-1]
    response = client.submit(
        f"/badges/{oldest}/public?page=3&per_page=2",
        {"public": "off"},
        page="/badges?page=3&per_page=2",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/badges?page=3&per_page=2#badge-{oldest}")
    assert f'id="badge-{oldest}"' in client.get(response.headers["Location"]).get_data(as_text=True)


def test_backpack_page_caps_per_page_and_refuses_junk(app: Any, client: Any) -> None:
    scene = _scene()
    _award(scene.versions, MAX_PER_PAGE + 3, user=scene.teacher)
    sign_in(client, scene.teacher)
    html = client.get("/badges?per_page=100000").get_data(as_text=True)
    assert len(BADGE_RE.findall(html)) == MAX_PER_PAGE
    assert f"1&ndash;{MAX_PER_PAGE} of {MAX_PER_PAGE + 3}" in html
    for junk in ("page=abc", "page=0", "page=-1", "per_page=ten", "per_page=2.5"):
        refused = client.get(f"/badges?{junk}")
        assert refused.status_code == 422, junk
        assert "page is a number from 1" in refused.get_data(as_text=True)


def test_backpack_page_shows_only_the_earners_badges(app: Any, client: Any) -> None:
    scene = _scene()
    mine = _award(scene.versions, 2, user=scene.teacher)
    mine += _award(scene.versions, 1)  # to the teacher's confirmed e-mail address
    someone = make_user("someone@lake.test")
    db.session.commit()
    theirs = _award(scene.versions, 4, email="someone@lake.test", user=someone)
    theirs += _award(scene.versions, 1, email="else@lake.test")  # nobody's account
    sign_in(client, scene.teacher)
    shown = [uid for p in _walk(client, "/badges?per_page=2", BADGE_RE) for uid in p]
    assert sorted(shown) == sorted(a.uid for a in mine)
    sign_in(client, someone)
    shown = [uid for p in _walk(client, "/badges", BADGE_RE) for uid in p]
    assert sorted(shown) == sorted(a.uid for a in theirs[:4])


def test_an_unconfirmed_address_does_not_collect_badges_sent_to_it(app: Any, client: Any) -> None:
    scene = _scene()
    claimer = make_user("claims@lake.test", confirmed=False)
    db.session.commit()
    own = _award(scene.versions, 1, email="claims@lake.test", user=claimer)
    _award(scene.versions, 2, email="claims@lake.test")  # addressed, not yet theirs
    sign_in(client, claimer)
    html = client.get("/badges").get_data(as_text=True)
    assert BADGE_RE.findall(html) == [own[0].uid]


# The earner's backpack: the API ------------------------------------------------------------


def test_my_badges_api_costs_the_same_statements_for_3_badges_and_60(app: Any, client: Any) -> None:
    scene = _scene()
    _award(_catalogue(3), 3, user=scene.teacher)
    token = auth_for(client, EMAIL)
    few, response = _statements(client, "/api/v1/me/badges?per_page=100", headers=token)
    assert response.get_json()["total"] == 3
    _award(_catalogue(55), 55, user=scene.teacher)
    _award(scene.versions, 2, user=scene.teacher)
    many, response = _statements(client, "/api/v1/me/badges?per_page=100", headers=token)
    body = response.get_json()
    assert len(body["badges"]) == 60
    assert len({b["issuer"] for b in body["badges"]}) == 60
    assert len({b["title"] for b in body["badges"]}) == 60
    assert many == few, f"{few} statements for 3 badges, {many} for 60"


def test_my_badges_api_pages_follow_next_to_the_end_newest_first(app: Any, client: Any) -> None:
    scene = _scene()
    mine = _award(scene.versions, 23, user=scene.teacher)
    token = auth_for(client, EMAIL)
    url: str | None = "/api/v1/me/badges?per_page=10"
    pages = []
    while url:
        body = client.get(url, headers=token).get_json()
        assert (body["per_page"], body["total"]) == (10, 23)
        pages.append([b["assertion_id"].rsplit("/", 1)[-1] for b in body["badges"]])
        url = body["next"]
        assert len(pages) < 10
    assert [len(p) for p in pages] == [10, 10, 3]
    assert [uid for p in pages for uid in p] == _newest_first(mine)
    first = client.get("/api/v1/me/badges?per_page=10", headers=token).get_json()
    assert first["page"] == 1
    assert first["next"] == "http://localhost/api/v1/me/badges?per_page=10&page=2"
    assert set(first) == {"badges", "page", "per_page", "total", "next"}
    past = client.get("/api/v1/me/badges?page=4&per_page=10", headers=token).get_json()
    assert (past["badges"], past["total"], past["next"]) == ([], 23, None)


def test_my_badges_api_caps_per_page_and_refuses_junk(app: Any, client: Any) -> None:
    scene = _scene()
    _award(scene.versions, MAX_PER_PAGE + 3, user=scene.teacher)
    token = auth_for(client, EMAIL)
    body = client.get("/api/v1/me/badges?per_page=5000", headers=token).get_json()
    assert (len(body["badges"]), body["per_page"], body["total"]) == (
        MAX_PER_PAGE,
        MAX_PER_PAGE,
        MAX_PER_PAGE + 3,
    )
    assert body["next"] is not None
    refused = client.get("/api/v1/me/badges?page=abc", headers=token)
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["message"] == (
        "page is a number from 1 to 1,000,000; per_page a number from 1 to 100."
    )
    assert set(error["fields"]) == {"page", "per_page"}


def test_my_badges_api_lists_only_the_callers_badges(app: Any, client: Any) -> None:
    scene = _scene()
    mine = _award(scene.versions, 3, user=scene.teacher)
    someone = make_user("someone@lake.test")
    db.session.commit()
    _award(scene.versions, 5, email="someone@lake.test", user=someone)
    body = client.get("/api/v1/me/badges", headers=auth_for(client, EMAIL)).get_json()
    assert body["total"] == 3
    assert sorted(b["assertion_id"].rsplit("/", 1)[-1] for b in body["badges"]) == sorted(
        a.uid for a in mine
    )
    assert client.get("/api/v1/me/badges").status_code == 401


# The issuer admin's page: issued badges and bulk uploads -----------------------------------


def test_issued_badges_page_costs_the_same_statements_for_3_badges_and_60(
    app: Any, client: Any
) -> None:
    scene = _scene()
    acme = scene.world.issuer
    _award(_catalogue(3, acme), 3, user=scene.teacher)
    _uploads(acme, 3)
    sign_in(client, scene.world.admin)
    url = f"/issuers/{scene.world.issuer.slug}/badges?per_page=100&bulk_per_page=100"
    few, page = _statements(client, url)
    assert len(ISSUED_RE.findall(page.get_data(as_text=True))) == 3
    _award(_catalogue(57, acme), 57, user=scene.teacher)
    _uploads(acme, 27)
    many, page = _statements(client, url)
    html = page.get_data(as_text=True)
    assert len(ISSUED_RE.findall(html)) == 60
    assert len(BULK_RE.findall(html)) == 30
    assert many == few, f"{few} statements for 3 badges and uploads, {many} for 60 and 30"


def test_issued_badges_and_uploads_page_separately_and_cover_everything(
    app: Any, client: Any
) -> None:
    scene = _scene()
    issued = _award(scene.versions[:1], 23, user=scene.teacher)
    uploads = _uploads(scene.world.issuer, 12)
    sign_in(client, scene.world.admin)
    base = f"/issuers/{scene.world.issuer.slug}/badges"
    pages = _walk(client, f"{base}?per_page=10", ISSUED_RE, ISSUED_NEXT_RE)
    assert [len(p) for p in pages] == [10, 10, 3]
    assert [uid for p in pages for uid in p] == _newest_first(issued)
    first = client.get(base).get_data(as_text=True)
    assert len(ISSUED_RE.findall(first)) == 20  # the default page size
    assert BULK_RE.findall(first) == [str(u.id) for u in reversed(uploads)][:10]
    # The uploads' own pages keep the badges' page, and come back to their section.
    second = client.get(f"{base}?page=2&bulk_page=2").get_data(as_text=True)
    assert BULK_RE.findall(second) == [str(u.id) for u in reversed(uploads)][10:]
    assert len(ISSUED_RE.findall(second)) == 3
    assert f'href="{base}?page=2&amp;bulk_page=1#bulk"' in second
    assert f'href="{base}?page=1&amp;bulk_page=2#issued"' in second


def test_revoking_returns_to_the_page_of_issued_badges(app: Any, client: Any) -> None:
    scene = _scene()
    issued = _award(scene.versions[:1], 5, user=scene.teacher)
    sign_in(client, scene.world.admin)
    base = f"/issuers/{scene.world.issuer.slug}/badges"
    oldest = _newest_first(issued)[-1]
    response = client.submit(
        f"{base}/{oldest}/revoke?page=3&per_page=2",
        {"reason": "Issued in error."},
        page=f"{base}?page=3&per_page=2",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{base}?page=3&per_page=2#issued")
    assert "Issued in error." in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("junk", ["page=abc", "per_page=x", "bulk_page=abc", "bulk_page=0"])
def test_issued_badges_page_refuses_junk_and_caps_per_page(
    app: Any, client: Any, junk: str
) -> None:
    scene = _scene()
    sign_in(client, scene.world.admin)
    base = f"/issuers/{scene.world.issuer.slug}/badges"
    refused = client.get(f"{base}?{junk}")
    assert refused.status_code == 422
    assert "is a number from 1" in refused.get_data(as_text=True)


def test_issued_badges_page_caps_per_page(app: Any, client: Any) -> None:
    scene = _scene()
    _award(scene.versions[:1], MAX_PER_PAGE + 3, user=scene.teacher)
    sign_in(client, scene.world.admin)
    html = client.get(f"/issuers/{scene.world.issuer.slug}/badges?per_page=9999").get_data(
        as_text=True
    )
    assert len(ISSUED_RE.findall(html)) == MAX_PER_PAGE


def test_an_issuer_admin_sees_only_their_issuers_badges(app: Any, client: Any) -> None:
    scene = _scene()
    acme, rival = scene.versions
    ours = _award([acme], 4, user=scene.teacher)
    theirs = _award([rival], 3, user=scene.teacher)
    _uploads(scene.world.issuer, 2)
    sign_in(client, scene.rival_admin)
    assert client.get(f"/issuers/{scene.world.issuer.slug}/badges").status_code == 403
    html = client.get(f"/issuers/{scene.rival.slug}/badges").get_data(as_text=True)
    assert sorted(ISSUED_RE.findall(html)) == sorted(a.uid for a in theirs)
    assert BULK_RE.findall(html) == []
    assert "Uploads, the latest first" not in html
    sign_in(client, scene.world.admin)
    html = client.get(f"/issuers/{scene.world.issuer.slug}/badges").get_data(as_text=True)
    assert sorted(ISSUED_RE.findall(html)) == sorted(a.uid for a in ours)
    assert client.get(f"/issuers/{scene.rival.slug}/badges").status_code == 403
