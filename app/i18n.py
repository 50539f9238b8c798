"""English and Spanish: which language a request is answered in, and the switch between them.

The language is, in order: the one a signed-in person chose (saved on her account, so pages
and the mail sent to her agree on every device), the one a visitor chose (a cookie), then the
best match of the browser's ``Accept-Language``, then English. Catalogues live in
``app/translations/<lang>/LC_MESSAGES/messages.po`` (compiled to ``.mo`` by ``make``); strings
are marked with ``_()`` in Python and templates (see docs/DEVELOPING.md, "Translations").

A credential's own content (its title, criteria, prompts) stays in the language its designer
wrote it in: only the platform's words are translated.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from babel.dates import format_skeleton
from flask import Flask, has_request_context, request
from flask_babel import Babel, force_locale, format_date, format_decimal, get_locale
from flask_login import current_user

LANGUAGES = {"en": "English", "es": "Español"}
DEFAULT = "en"
COOKIE = "lang"
COOKIE_DAYS = 365

babel = Babel()


def chosen(value: Any) -> str | None:
    """``value`` if it names a language we have, else None."""
    return value if isinstance(value, str) and value in LANGUAGES else None


def select_locale() -> str:
    if not has_request_context():  # a job or a command: English unless told (speaking())
        return DEFAULT
    if current_user and current_user.is_authenticated:
        saved = chosen(getattr(current_user, "locale", None))
        if saved:
            return saved
    return (
        chosen(request.cookies.get(COOKIE))
        or request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT)
        or DEFAULT
    )


def current() -> str:
    """The language of the current request ("en" outside one)."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT


@contextmanager
def speaking(language: str | None) -> Iterator[None]:
    """Render (mail, for instance) in ``language``: a recipient's choice, not the request's."""
    with force_locale(chosen(language) or DEFAULT):
        yield


# --- dates and numbers in the reader's language ----------------------------------------------
# Every date and number a person reads goes through these (templates: ``|day``, ``|day('long')``,
# ``|day('full')``, ``|daytime``, ``|clock``, ``|monthday``, ``|month``, ``|number``), never
# ``strftime``: "Nov 30, 2026" / "30 nov 2026", "1.5 hours" / "1,5 horas". Times are UTC (the
# app stores UTC and says so next to a time).


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def day(value: date | datetime | None, width: str = "medium") -> str:
    """A calendar day: medium "Nov 30, 2026" / "30 nov 2026", long "November 30, 2026" /
    "30 de noviembre de 2026", full "Monday, November 30, 2026" / "lunes, 30 de noviembre de
    2026"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _utc(value).astimezone(UTC).date()
    return str(format_date(value, width))


def daytime(value: datetime | None, width: str = "medium") -> str:
    """A day (``width`` as in :func:`day`) and a 24-hour time, in UTC: "Nov 30, 2026, 14:05" /
    "30 nov 2026, 14:05". The sentence around it says "UTC" where the time matters."""
    if value is None:
        return ""
    return f"{day(value, width)}, {clock(value)}"


def clock(value: datetime | None) -> str:
    """A 24-hour time of day in UTC, "14:05" in both languages."""
    if value is None:
        return ""
    moment = _utc(value).astimezone(UTC)
    return f"{moment.hour:02d}:{moment.minute:02d}"


def monthday(value: date | datetime | None) -> str:
    """A day without its year, for a chart's axis: "Nov 30" / "30 nov"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _utc(value).astimezone(UTC).date()
    return str(format_skeleton("MMMd", value, locale=get_locale() or DEFAULT))


def month(value: date | datetime | None) -> str:
    """A month of a year: "November 2026" / "noviembre de 2026"."""
    if value is None:
        return ""
    return str(format_skeleton("yMMMM", value, locale=get_locale() or DEFAULT))


def number(value: Decimal | float | int | None) -> str:
    """A number as the reader writes it, at most two decimals: "1,234.5" / "1.234,5"."""
    if value is None:
        return ""
    return str(format_decimal(round(value, 2), format="#,##0.##"))


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    # {% trans %} blocks may span lines in templates: their text is matched with its
    # whitespace collapsed, as a browser shows it.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.filters.update(
        day=day, daytime=daytime, clock=clock, month=month, monthday=monthday, number=number
    )

    @app.context_processor
    def languages() -> dict[str, Any]:
        return {"LANGUAGES": LANGUAGES, "current_language": current()}
