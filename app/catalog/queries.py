"""Catalog queries: published versions of credentials that are not retired.

Search and filters are the credential service's ``search_published``; this module adds the
filter choices (facets) and the lookup by stable address (issuer slug + credential slug).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.credentials import service
from app.db import db
from app.errors import NotFound
from app.models.credentials import Credential, CredentialVersion, VersionStatus
from app.models.orgs import Issuer

_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}")


@dataclass(frozen=True)
class Facets:
    issuers: list[tuple[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    grade_bands: list[str] = field(default_factory=list)


def _published() -> list[CredentialVersion]:
    statement = (
        select(CredentialVersion)
        .join(Credential, CredentialVersion.credential_id == Credential.id)
        .where(
            CredentialVersion.status == VersionStatus.PUBLISHED.value,
            Credential.retired_at.is_(None),
        )
        .options(joinedload(CredentialVersion.credential).joinedload(Credential.issuer))
        .order_by(CredentialVersion.published_at.desc(), CredentialVersion.id.desc())
    )
    return list(db.session.scalars(statement).unique())


def search(
    *, q: str = "", issuer: str = "", tag: str = "", grade: str = ""
) -> list[CredentialVersion]:
    """Published, unretired versions matching every word of ``q`` (title, competency, tags)
    and each given filter (the credential service's search)."""
    return service.search_published(
        q=q or None, issuer_slug=issuer or None, tag=tag or None, grade_band=grade or None
    )


def facets() -> Facets:
    versions = _published()
    issuers = {v.credential.issuer.slug: v.credential.issuer.name for v in versions}
    tags = {t for v in versions for t in v.tags or []}
    bands = {b for v in versions for b in v.grade_bands or []}
    from app.models.credentials import GRADE_BANDS

    order = {band: n for n, band in enumerate(GRADE_BANDS)}
    return Facets(
        issuers=sorted(issuers.items(), key=lambda item: item[1].casefold()),
        tags=sorted(tags, key=str.casefold),
        grade_bands=sorted(bands, key=lambda b: (order.get(b, len(order)), b)),
    )


def published_version(issuer_slug: str, credential_slug: str) -> CredentialVersion:
    """The published version at this address, or NotFound (drafts and retired never show)."""
    if not (_SLUG.fullmatch(issuer_slug) and _SLUG.fullmatch(credential_slug)):
        raise NotFound("There is no published credential at this address.")
    credential = db.session.scalar(
        select(Credential)
        .join(Issuer, Credential.issuer_id == Issuer.id)
        .where(Issuer.slug == issuer_slug, Credential.slug == credential_slug)
    )
    version = credential.published_version if credential and not credential.is_retired else None
    if version is None:
        raise NotFound("There is no published credential at this address.")
    return version
