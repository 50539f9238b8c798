"""Her PLC contributions on the public portfolio (issue 18, part 3): off by default; switched
on, her page and its feed list the *listed* communities she is an active member of, with her
role and the titles of the threads she started; never a private community, a request still
waiting, another member's thread or any post's body; a community she leaves is gone at the
next view; the list costs the same statements at any size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from app.communities import service as communities
from app.communities import threads
from app.db import db
from app.models.communities import Community
from app.pagination import PageArgs
from app.portfolio import service as portfolios
from tests.app.communities.world import Cohort, build_cohort, community
from tests.app.people import sign_in
from tests.queries import count_statements

HEADING = "Professional learning communities"
MINE = "Which exit-ticket questions show misconceptions?"  # Ben's thread, listed community
THEIRS = "Cara asks about re-teaching"  # Cara's thread in the same community
SECRET_BODY = "BODY-NEVER-ON-THE-PORTFOLIO"
PRIVATE = "Quiet circle"
PRIVATE_THREAD = "A thread in the private circle"
WAITING = "Questioning circle"


@dataclass
class Scene:
    cohort: Cohort
    listed: Community  # Ana facilitates; Ben and Cara are members
    own: Community  # Ben facilitates (he made it), listed
    private: Community  # Ana's private one, Ben a member
    waiting: Community  # Cara's listed one, Ben has only asked to join


@pytest.fixture
def scene(app: Any) -> Scene:
    cohort = build_cohort()
    ben, cara = cohort.ben, cohort.cara
    listed = community(cohort, members=(ben, cara), visibility="listed")
    private = community(cohort, members=(ben,), title=PRIVATE)
    own = communities.create(
        ben, {"title": "Grade 4 maths team", "purpose": "Fractions", "visibility": "listed"}
    )
    waiting = communities.create(
        cara,
        {"title": WAITING, "purpose": "Better questions", "scope": "open", "visibility": "listed"},
    )
    communities.join(ben, waiting.id)  # a request: a facilitator has not decided
    mine = threads.start_thread(ben, listed.id, {"title": MINE, "body": SECRET_BODY})
    theirs = threads.start_thread(cara, listed.id, {"title": THEIRS, "body": "Cara's words"})
    threads.reply(ben, listed.id, theirs.id, {"body": SECRET_BODY})
    threads.reply(cara, listed.id, mine.id, {"body": "Cara answers " + SECRET_BODY})
    threads.start_thread(ben, private.id, {"title": PRIVATE_THREAD, "body": SECRET_BODY})
    threads.start_thread(cara, waiting.id, {"title": "Cara's circle opener", "body": "Hi"})
    portfolios.update(ben, enabled=True, handle="ben-b", display_name="Ben B.")
    db.session.commit()
    return Scene(cohort, listed, own, private, waiting)


def _page(client: Any) -> str:
    response = client.get("/people/ben-b")
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


def _feed(client: Any) -> dict[str, Any]:
    response = client.get("/people/ben-b/badges.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return body


def _show(scene: Scene, client: Any) -> None:
    """Ben switches the listing on through his settings page."""
    sign_in(client, scene.cohort.ben)
    saved = client.submit(
        "/account/portfolio",
        {
            "profile-enabled": "y",
            "profile-handle": "ben-b",
            "profile-display_name": "Ben B.",
            "profile-show_communities": "y",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:500]
    client.logout()


def test_contributions_are_off_by_default(scene: Scene, client: Any) -> None:
    mine = portfolios.portfolio_of(scene.cohort.ben)
    assert mine.show_communities is False
    page = _page(client)
    assert HEADING not in page
    for hidden in (scene.listed.title, scene.own.title, MINE):
        assert hidden not in page
    feed = _feed(client)
    assert "communities" not in feed
    assert "communities_total" not in feed
    assert portfolios.contributions(mine, PageArgs()).items == []


def test_switched_on_her_listed_communities_show_with_her_role_and_her_threads_only(
    scene: Scene, client: Any
) -> None:
    _show(scene, client)
    page = _page(client)
    assert HEADING in page
    assert scene.listed.title in page
    assert scene.own.title in page
    assert MINE in page
    # The credential it works toward is public catalog information.
    assert scene.listed.credential is not None
    credential = scene.listed.credential.published_version
    assert credential is not None
    assert f"working toward {credential.title}" in page
    # Never another member's thread, any post's body, a request still waiting, or a
    # private community and what she wrote in it.
    for hidden in (THEIRS, SECRET_BODY, "Cara answers", WAITING, PRIVATE, PRIVATE_THREAD):
        assert hidden not in page, hidden
    # Nothing about other members: not their names, not their e-mail addresses.
    for person in (scene.cohort.ana, scene.cohort.cara):
        assert person.name not in page
        assert person.email not in page

    feed = _feed(client)
    assert feed["communities_total"] == 2
    by_title = {c["title"]: c for c in feed["communities"]}
    assert set(by_title) == {scene.listed.title, scene.own.title}
    assert by_title[scene.listed.title]["role"] == "member"
    assert by_title[scene.listed.title]["threads"] == [MINE]
    assert by_title[scene.listed.title]["threadCount"] == 1
    assert by_title[scene.listed.title]["credential"] == credential.title
    assert by_title[scene.own.title]["role"] == "facilitator"
    assert by_title[scene.own.title]["threads"] == []
    assert by_title[scene.own.title]["credential"] is None
    text = str(feed)
    for hidden in (THEIRS, SECRET_BODY, WAITING, PRIVATE, PRIVATE_THREAD, "ana@", "cara@"):
        assert hidden not in text, hidden


def test_private_communities_are_never_listed_even_once_approved_or_made_private(
    scene: Scene, client: Any
) -> None:
    _show(scene, client)
    # Cara approves Ben's request: the listed community appears.
    waiting = communities.view(scene.cohort.cara, scene.waiting.id)
    [request] = communities.requests_waiting(waiting, PageArgs()).items
    communities.decide(scene.cohort.cara, scene.waiting.id, request.id, True)
    db.session.commit()
    assert WAITING in _page(client)
    # The community turns private: it is gone from his page at the next view.
    scene.waiting.visibility = "private"
    db.session.commit()
    page = _page(client)
    assert WAITING not in page
    assert PRIVATE not in page
    assert _feed(client)["communities_total"] == 2


def test_leaving_a_community_takes_it_off_her_page(scene: Scene, client: Any) -> None:
    _show(scene, client)
    assert scene.listed.title in _page(client)
    sign_in(client, scene.cohort.ben)
    left = client.submit(
        f"/communities/{scene.listed.id}/leave", page=f"/communities/{scene.listed.id}"
    )
    assert left.status_code == 303, left.get_data(as_text=True)[:500]
    client.logout()
    page = _page(client)
    assert scene.listed.title not in page
    assert MINE not in page  # his thread stays in the community, not on his page
    assert scene.own.title in page
    assert [c["title"] for c in _feed(client)["communities"]] == [scene.own.title]
    # Switched off again: nothing at all.
    portfolios.update(scene.cohort.ben, show_communities=False)
    db.session.commit()
    assert HEADING not in _page(client)
    assert "communities" not in _feed(client)


def test_the_list_costs_the_same_statements_at_any_size(scene: Scene) -> None:
    ben = scene.cohort.ben
    portfolios.update(ben, show_communities=True)
    db.session.commit()
    portfolio = portfolios.public_portfolio("ben-b")

    def statements() -> tuple[int, int]:
        db.session.expire_all()
        with count_statements(db.engine) as counted:
            page = portfolios.contributions(portfolio, PageArgs(1, 50))
            [(c.title, c.role, c.threads, c.credential) for c in page.items]
        return counted.count, len(page.items)

    few, shown = statements()
    assert shown == 2
    for number in range(6):
        made = community(
            scene.cohort, members=(ben,), title=f"Cohort {number}", visibility="listed"
        )
        for post in range(7):
            threads.start_thread(ben, made.id, {"title": f"Post {number}.{post}", "body": "x"})
    db.session.commit()
    many, shown = statements()
    assert shown == 8
    assert many == few, (few, many)
    # Each community lists the newest few of his threads, and says how many there are.
    newest = portfolios.contributions(portfolio, PageArgs(1, 1)).items[0]
    assert newest.title == "Cohort 5"
    assert newest.threads == [f"Post 5.{n}" for n in range(6, 6 - portfolios.THREADS_SHOWN, -1)]
    assert newest.thread_count == 7
