"""Lists of credentials at scale: searched, counted and paged in SQL, so a page costs the same
number of statements with 20 published credentials as with 200; search in the database
(full-text with stemming on PostgreSQL, ``LIKE`` on SQLite); stable, capped pages."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from app.credentials import search, service
from app.db import db, utcnow
from app.models.credentials import CredentialVersion
from app.models.orgs import Role
from tests.app.catalog.builders import make_published
from tests.app.people import grant, make_issuer, make_user, sign_in
from tests.queries import count_statements

API_PAGE_BUDGET = 15


def titles(response: Any) -> list[str]:
    html = response if isinstance(response, str) else response.get_data(as_text=True)
    return re.findall(r'<h3><a href="[^"]+"(?: lang="\w+")?>([^<]+)</a></h3>', html)


def publish_many(issuer: Any, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        make_published(
            issuer,
            title=f"Practice {n:04d}",
            tags=["routines", f"tag-{n % 7}"],
            grade_bands=["3-5"] if n % 2 else ["6-8"],
        )
    db.session.commit()


def statements(client: Any, url: str) -> int:
    with count_statements(db.engine) as seen:
        response = client.get(url)
    assert response.status_code == 200, url
    return seen.count


LISTS = [
    "/catalog",
    "/catalog?page=2",
    "/catalog?q=practice&tag=routines&grade=3-5",
    "/",
    "/api/v1/credentials",
    "/api/v1/credentials?q=practice&tag=routines&per_page=50",
]


def test_every_list_costs_the_same_statements_with_20_and_200_credentials(
    client: Any, app: Any
) -> None:
    issuer = make_issuer("many")
    publish_many(issuer, 20)
    for url in LISTS:  # warm up whatever a first request does once
        client.get(url)
    small = {url: statements(client, url) for url in LISTS}
    publish_many(issuer, 180, start=20)
    large = {url: statements(client, url) for url in LISTS}
    assert large == small
    assert small["/api/v1/credentials"] < API_PAGE_BUDGET


def test_the_api_page_is_the_same_with_rubrics_eagerly_loaded(client: Any, app: Any) -> None:
    publish_many(make_issuer("many"), 3)
    listed = client.get("/api/v1/credentials").get_json()["credentials"][0]
    shown = client.get(f"/api/v1/credentials/{listed['id']}").get_json()
    assert listed == shown
    assert [len(c["levels"]) for c in listed["rubric"]] == [4, 4, 4]
    assert listed["passing_rule"]["min_level_name"] == "Proficient"
    assert listed["issuer"]["slug"] == "many"


def test_per_page_is_capped_and_bad_pages_are_422(client: Any, app: Any) -> None:
    publish_many(make_issuer("many"), 105)
    capped = client.get("/api/v1/credentials?per_page=5000").get_json()
    assert capped["per_page"] == 100
    assert len(capped["credentials"]) == 100
    assert capped["total"] == 105
    for bad in ("page=0", "page=-1", "page=abc", "per_page=-5", "per_page=x"):
        response = client.get(f"/api/v1/credentials?{bad}")
        assert response.status_code == 422, bad
        assert response.get_json()["error"]["code"]
    past_the_end = client.get("/api/v1/credentials?page=99").get_json()
    assert past_the_end["credentials"] == []
    assert past_the_end["next"] is None


def test_api_pages_are_stable_and_never_overlap(client: Any, app: Any) -> None:
    riverbend, hilltop = make_issuer("riverbend"), make_issuer("hilltop")
    for n in range(11):  # four credentials share each title: the id breaks the tie
        made = make_published(riverbend if n % 2 else hilltop, title=f"Credential {n}")
        made.versions[0].title = f"Shared title {n // 4}"
    db.session.commit()
    seen: list[int] = []
    url: str | None = "/api/v1/credentials?per_page=3"
    while url:
        body = client.get(url).get_json()
        assert body["total"] == 11
        seen.extend(c["version_id"] for c in body["credentials"])
        url = body["next"]
    assert len(seen) == len(set(seen)) == 11
    again = [
        c["version_id"]
        for page in (1, 2, 3, 4)
        for c in client.get(f"/api/v1/credentials?per_page=3&page={page}").get_json()["credentials"]
    ]
    assert again == seen
    shown = [
        c["title"] for c in client.get("/api/v1/credentials?per_page=20").get_json()["credentials"]
    ]
    assert shown == sorted(shown)


def test_catalog_pages_are_disjoint_and_the_pager_stays_short(client: Any, app: Any) -> None:
    publish_many(make_issuer("many"), 200)
    first, second = client.get("/catalog"), client.get("/catalog?page=2")
    assert len(titles(first)) == 12
    assert set(titles(first)).isdisjoint(titles(second))
    assert titles(first) == sorted(titles(first))
    assert max(titles(first)) < min(titles(second))
    middle = client.get("/catalog?page=9").get_data(as_text=True)
    numbers = re.findall(r'<span class="visually-hidden">Page </span>(\d+)', middle)
    assert numbers == ["1", "7", "8", "9", "10", "11", "17"]
    assert middle.count("&hellip;") == 2
    assert "page 9 of 17" in middle
    last = client.get("/catalog?page=500")  # past the end: the last page
    assert len(titles(last)) == 200 - 16 * 12


@pytest.fixture
def library(app: Any) -> None:
    riverbend = make_issuer("riverbend", "Riverbend Collaborative")
    hilltop = make_issuer("hilltop", "Hilltop Institute")
    make_published(
        riverbend,
        title="Running a Morning Meeting",
        competency="Leads a daily circle that builds classroom community.",
        tags=["community", "routines"],
        grade_bands=["PreK-2", "3-5"],
    )
    make_published(
        riverbend,
        title="Exit Tickets",
        competency="Uses quick formative checks to adjust the next lesson.",
        tags=["assessment"],
        grade_bands=["6-8"],
    )
    make_published(
        hilltop,
        title="Facilitating a PLC",
        competency="Guides colleagues to look at student work together.",
        tags=["collaboration", "assessment"],
        grade_bands=["9-12", "6-8"],
    )
    make_published(
        hilltop,
        title="Student-led Conferences",
        competency="Students present their portfolio to families.",
        tags=["community", "assessment"],
        grade_bands=["6-8"],
    )
    db.session.commit()


def api_titles(client: Any, query: str) -> list[str]:
    body = client.get(f"/api/v1/credentials?{query}").get_json()
    assert body["total"] == len(body["credentials"])
    return sorted(c["title"] for c in body["credentials"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=morning", ["Running a Morning Meeting"]),  # title
        ("q=Morning+MEETING", ["Running a Morning Meeting"]),  # every word, any case
        ("q=formative", ["Exit Tickets"]),  # competency
        ("q=colleagues", ["Facilitating a PLC"]),
        ("q=collaboration", ["Facilitating a PLC"]),  # a tag
        ("q=morning+formative", []),  # words in different credentials
        ("q=community", ["Running a Morning Meeting", "Student-led Conferences"]),
        ("tag=assessment", ["Exit Tickets", "Facilitating a PLC", "Student-led Conferences"]),
        ("tag=ASSESSMENT", ["Exit Tickets", "Facilitating a PLC", "Student-led Conferences"]),
        ("tag=assess", []),  # a tag matches whole
        ("grade_band=6-8", ["Exit Tickets", "Facilitating a PLC", "Student-led Conferences"]),
        ("grade_band=6", []),
        ("issuer=hilltop", ["Facilitating a PLC", "Student-led Conferences"]),
        ("issuer=hilltop&tag=assessment&grade_band=6-8&q=families", ["Student-led Conferences"]),
        ("issuer=riverbend&tag=assessment", ["Exit Tickets"]),
        ("tag=community&grade_band=3-5", ["Running a Morning Meeting"]),
        ("q=community&issuer=riverbend", ["Running a Morning Meeting"]),
        ("q=%00morning%01", ["Running a Morning Meeting"]),  # control characters dropped
        ("q=100%25", []),  # LIKE wildcards are plain characters
        ("q=_", []),
    ],
)
def test_search_and_filters_combine_in_the_api(
    client: Any, library: Any, query: str, expected: list[str]
) -> None:
    assert api_titles(client, query) == expected


def test_the_catalog_keeps_its_filters(client: Any, library: Any) -> None:
    found = client.get("/catalog?q=community&issuer=hilltop&tag=assessment&grade=6-8")
    assert titles(found) == ["Student-led Conferences"]
    html = client.get("/catalog").get_data(as_text=True)
    options = re.findall(r'<option value="([^"]+)"', html)
    assert options == [
        "ours",  # the kind filter: our credentials or outside programs (issue 18)
        "outside",
        "hilltop",
        "riverbend",
        "assessment",
        "collaboration",
        "community",
        "routines",
        "PreK-2",
        "3-5",
        "6-8",
        "9-12",
    ]


def test_home_page_features_the_newest_three(client: Any, app: Any) -> None:
    issuer = make_issuer("many")
    publish_many(issuer, 5)
    versions = db.session.scalars(service.published().order_by(CredentialVersion.title))
    for n, version in enumerate(versions):
        version.published_at = utcnow() - timedelta(days=10 - n)
    db.session.commit()
    assert titles(client.get("/")) == ["Practice 0004", "Practice 0003", "Practice 0002"]


def test_the_designer_list_is_paged_at_a_constant_cost(client: Any, app: Any) -> None:
    issuer = make_issuer("mine")
    designer = make_user("designer@mine.test")
    grant(designer, Role.DESIGNER, issuer)
    publish_many(issuer, 5)
    sign_in(client, designer)
    client.get("/design")
    few = statements(client, "/design")
    publish_many(issuer, 55, start=5)
    many = statements(client, "/design")
    assert many == few
    page = client.get("/design").get_data(as_text=True)
    assert page.count("Version 1 published") == 50
    assert "1&ndash;50 of 60" in page
    assert client.get("/design?page=2").get_data(as_text=True).count("Version 1 published") == 10


@pytest.mark.postgres
def test_postgres_search_stems_words(client: Any, library: Any) -> None:
    assert api_titles(client, "q=meetings") == ["Running a Morning Meeting"]
    assert api_titles(client, "q=run+meetings") == ["Running a Morning Meeting"]
    assert api_titles(client, "q=facilitate") == ["Facilitating a PLC"]
    assert api_titles(client, "q=checking") == ["Exit Tickets"]
    assert api_titles(client, "q=student+conference") == ["Student-led Conferences"]
    assert titles(client.get("/catalog?q=meetings")) == ["Running a Morning Meeting"]


@pytest.mark.postgres
def test_postgres_search_uses_the_gin_index(app: Any, library: Any) -> None:
    """The query repeats the indexed expression exactly (else PostgreSQL ignores the index)."""
    statement = select(CredentialVersion.id).where(search.matches("postgresql", "meeting"))
    with db.engine.connect() as conn, conn.begin():
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        conn.execute(text("SET LOCAL enable_indexscan = off"))
        compiled = statement.compile(conn, compile_kwargs={"literal_binds": True})
        plan = "\n".join(conn.scalars(text(f"EXPLAIN {compiled}")))
        indexed = conn.scalar(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"),
            {"name": search.INDEX_NAME},
        )
    assert f"Bitmap Index Scan on {search.INDEX_NAME}" in plan, plan
    assert "USING gin" in indexed
