"""Our own Open Badges documents as machines read them: built from narrow rows on the read
pool and kept in memory until they change (``app/issuance/live.py``). The hosted routes
(``hosted.py``) answer them over HTTP; the verifier reads them directly (:func:`own_document`),
without a round trip through HTTP. Nothing here imports a view.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException

from app.db import db, read_all, read_one
from app.errors import NotFound, found
from app.issuance import documents, live
from app.models.assertions import Assertion, IssuerKey
from app.models.credentials import CredentialVersion, Criterion, VersionStatus
from app.models.orgs import Issuer


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


def version(version_id: int) -> CredentialVersion:
    version = db.session.get(
        CredentialVersion,
        version_id,
        options=[selectinload(CredentialVersion.criteria).selectinload(Criterion.levels)],
    )
    if version is None or version.status == VersionStatus.DRAFT:
        raise NotFound(_("There is no such badge."))
    return version


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


def assertion_machine(uid: str) -> Machine:
    """The assertion (200) or its revoked form (410), from memory until a revocation
    (``app/issuance/live.py``); NotFound if there is none."""
    return live.remembered(("assertion", uid), lambda: _read_assertion(uid))


def _read_assertion(uid: str) -> Machine:
    row = read_one(_DOCUMENT_QUERY, {"uid": uid})
    if row is None:
        raise NotFound(_("There is no such badge."))
    if row.revoked_at is not None:
        return machine(documents.revoked_assertion(row), 410)
    return machine(documents.assertion(row))


def revocation_list(found: Any) -> dict[str, Any]:
    """The issuer's revocation list (``found``: an Issuer, or a row with its id and slug),
    from memory until a revocation."""
    return live.remembered(
        ("revocations", found.id),
        lambda: documents.revocation_list(found, read_all(_REVOKED_QUERY, {"issuer_id": found.id})),
    )


def key(kid: str) -> IssuerKey:
    key = db.session.scalar(select(IssuerKey).where(IssuerKey.kid == kid))
    return found(key, _("There is no such key."))


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
        raise NotFound(_("There is no such document.")) from error
    if endpoint == "ob.assertion":
        made = assertion_machine(args["uid"])
        return made.status, made.document
    if endpoint == "ob.badge_class":
        version_id = args["version_id"]
        return 200, _stable(
            ("badge", version_id), lambda: documents.badge_class(version(version_id))
        )
    if endpoint == "ob.key":
        kid = args["kid"]
        return 200, _stable(("key", kid), lambda: documents.key_document(key(kid)))
    if endpoint in ("ob.issuer", "ob.revocations"):
        found = live.remembered(("issuer", args["slug"]), lambda: _read_issuer(args["slug"]))
        if endpoint == "ob.revocations":
            return 200, revocation_list(found)
        current = SimpleNamespace(kid=found.kid) if found.kid else None
        return 200, documents.profile(found, current)
    raise NotFound(_("There is no such document."))


def _read_issuer(slug: str) -> Any:
    found = read_one(_ISSUER_QUERY, {"slug": slug})
    if found is None:
        raise NotFound(_("There is no such issuer."))
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
