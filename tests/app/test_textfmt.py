"""Other issuers' criteria Markdown shows as text a person reads, never as their HTML."""

from __future__ import annotations

from typing import Any

from app import i18n
from app.textfmt import human_date, markdown_lite


def test_bold_paragraphs_and_lists() -> None:
    html = str(
        markdown_lite("**Competency:** Uses exit tickets.\n\nJudged by:\n\n- **A**: one\n- B")
    )
    assert html == (
        "<p><strong>Competency:</strong> Uses exit tickets.</p><p>Judged by:</p>"
        "<ul><li><strong>A</strong>: one</li><li>B</li></ul>"
    )


def test_html_in_a_badge_is_shown_not_run() -> None:
    html = str(markdown_lite("<script>alert(1)</script> **<img src=x onerror=alert(2)>**"))
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html


def test_dates_read_as_dates(app: Any) -> None:
    assert human_date("2026-10-30T23:56:37Z") == "October 30, 2026"
    assert human_date("2026-10-30T23:56:37+02:00") == "October 30, 2026"  # the day as written
    assert human_date("not a date") == "not a date"
    assert human_date(None) == ""
    with i18n.speaking("es"):
        assert human_date("2026-10-30T23:56:37Z") == "30 de octubre de 2026"
