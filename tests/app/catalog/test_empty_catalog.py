"""The catalog before anything is published, and addresses that do not exist."""

from __future__ import annotations

from typing import Any

import pytest


def test_empty_catalog_says_so(client: Any) -> None:
    page = client.get("/catalog")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<label for="q">Search credentials</label>' in html
    assert 'name="q"' in html
    assert ">Search</button>" in html
    assert "No credentials have been published yet." in html


def test_a_search_with_no_match_says_so_and_offers_a_way_back(client: Any) -> None:
    html = client.get("/catalog?q=underwater+basket+weaving").get_data(as_text=True)
    assert "No credentials match your search." in html
    assert 'value="underwater basket weaving"' in html
    assert 'href="/catalog"' in html


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=-3",
        "page=99999999999",
        "q=" + "x" * 5000,
        "issuer=%00",
        "q=%00a",
        "tag=%00",
        "grade=%01",
    ],
)
def test_odd_query_strings_never_break_the_page(client: Any, query: str) -> None:
    assert client.get(f"/catalog?{query}").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/catalog/no-such-issuer/no-such-credential",
        "/catalog/no-such-issuer/no-such-credential/image",
        "/catalog/%00/x",
        "/catalog/a/%00%01/image",
        "/catalog/" + "a" * 500 + "/b",
    ],
)
def test_unknown_credentials_are_404_pages(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert "text/html" in response.content_type
    assert "Not found" in response.get_data(as_text=True)
