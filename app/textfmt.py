"""Template filters for what other issuers' badges say: their criteria Markdown, shown as
text a person reads (never as HTML they wrote), and their dates as dates."""

from __future__ import annotations

import re
from datetime import datetime

from markupsafe import Markup, escape

from app.i18n import day

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def markdown_lite(text: object) -> Markup:
    """Paragraphs, "- " lists and **bold** from Markdown; everything else shown as written
    (escaped first, so nothing in the text can become markup)."""
    html: list[str] = []
    items: list[str] = []

    def flush_list() -> None:
        if items:
            html.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            items.clear()

    for block in re.split(r"\n\s*\n", str(text or "").strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        for line in lines:
            safe = _BOLD.sub(r"<strong>\1</strong>", str(escape(line)))
            if line.startswith(("- ", "* ")):
                items.append(safe[2:])
            else:
                flush_list()
                html.append(f"<p>{safe}</p>")
        flush_list()
    return Markup("".join(html))  # noqa: S704 - every piece of text was escaped above


def human_date(value: object) -> str:
    """An ISO 8601 date-time as a long day in the reader's language, "November 30, 2026" /
    "30 de noviembre de 2026" (the day as the issuer wrote it); anything else as it is."""
    if not isinstance(value, str):
        return "" if value is None else str(value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return day(moment.date(), "long")
