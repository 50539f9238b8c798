"""The public portfolio: off by default, never her e-mail, only the public badges she chose,
revocation shown on the next view, Open Graph tags, the JSON feed, and an embed page that is
the only one other sites may frame."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db import db, utcnow
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.issuance import documents
from app.issuance import service as issuance
from app.models.portfolio import Portfolio, PortfolioBadge
from app.pagination import PageArgs
from app.portfolio import service as portfolios
from tests.app.people import make_user, sign_in
from tests.app.portfolio.scene import EMAIL, public_portfolio, scene
from tests.queries import count_statements

META = re.compile(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"')


def _meta(html: str) -> dict[str, str]:
    return dict(META.findall(html))


def test_a_portfolio_is_off_by_default_and_off_or_unknown_is_the_same_404(
    app: Any, client: Any
) -> None:
    found = scene()
    assert portfolios.portfolio_of(found.teacher).enabled is False
    unknown = client.get("/people/jordan-t")
    assert unknown.status_code == 404
    # A handle chosen, the page still off: the same answer as no such handle.
    portfolios.update(found.teacher, handle="jordan-t", display_name="Jordan T.")
    db.session.commit()
    off = client.get("/people/jordan-t")
    assert off.status_code == 404
    assert off.get_data() == unknown.get_data()
    assert client.get("/people/jordan-t/badges.json").status_code == 404
    assert client.get("/people/jordan-t/embed").status_code == 404
    portfolios.update(found.teacher, enabled=True)
    db.session.commit()
    assert client.get("/people/jordan-t").status_code == 200
    assert client.get("/people/JORDAN-T").status_code == 200  # handles are lower case
    portfolios.update(found.teacher, enabled=False)
    db.session.commit()
    assert client.get("/people/jordan-t").status_code == 404


def test_the_page_never_shows_her_email_and_refuses_a_name_or_bio_holding_it(
    app: Any, client: Any
) -> None:
    found = scene()
    public_portfolio(found)
    for url in ("/people/jordan-t", "/people/jordan-t/embed", "/people/jordan-t/badges.json"):
        body = client.get(url).get_data(as_text=True)
        assert "Jordan T." in body
        assert EMAIL not in body.lower(), url
        assert "jordan@" not in body.lower(), url
    for field in ("display_name", "bio"):
        changes: dict[str, Any] = {field: f"Write to me: {EMAIL.upper()}"}
        with pytest.raises(InvalidInput) as refused:
            portfolios.update(found.teacher, **changes)
        assert "never shown" in refused.value.message
        assert field in refused.value.fields
        db.session.rollback()
    db.session.expire_all()
    assert portfolios.portfolio_of(found.teacher).display_name == "Jordan T."


def test_handles_are_url_safe_lower_case_unique_and_not_reserved(app: Any) -> None:
    found = scene()
    other = make_user("sam@lake.test")
    db.session.commit()
    saved = portfolios.update(found.teacher, handle="  Jordan-T ")
    assert saved.handle == "jordan-t"
    db.session.commit()
    for bad, says in (
        ("jo", "3 to 40"),
        ("-jordan", "3 to 40"),
        ("jordan t", "3 to 40"),
        ("jördan", "3 to 40"),
        ("jor--dan", "two hyphens"),
        ("x" * 41, "3 to 40"),
        ("admin", "reserved"),
        ("API", "reserved"),
        ("embed", "reserved"),
    ):
        with pytest.raises(InvalidInput) as refused:
            portfolios.update(other, handle=bad)
        assert says in refused.value.message, bad
        assert "handle" in refused.value.fields
    with pytest.raises(InvalidInput, match="taken"):
        portfolios.update(other, handle="JORDAN-T")
    db.session.rollback()
    with pytest.raises(InvalidInput, match="needs a handle"):
        portfolios.update(other, enabled=True, display_name="Sam")
    db.session.rollback()
    with pytest.raises(InvalidInput, match=r"to 80 characters \(it has 81\)"):
        portfolios.update(other, display_name="n" * 81)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Portfolio)) == 1


def test_switching_on_needs_a_confirmed_address(app: Any) -> None:
    unconfirmed = make_user("new@lake.test", confirmed=False)
    db.session.commit()
    with pytest.raises(Forbidden, match="Confirm your e-mail"):
        portfolios.update(unconfirmed, enabled=True, handle="newbie", display_name="New")


def test_only_chosen_badges_with_their_public_page_on_appear(app: Any, client: Any) -> None:
    found = scene()
    portfolios.update(found.teacher, enabled=True, handle="jordan-t", display_name="Jordan T.")
    db.session.commit()
    # A private badge cannot be chosen, and the message says how to make it public.
    with pytest.raises(InvalidInput) as refused:
        portfolios.choose_ours(found.teacher, [found.first.uid])
    assert "Share: turn on a public page" in refused.value.message
    db.session.rollback()
    issuance.set_public(found.teacher, found.first, True)
    issuance.set_public(found.teacher, found.second, True)
    portfolios.choose_ours(found.teacher, [found.first.uid])
    db.session.commit()
    title = found.first.version.title
    feed = client.get("/people/jordan-t/badges.json").get_json()
    assert [b["id"] for b in feed["badges"]] == [documents.assertion_url(found.first)]
    # Her badge's own public page switched off takes it off the portfolio at once.
    issuance.set_public(found.teacher, found.first, False)
    db.session.commit()
    html = client.get("/people/jordan-t").get_data(as_text=True)
    assert title not in html
    assert "No public badges yet." in html
    # Another person's badge is not hers to choose (404, as any id of someone else's).
    other = make_user("sam@lake.test")
    db.session.commit()
    with pytest.raises(NotFound):
        portfolios.choose_ours(other, [found.second.uid])


def test_a_revoked_badge_shows_as_revoked_on_the_next_view(app: Any, client: Any) -> None:
    found = scene()
    public_portfolio(found)
    before = client.get("/people/jordan-t/badges.json").get_json()
    assert {b["status"] for b in before["badges"]} == {"valid"}
    issuance.revoke(found.world.admin, found.first, "Issued in error")
    db.session.commit()
    html = client.get("/people/jordan-t").get_data(as_text=True)
    assert "Revoked" in html
    assert "Issued in error" in html
    after = client.get("/people/jordan-t/badges.json").get_json()
    statuses = {b["id"]: b["status"] for b in after["badges"]}
    assert statuses == {
        documents.assertion_url(found.first): "revoked",
        documents.assertion_url(found.second): "valid",
    }


def test_open_graph_and_twitter_tags_describe_the_page(app: Any, client: Any) -> None:
    found = scene()
    public_portfolio(found)
    html = client.get("/people/jordan-t").get_data(as_text=True)
    meta = _meta(html)
    assert meta["og:title"] == "Jordan T. · badges"
    assert meta["og:description"].startswith("Grade 4 teacher.")
    assert meta["og:url"] == "http://localhost/people/jordan-t"
    # The newest badge's image, as an absolute URL.
    assert meta["og:image"] == f"http://localhost/ob/badges/{found.first.version_id}/image"
    assert meta["twitter:card"] == "summary"
    assert meta["twitter:image"] == meta["og:image"]
    assert client.get(meta["og:image"].removeprefix("http://localhost")).status_code == 200
    # Without badges: the site's image, never a broken link.
    portfolios.choose_ours(found.teacher, [])
    db.session.commit()
    empty = _meta(client.get("/people/jordan-t").get_data(as_text=True))
    assert empty["og:image"] == "http://localhost/static/favicon.svg"


def test_the_json_feed_lists_the_public_badges_for_any_origin(app: Any, client: Any) -> None:
    found = scene()
    public_portfolio(found)
    response = client.get("/people/jordan-t/badges.json", headers={"Origin": "https://pln.example"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers
    body = response.get_json()
    assert body["profile"] == {
        "handle": "jordan-t",
        "name": "Jordan T.",
        "bio": "Grade 4 teacher.\n\nLearning about exit tickets.",
        "url": "http://localhost/people/jordan-t",
    }
    assert body["total"] == 2
    assert body["next"] is None
    newest = body["badges"][0]
    assert newest["id"] == documents.assertion_url(found.first)
    assert newest["badgeClass"] == f"http://localhost/ob/badges/{found.first.version_id}"
    assert newest["issuer"]["name"] == found.world.issuer.name
    assert newest["issuer"]["url"] == documents.issuer_url(found.world.issuer)
    assert newest["issuedOn"] == found.first.issued_on.isoformat()
    assert newest["status"] == "valid"
    assert newest["source"] == "this-site"
    assert newest["verify"].startswith("http://localhost/verify?url=")
    # Pages: one at a time, with the next page's address.
    paged = client.get("/people/jordan-t/badges.json?per_page=1").get_json()
    assert len(paged["badges"]) == 1
    assert paged["next"] == "http://localhost/people/jordan-t/badges.json?per_page=1&page=2"
    # Each badge's assertion answers as the feed says.
    assert client.get(newest["id"].removeprefix("http://localhost")).status_code == 200


def test_only_the_embed_page_may_be_framed(app: Any, client: Any) -> None:
    found = scene()
    public_portfolio(found)
    embed = client.get("/people/jordan-t/embed")
    assert embed.status_code == 200
    assert "X-Frame-Options" not in embed.headers
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert "script-src 'self'" in embed.headers["Content-Security-Policy"]
    assert found.first.version.title in embed.get_data(as_text=True)
    for url in ("/people/jordan-t", "/", "/account/portfolio"):
        sign_in(client, found.teacher)
        other = client.get(url)
        assert other.status_code == 200, url
        assert other.headers["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"], url
    # The page offers the snippet that frames it.
    page = client.get("/people/jordan-t").get_data(as_text=True)
    assert "&lt;iframe src=&#34;http://localhost/people/jordan-t/embed&#34;" in page


def test_the_settings_page_switches_the_page_on_and_chooses_badges(app: Any, client: Any) -> None:
    found = scene()
    issuance.set_public(found.teacher, found.first, True)
    db.session.commit()
    sign_in(client, found.teacher)
    page = client.get("/account/portfolio").get_data(as_text=True)
    assert "Your page is off" in page
    assert found.first.uid in page  # a public badge is offered
    assert "Private (not offered)" in page  # the second one is not, and the page says why
    assert "My badges" in page
    assert "Private communities" in page  # what listing her communities shows, and not
    refused = client.submit(
        "/account/portfolio",
        {"profile-enabled": "y", "profile-handle": "Admin", "profile-display_name": "Jordan"},
    )
    assert refused.status_code == 422
    assert "reserved" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Portfolio)) == 0
    saved = client.submit(
        "/account/portfolio",
        {
            "profile-enabled": "y",
            "profile-handle": "Jordan-T",
            "profile-display_name": "Jordan T.",
            "profile-bio": "Hello\x07 PLN",
            "profile-show_communities": "y",
        },
    )
    assert saved.status_code == 302
    db.session.expire_all()
    mine = portfolios.portfolio_of(found.teacher)
    assert (mine.enabled, mine.handle, mine.bio, mine.show_communities) == (
        True,
        "jordan-t",
        "Hello PLN",
        True,
    )
    chosen = client.submit(
        "/account/portfolio/chosen",
        {"choose-badges": [found.first.uid]},
        page="/account/portfolio",
    )
    assert chosen.status_code == 302
    assert portfolios.chosen_uids(found.teacher) == {found.first.uid}
    # The private badge is not a choice on the form.
    sneaky = client.submit(
        "/account/portfolio/chosen",
        {"choose-badges": [found.second.uid]},
        page="/account/portfolio",
    )
    assert sneaky.status_code == 422
    assert portfolios.chosen_uids(found.teacher) == {found.first.uid}
    assert client.get("/people/jordan-t").status_code == 200
    # The account page and the badge list lead here.
    assert "/account/portfolio" in client.get("/account").get_data(as_text=True)
    assert "/account/portfolio" in client.get("/badges").get_data(as_text=True)


def test_the_public_list_pages_with_a_constant_number_of_statements(app: Any) -> None:
    found = scene()
    public_portfolio(found)
    portfolio = portfolios.public_portfolio("jordan-t")

    def statements() -> int:
        db.session.expire_all()
        with count_statements(db.engine) as counted:
            page = portfolios.shown_badges(portfolio, PageArgs(1, 20))
            [s.issuer_name + s.name for s in page.items]
        return counted.count

    few = statements()
    credential = found.first.credential
    for days in range(8):
        item = issuance.issue(
            credential.published_version,
            email=EMAIL,
            user=found.teacher,
            issued_on=utcnow() - timedelta(days=10 + days),
        )
        issuance.set_public(found.teacher, item, True)
        portfolios.add_ours(found.teacher, item.uid)
    db.session.commit()
    assert statements() == few
    with pytest.raises(Conflict, match="already on your portfolio"):
        portfolios.add_ours(found.teacher, found.first.uid)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PortfolioBadge)) == 10
