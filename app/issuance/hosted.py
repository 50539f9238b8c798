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
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from flask import Response, current_app, g, render_template, request
from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException

from app.catalog.views import image_response
from app.db import db, read_all, read_one
from app.errors import NotFound, found
from app.images import image_of
from app.issuance import documents, keys, live, ob
from app.links import public_url
from app.models.assertions import Assertion, IssuerKey
from app.models.credentials import CredentialVersion, Criterion, VersionStatus
from app.models.orgs import Issuer
from app.models.submissions import Submission
from app.security import public
from app.submissions.api import file_response

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


@dataclass(frozen=True)
class Machine:
    """A document as machines get it: compact JSON (through the C encoder: indenting takes
    the pure-Python one) and its ETag, made once however often it is served."""

    status: int
    document: dict[str, Any]
    body: str
    etag: str


def machine(document: dict[str, Any], status: int = 200) -> Machine:
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return Machine(status, document, body, hashlib.sha256(body.encode()).hexdigest()[:32])


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
        return machine_answer(machine(document, status), fmt, cache)
    pretty = json.dumps(document, indent=2, ensure_ascii=False)
    html = render_template(page, document=document, pretty=pretty, **context)
    response = Response(html, status=status, mimetype="text/html")
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    return _public(response, cache)


def machine_answer(made: Machine, fmt: str | None, cache: str) -> Any:
    g.public_document = True
    best = request.accept_mimetypes.best_match(["application/ld+json", "application/json"])
    plain = best == "application/json" and fmt != "json"  # a client that takes only JSON
    mimetype = "application/json" if plain else "application/ld+json"
    response = Response(made.body, status=made.status, mimetype=mimetype)
    response.set_etag(made.etag)
    return _public(response, cache)


def _public(response: Response, cache: str) -> Any:
    response.headers["Cache-Control"] = cache
    response.headers["Vary"] = "Accept"
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers and backpacks anywhere
    return response.make_conditional(request) if response.status_code == 200 else response


def _version(version_id: int) -> CredentialVersion:
    version = db.session.get(
        CredentialVersion,
        version_id,
        options=[selectinload(CredentialVersion.criteria).selectinload(Criterion.levels)],
    )
    if version is None or version.status == VersionStatus.DRAFT:
        raise NotFound("There is no such badge.")
    return version


@ob.get("/issuers/<slug>.json", defaults={"fmt": "json"})
@ob.get("/issuers/<slug>", defaults={"fmt": None})
@public
def issuer(slug: str, fmt: str | None) -> Any:
    found = _issuer(slug)
    key = keys.current_key(found)  # made on the first request; the request's edge commits it
    return answer(documents.profile(found, key), fmt, title=found.name, kind="Issuer", issuer=found)


@ob.get("/issuers/<slug>/revocations.json", defaults={"fmt": "json"})
@ob.get("/issuers/<slug>/revocations", defaults={"fmt": None})
@public
def revocations(slug: str, fmt: str | None) -> Any:
    found = _issuer(slug)
    return answer(
        _revocation_list(found),
        fmt,
        cache=LIVE,
        title=f"Badges revoked by {found.name}",
        kind="Revocation list",
    )


@ob.get("/keys/<kid>.json", defaults={"fmt": "json"})
@ob.get("/keys/<kid>", defaults={"fmt": None})
@public
def key(kid: str, fmt: str | None) -> Any:
    found = _key(kid)
    state = "current" if found.is_current else f"retired {found.retired_at:%Y-%m-%d}"
    return answer(
        documents.key_document(found),
        fmt,
        title=f"Signing key of {found.issuer.name} ({state})",
        kind="Public key",
    )


@ob.get("/badges/<int:version_id>.json", defaults={"fmt": "json"})
@ob.get("/badges/<int:version_id>", defaults={"fmt": None})
@public
def badge_class(version_id: int, fmt: str | None) -> Any:
    version = _version(version_id)
    return answer(
        documents.badge_class(version),
        fmt,
        title=version.title,
        kind="Badge",
        image=public_url("ob.badge_image", version_id=version.id),
    )


@ob.get("/badges/<int:version_id>/image")
@public
def badge_image(version_id: int) -> Any:
    return image_response(*image_of(_version(version_id)))


# The columns a hosted assertion document is made of: the most requested URL of all is
# answered from one narrow row, without loading the JWS or the credential version.
_DOCUMENT_COLUMNS = (
    Assertion.uid,
    Assertion.version_id,
    Assertion.salt,
    Assertion.identity,
    Assertion.issued_on,
    Assertion.expires,
    Assertion.evidence_url,
    Assertion.evidence_narrative,
    Assertion.revoked_at,
    Assertion.revocation_reason,
)
# Built once: making the expression again for every request costs more than running it.
_DOCUMENT_QUERY = select(*_DOCUMENT_COLUMNS).where(Assertion.uid == bindparam("uid"))


@ob.get("/assertions/<uid>.json", defaults={"fmt": "json"})
@ob.get("/assertions/<uid>", defaults={"fmt": None})
@public
def assertion(uid: str, fmt: str | None) -> Any:
    if wants_document(fmt):
        return machine_answer(_assertion_machine(uid), fmt, LIVE)
    item = db.session.scalar(select(Assertion).where(Assertion.uid == uid))
    if item is None:
        raise NotFound("There is no such badge.")
    context: dict[str, Any] = {"title": item.version.title, "kind": "Badge awarded", "item": item}
    if item.revoked:
        return answer(documents.revoked_assertion(item), fmt, cache=LIVE, status=410, **context)
    return answer(documents.assertion(item), fmt, cache=LIVE, **context)


def _assertion_machine(uid: str) -> Machine:
    """The assertion (200) or its revoked form (410), from memory until a revocation
    (``app/issuance/live.py``); NotFound if there is none."""
    return live.remembered(("assertion", uid), lambda: _read_assertion(uid))


def _read_assertion(uid: str) -> Machine:
    row = read_one(_DOCUMENT_QUERY, {"uid": uid})
    if row is None:
        raise NotFound("There is no such badge.")
    if row.revoked_at is not None:
        return machine(documents.revoked_assertion(row), 410)
    return machine(documents.assertion(row))


def _revocation_list(found: Any) -> dict[str, Any]:
    """The issuer's revocation list (``found``: an Issuer, or a row with its id and slug),
    from memory until a revocation."""
    return live.remembered(
        ("revocations", found.id),
        lambda: documents.revocation_list(found, read_all(_REVOKED_QUERY, {"issuer_id": found.id})),
    )


def _issuer(slug: str) -> Issuer:
    issuer = db.session.scalar(select(Issuer).where(Issuer.slug == slug))
    return found(issuer, "There is no such issuer.")


def _key(kid: str) -> IssuerKey:
    key = db.session.scalar(select(IssuerKey).where(IssuerKey.kid == kid))
    return found(key, "There is no such key.")


STABLE_SECONDS = 60.0  # how long the verifier reuses a badge class or key document


def _stable(key: tuple[str, Any], build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A badge class (a published version is frozen) or a key (its public half never
    changes) built at most once a minute per app, for the verifier: a district checking 500
    of our badges reads each once. The same object is handed out each time (read-only), so
    the badges library's own cache of checked documents applies too. Assertions, issuer
    profiles (their current key) and revocation lists are never kept."""
    cache: dict[tuple[str, Any], tuple[float, dict[str, Any]]] = current_app.extensions.setdefault(
        "ob_stable_documents", {}
    )
    now = time.monotonic()
    hit = cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    document = build()
    if len(cache) >= 2048:
        cache.clear()
    cache[key] = (now + STABLE_SECONDS, document)
    return document


def own_document(path: str) -> tuple[int, dict[str, Any]]:
    """(status, document) that ``path`` (one of our Open Badges URLs, without the base)
    answers a machine, built directly: how the verifier reads our own badges without a round
    trip through HTTP. A revoked assertion is (410, its revoked form); NotFound for any path
    that is no Open Badges document of ours. Reads only: an issuer with no key yet gets none
    made here."""
    try:
        endpoint, args = current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException as error:
        raise NotFound("There is no such document.") from error
    if endpoint == "ob.assertion":
        made = _assertion_machine(args["uid"])
        return made.status, made.document
    if endpoint == "ob.badge_class":
        version_id = args["version_id"]
        return 200, _stable(
            ("badge", version_id), lambda: documents.badge_class(_version(version_id))
        )
    if endpoint == "ob.key":
        kid = args["kid"]
        return 200, _stable(("key", kid), lambda: documents.key_document(_key(kid)))
    if endpoint in ("ob.issuer", "ob.revocations"):
        found = live.remembered(("issuer", args["slug"]), lambda: _read_issuer(args["slug"]))
        if endpoint == "ob.revocations":
            return 200, _revocation_list(found)
        key = SimpleNamespace(kid=found.kid) if found.kid else None
        return 200, documents.profile(found, key)
    raise NotFound("There is no such document.")


def _read_issuer(slug: str) -> Any:
    found = read_one(_ISSUER_QUERY, {"slug": slug})
    if found is None:
        raise NotFound("There is no such issuer.")
    return found


# The verifier's reads of an issuer and its revocations: narrow rows, no session, built once.
_ISSUER_QUERY = (
    select(
        Issuer.id,
        Issuer.slug,
        Issuer.name,
        Issuer.url,
        Issuer.email,
        Issuer.description,
        IssuerKey.kid,
    )
    .outerjoin(IssuerKey, (IssuerKey.issuer_id == Issuer.id) & IssuerKey.retired_at.is_(None))
    .where(Issuer.slug == bindparam("slug"))
)
_REVOKED_QUERY = (
    select(Assertion.uid, Assertion.revocation_reason)
    .where(Assertion.issuer_id == bindparam("issuer_id"), Assertion.revoked_at.is_not(None))
    .order_by(Assertion.revoked_at, Assertion.id)
)


def _evidence_of(uid: str) -> tuple[Assertion, Submission]:
    item = db.session.scalar(select(Assertion).where(Assertion.uid == uid))
    submission = (
        db.session.get(Submission, item.submission_id) if item and item.submission_id else None
    )
    if item is None or submission is None or not submission.evidence_public or item.revoked:
        raise NotFound("This evidence is not public.")
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
    _, submission = _evidence_of(uid)
    record = next((f for f in submission.files if f.id == file_id), None)
    if record is None:
        raise NotFound("There is no such file.")
    return file_response(record)
