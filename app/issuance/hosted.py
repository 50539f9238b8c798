"""The hosted Open Badges documents under PUBLIC_BASE_URL: issuers, badge classes,
assertions, keys, revocation lists, badge images and (with consent) evidence.

Each answers JSON-LD to machines (``Accept: application/ld+json`` or ``application/json``,
or a ``.json`` suffix) and a readable page to people, with an ETag. Issuers, badge classes
and keys may be cached for an hour; assertions and revocation lists must be revalidated on
every use (``no-cache``), so a revocation is seen by the very next request. A revoked
assertion answers 410 Gone with ``revoked: true`` and the reason.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Response, g, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from app.db import db
from app.errors import NotFound
from app.i18n import day
from app.images import image_of
from app.issuance import documents, keys, ob, published
from app.links import public_url
from app.models.assertions import Assertion
from app.models.submissions import Submission
from app.orgs.service import issuer_by_slug
from app.responses import file_response, image_response
from app.security import public

# Each document has two rules, "<id>.json" first in the source so that the plain id is
# registered first and is the one url_for builds (decorators apply bottom-up).
STABLE = "public, max-age=3600"
LIVE = "public, no-cache"


def wants_document(fmt: str | None) -> bool:
    if fmt == "json":
        return True
    accept = request.accept_mimetypes
    best = accept.best_match(["text/html", "application/ld+json", "application/json"])
    return (
        best in ("application/ld+json", "application/json") and accept[best] > accept["text/html"]
    )


def answer(
    document: dict[str, Any],
    fmt: str | None,
    *,
    cache: str = STABLE,
    status: int = 200,
    page: str = "issuance/document.html",
    **context: Any,
) -> Any:
    if wants_document(fmt):
        return machine_answer(published.machine(document, status), fmt, cache)
    pretty = json.dumps(document, indent=2, ensure_ascii=False)
    html = render_template(page, document=document, pretty=pretty, **context)
    response = Response(html, status=status, mimetype="text/html")
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    # The page is in the reader's language (Accept-Language, or a signed-in choice).
    return _public(response, cache, vary="Accept, Accept-Language, Cookie")


def machine_answer(made: published.Machine, fmt: str | None, cache: str) -> Any:
    g.public_document = True
    best = request.accept_mimetypes.best_match(["application/ld+json", "application/json"])
    plain = best == "application/json" and fmt != "json"  # a client that takes only JSON
    mimetype = "application/json" if plain else "application/ld+json"
    response = Response(made.body, status=made.status, mimetype=mimetype)
    response.set_etag(made.etag)
    return _public(response, cache)


def _public(response: Response, cache: str, vary: str = "Accept") -> Any:
    response.headers["Cache-Control"] = cache
    response.headers["Vary"] = vary
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers and backpacks anywhere
    return response.make_conditional(request) if response.status_code == 200 else response


@ob.get("/issuers/<slug>.json", defaults={"fmt": "json"})
@ob.get("/issuers/<slug>", defaults={"fmt": None})
@public
def issuer(slug: str, fmt: str | None) -> Any:
    found = issuer_by_slug(slug)
    key = keys.current_key(found)  # made on the first request; the request's edge commits it
    return answer(
        documents.profile(found, key), fmt, title=found.name, kind=_("Issuer"), issuer=found
    )


@ob.get("/issuers/<slug>/revocations.json", defaults={"fmt": "json"})
@ob.get("/issuers/<slug>/revocations", defaults={"fmt": None})
@public
def revocations(slug: str, fmt: str | None) -> Any:
    found = issuer_by_slug(slug)
    return answer(
        published.revocation_list(found),
        fmt,
        cache=LIVE,
        title=_("Badges revoked by %(issuer)s", issuer=found.name),
        kind=_("Revocation list"),
    )


@ob.get("/keys/<kid>.json", defaults={"fmt": "json"})
@ob.get("/keys/<kid>", defaults={"fmt": None})
@public
def key(kid: str, fmt: str | None) -> Any:
    found = published.key(kid)
    title = (
        _("Signing key of %(issuer)s (current)", issuer=found.issuer.name)
        if found.is_current
        else _(
            "Signing key of %(issuer)s (retired %(day)s)",
            issuer=found.issuer.name,
            day=day(found.retired_at),
        )
    )
    return answer(documents.key_document(found), fmt, title=title, kind=_("Public key"))


@ob.get("/badges/<int:version_id>.json", defaults={"fmt": "json"})
@ob.get("/badges/<int:version_id>", defaults={"fmt": None})
@public
def badge_class(version_id: int, fmt: str | None) -> Any:
    version = published.version(version_id)
    return answer(
        documents.badge_class(version),
        fmt,
        title=version.title,
        kind=_("Badge"),
        image=public_url("ob.badge_image", version_id=version.id),
    )


@ob.get("/badges/<int:version_id>/image")
@public
def badge_image(version_id: int) -> Any:
    return image_response(*image_of(published.version(version_id)))


@ob.get("/assertions/<uid>.json", defaults={"fmt": "json"})
@ob.get("/assertions/<uid>", defaults={"fmt": None})
@public
def assertion(uid: str, fmt: str | None) -> Any:
    if wants_document(fmt):
        return machine_answer(published.assertion_machine(uid), fmt, LIVE)
    item = db.session.scalar(select(Assertion).where(Assertion.uid == uid))
    if item is None:
        raise NotFound(_("There is no such badge."))
    context: dict[str, Any] = {
        "title": item.version.title,
        "kind": _("Badge awarded"),
        "item": item,
    }
    if item.revoked:
        return answer(documents.revoked_assertion(item), fmt, cache=LIVE, status=410, **context)
    return answer(documents.assertion(item), fmt, cache=LIVE, **context)


def _evidence_of(uid: str) -> tuple[Assertion, Submission]:
    item = db.session.scalar(select(Assertion).where(Assertion.uid == uid))
    submission = (
        db.session.get(Submission, item.submission_id) if item and item.submission_id else None
    )
    if item is None or submission is None or not submission.evidence_public or item.revoked:
        raise NotFound(_("This evidence is not public."))
    return item, submission


@ob.get("/assertions/<uid>/evidence")
@public
def evidence(uid: str) -> Any:
    """The teacher's evidence, shown only because they agreed when they submitted."""
    item, submission = _evidence_of(uid)
    return render_template("issuance/evidence.html", item=item, s=submission)


@ob.get("/assertions/<uid>/evidence/files/<int:file_id>")
@public
def evidence_file(uid: str, file_id: int) -> Any:
    _item, submission = _evidence_of(uid)
    record = next((f for f in submission.files if f.id == file_id), None)
    if record is None:
        raise NotFound(_("There is no such file."))

    return file_response(record)
