"""Choosing the issuer a page is about, for the pages of every feature an issuer admin runs
(reviews, issuance, organisations): straight to the one issuer she administers, or a list."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, url_for
from flask_login import current_user

from app.models.orgs import Issuer
from app.orgs import service
from app.pagination import page_args


def managed_issuer(slug: str) -> Issuer:
    """The issuer at ``slug``, if the signed-in user administers it (else 403/404)."""
    issuer = service.issuer_by_slug(slug)
    service.require_manager(current_user, issuer)
    return issuer


def pick_issuer(endpoint: str, title: str) -> Any:
    """Straight to ``endpoint`` for the one issuer the user administers; a list otherwise."""
    issuers = service.administered_issuers(current_user, page_args())
    if issuers.total == 1 and issuers.items:
        return redirect(url_for(endpoint, slug=issuers.items[0].slug))
    return render_template("orgs/pick_issuer.html", issuers=issuers, endpoint=endpoint, title=title)
