"""The home page (the marketing page for visitors, a home per role once signed in), the help
page, and the development mail outbox."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Response, current_app, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app import i18n, mail
from app.errors import InvalidInput, NotFound
from app.links import safe_next
from app.main import bp, dashboard
from app.security import public

LINK = re.compile(r"https?://[^\s<>\"']+")


@bp.get("/")
@public
def home() -> str:
    if not current_user.is_authenticated:
        return render_template("main/home.html")
    return render_template("main/dashboard.html", **dashboard.sections(current_user))


@bp.get("/help")
@public
def help_page() -> str:
    return render_template("main/help.html")


@bp.get("/favicon.ico")
@public
def favicon() -> Any:
    """Browsers ask for /favicon.ico whatever the page says: the same SVG icon."""
    icon = Path(current_app.static_folder or "", "favicon.svg").read_bytes()
    response = Response(icon, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def _pieces(text: str) -> list[tuple[str, bool]]:
    """``text`` as (piece, is_link) pairs, so the template makes each address a link and
    escapes everything."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for match in LINK.finditer(text):
        link = match.group(0).rstrip(".,;:)")
        pieces += [(text[at : match.start()], False), (link, True)]
        at = match.start() + len(link)
    pieces.append((text[at:], False))
    return [(piece, is_link) for piece, is_link in pieces if piece]


@bp.get("/dev/mail")
@public
def dev_mail() -> str:
    """The development outbox: every message the app sent, decoded, its links clickable.
    Development only: anywhere else there is no such page."""
    settings = current_app.extensions["settings"]
    if not settings.is_development:
        raise NotFound(_("There is no such page."))
    mails = [(m, _pieces(m.text)) for m in mail.outbox(settings)]
    return render_template("main/dev_mail.html", mails=mails, folder=mail.outbox_folder(settings))


@bp.get("/accessibility")
@public
def accessibility() -> str:
    """The accessibility statement: the target, how it is tested, what is known not to work,
    and where to report a problem (the address the site's own mail comes from)."""
    from email.utils import parseaddr

    contact = parseaddr(current_app.extensions["settings"].mail_from)[1]
    return render_template("main/accessibility.html", contact=contact)


@bp.post("/language")
@public
def language() -> Any:
    """Switch the language of the pages (and, for a signed-in person, of the mail she gets),
    then go back to the page she was on."""
    chosen = i18n.chosen(request.form.get("lang"))
    if chosen is None:
        raise InvalidInput(
            _("Choose English or Spanish (Español)."), {"lang": [", ".join(i18n.LANGUAGES)]}
        )
    if current_user.is_authenticated:
        current_user.locale = chosen
    response = redirect(safe_next(request.form.get("next")))
    response.set_cookie(
        i18n.COOKIE,
        chosen,
        max_age=i18n.COOKIE_DAYS * 86400,
        secure=request.is_secure,
        httponly=True,
        samesite="Lax",
    )
    return response
