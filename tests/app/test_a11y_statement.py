"""The accessibility statement: public, linked from every page's footer, and saying what it
must (the target, how it is tested, the known limitations, and where to report a problem)."""

from __future__ import annotations

import re
from typing import Any

from app import create_app
from app.config import Settings
from app.db import dispose_engines
from tests.conftest import Client


def test_the_statement_is_public_and_says_what_it_must(client: Client) -> None:
    response = client.get("/accessibility")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "<h1>Accessibility statement</h1>" in html
    assert "WCAG) 2.1 at level AA" in text
    for heading in ("Our target", "How we test it", "Known limitations", "Report a problem"):
        assert re.search(rf"<h2[^>]*>{heading}</h2>", html), heading
    for method in ("axe-core", "Keyboard only", "320 pixels", "200% zoom", "reduced motion"):
        assert method in text, method
    # The address the site's mail comes from (MAIL_FROM), as a link.
    assert 'href="mailto:no-reply@microcred.local?subject=Accessibility%20problem"' in html


def test_every_page_links_to_it_from_the_footer(client: Client) -> None:
    for page in ("/", "/catalog", "/auth/login", "/no-such-page"):
        html = client.get(page).get_data(as_text=True)
        footer = html[html.index('<footer class="site-footer">') :]
        assert '<a href="/accessibility">Accessibility</a>' in footer, page


def test_the_contact_address_follows_mail_from(settings: Settings) -> None:
    app: Any = create_app(settings.with_changes(mail_from="Access Desk <access@district.example>"))
    try:
        html = app.test_client().get("/accessibility").get_data(as_text=True)
    finally:
        with app.app_context():
            dispose_engines()
    assert "mailto:access@district.example?" in html
    assert ">access@district.example</a>" in html
