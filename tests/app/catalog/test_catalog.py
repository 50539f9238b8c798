"""The public catalog: search, filters, what is hidden, the full credential page and its image."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.db import db
from tests.app.catalog.builders import (
    make_draft,
    make_published,
    new_draft_of,
    retire,
)
from tests.app.people import make_issuer


def text_of(response: Any) -> str:
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def titles(response: Any) -> list[str]:
    html = response.get_data(as_text=True)
    return re.findall(r'<h3><a href="[^"]+"(?: lang="\w+")?>([^<]+)</a></h3>', html)


@pytest.fixture
def catalog(app: Any) -> dict[str, Any]:
    riverbend = make_issuer("riverbend", "Riverbend Collaborative")
    other = make_issuer("hilltop", "Hilltop Institute")
    made = {
        "meeting": make_published(
            riverbend,
            title="Running a Morning Meeting",
            competency="Leads a daily circle that builds classroom community.",
            tags=["community", "routines"],
            grade_bands=["PreK-2", "3-5"],
        ),
        "exit": make_published(
            riverbend,
            title="Exit Tickets",
            competency="Uses quick formative checks to adjust the next lesson.",
            tags=["assessment"],
            grade_bands=["6-8"],
        ),
        "plc": make_published(
            other,
            title="Facilitating a PLC",
            competency="Guides colleagues to look at student work together.",
            tags=["collaboration", "assessment"],
            grade_bands=["9-12"],
        ),
        "draft": make_draft(other, title="Secret Draft Credential"),
        "retired": make_published(other, title="Retired Credential", tags=["assessment"]),
    }
    retire(made["retired"])
    db.session.commit()
    return made


def test_catalog_lists_published_credentials_only(client: Any, catalog: Any) -> None:
    response = client.get("/catalog")
    assert response.status_code == 200
    assert sorted(titles(response)) == [
        "Exit Tickets",
        "Facilitating a PLC",
        "Running a Morning Meeting",
    ]
    text = text_of(response)
    assert "Secret Draft" not in text
    assert "Retired Credential" not in text
    assert "3 credentials" in text


def test_cards_show_issuer_summary_tags_grades_and_hours(client: Any, catalog: Any) -> None:
    text = text_of(client.get("/catalog?q=morning"))
    assert "Riverbend Collaborative" in text
    assert "Leads a daily circle" in text
    assert "community" in text
    assert "K-2, 3-5" in text
    assert "About 6 hours" in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=morning", ["Running a Morning Meeting"]),
        ("q=MORNING+meeting", ["Running a Morning Meeting"]),
        ("q=formative", ["Exit Tickets"]),  # competency
        ("q=collaboration", ["Facilitating a PLC"]),  # tag
        ("tag=assessment", ["Exit Tickets", "Facilitating a PLC"]),
        ("issuer=hilltop", ["Facilitating a PLC"]),
        ("grade=PreK-2", ["Running a Morning Meeting"]),
        ("issuer=riverbend&tag=assessment", ["Exit Tickets"]),
        ("q=retired", []),
        ("q=secret", []),
        ("issuer=no-such-issuer", []),
    ],
)
def test_search_and_filters(client: Any, catalog: Any, query: str, expected: list[str]) -> None:
    response = client.get(f"/catalog?{query}")
    assert response.status_code == 200
    assert sorted(titles(response)) == expected
    if not expected:
        assert "No credentials match your search." in text_of(response)


def test_filters_offer_issuers_tags_and_grade_bands_of_published_credentials(
    client: Any, catalog: Any
) -> None:
    html = client.get("/catalog").get_data(as_text=True)
    assert '<option value="riverbend">Riverbend Collaborative</option>' in html
    assert '<option value="hilltop">Hilltop Institute</option>' in html
    assert '<option value="assessment">assessment</option>' in html
    assert '<option value="9-12">9-12</option>' in html
    assert "Secret Draft" not in html


def test_pagination(client: Any, app: Any) -> None:
    issuer = make_issuer("many")
    for n in range(14):
        make_published(issuer, title=f"Credential number {n:02d}")
    db.session.commit()
    first = client.get("/catalog")
    assert len(titles(first)) == 12
    assert "page 1 of 2" in text_of(first)
    second = client.get("/catalog?page=2")
    assert len(titles(second)) == 2
    assert set(titles(first)).isdisjoint(titles(second))
    assert 'aria-current="page"' in second.get_data(as_text=True)
    assert len(titles(client.get("/catalog?page=9"))) == 2  # clamped to the last page


def _detail_url(client: Any, title: str) -> str:
    html = client.get("/catalog").get_data(as_text=True)
    match = re.search(r'<h3><a href="([^"]+)" lang="en">' + re.escape(title) + "<", html)
    assert match, title
    return match.group(1)


def test_credential_page_shows_everything_openly(client: Any, catalog: Any) -> None:
    url = _detail_url(client, "Running a Morning Meeting")
    assert url == "/catalog/riverbend/running-a-morning-meeting"
    response = client.get(url)
    assert response.status_code == 200
    text = text_of(response)
    for expected in (
        "Running a Morning Meeting",
        "Riverbend Collaborative",
        "Leads a daily circle",
        "Key method",
        "Hold a structured circle",
        "Greeting",
        "Research and resources",
        "Submission prompts",
        "Context and plan",
        "200 to 600 words",
        "Classroom video",
        "mp4, pdf",
        "up to 50 MB",
        "Link to materials",
        "Alignment to standards",
        "InTASC",
        "Start this credential",
    ):
        assert expected in text, expected
    assert text.index("Context and plan") < text.index("Classroom video")
    assert text.index("Classroom video") < text.index("Link to materials")


def test_rubric_is_an_accessible_table(client: Any, catalog: Any) -> None:
    html = client.get("/catalog/riverbend/running-a-morning-meeting").get_data(as_text=True)
    assert "<h2" in html
    assert "Evidence rubric</h2>" in html
    table = html[html.index('<table class="rubric">') : html.index("</table>")]
    headers = re.findall(r'<th scope="col">(.*?)</th>', table, re.S)
    header_text = [re.sub(r"<[^>]+>", " ", h).split() for h in headers]
    assert [" ".join(h) for h in header_text] == [
        "Criterion",
        "Not yet 0 points",
        "Developing 1 point",
        "Proficient 2 points",
        "Exemplary 3 points",
    ]
    rows = re.findall(r'<th scope="row">(.*?)</th>', table, re.S)
    assert len(rows) == 3
    assert "Planning" in rows[0]
    assert "Judges: prompt 1" in re.sub(r"\s+", " ", rows[0])
    assert "Judges: prompts 2 and 3" in re.sub(r"\s+", " ", rows[1])
    assert "All four components planned with purpose" in table


def test_passing_rule_in_words(client: Any, catalog: Any) -> None:
    text = text_of(client.get("/catalog/riverbend/running-a-morning-meeting"))
    assert "every criterion at Proficient or above" in text
    assert "at least 7 points in total" in text


def test_drafts_and_retired_credentials_are_404(client: Any, catalog: Any) -> None:
    for slug in ("hilltop/secret-draft-credential", "hilltop/retired-credential"):
        assert client.get(f"/catalog/{slug}").status_code == 404
        assert client.get(f"/catalog/{slug}/image").status_code == 404
    assert client.get("/catalog/hilltop/running-a-morning-meeting").status_code == 404


def test_a_new_draft_does_not_change_the_published_page(client: Any, catalog: Any) -> None:
    new_draft_of(catalog["meeting"], title="Morning Meeting, revised")
    db.session.commit()
    response = client.get("/catalog/riverbend/running-a-morning-meeting")
    assert response.status_code == 200
    assert "revised" not in text_of(response)


def test_image_without_upload_is_a_default_svg(client: Any, catalog: Any) -> None:
    response = client.get("/catalog/riverbend/exit-tickets/image")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.data.lstrip().startswith((b"<svg", b"<?xml"))
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age" in response.headers["Cache-Control"]
    again = client.get(
        "/catalog/riverbend/exit-tickets/image",
        headers={"If-None-Match": response.headers["ETag"]},
    )
    assert again.status_code == 304


def test_an_uploaded_png_is_served_with_its_type(client: Any, catalog: Any) -> None:
    from tests.app.test_images import make_png

    png = make_png()
    catalog["exit"].published_version.image = png
    catalog["exit"].published_version.image_mimetype = "image/png"
    db.session.commit()
    response = client.get("/catalog/riverbend/exit-tickets/image")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.data == png
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"


def test_home_page_features_published_credentials(client: Any, catalog: Any) -> None:
    text = text_of(client.get("/"))
    assert "Featured credentials" in text
    assert "Running a Morning Meeting" in text
    assert "Secret Draft" not in text
    assert "Teachers" in text
    assert "Districts" in text
