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
from typing import Any

from flask import Flask, has_request_context, request
from flask_babel import Babel, force_locale, get_locale
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


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    # {% trans %} blocks may span lines in templates: their text is matched with its
    # whitespace collapsed, as a browser shows it.
    app.jinja_env.policies["ext.i18n.trimmed"] = True

    @app.context_processor
    def languages() -> dict[str, Any]:
        return {"LANGUAGES": LANGUAGES, "current_language": current()}
