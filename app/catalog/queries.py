"""Catalog queries: published versions of credentials that are not retired.

Search and filters run in Python over the published versions: tags and grade bands are JSON
lists, and matching them in SQL differs between SQLite and PostgreSQL. The catalog holds
hundreds of credentials, not millions; move this to SQL (or the credential service's search)
when it grows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.db import db
from app.errors import NotFound
from app.models.credentials import Credential, CredentialVersion, VersionStatus
from app.models.orgs import Issuer


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


def _matches(version: CredentialVersion, words: list[str]) -> bool:
    haystack = " ".join(
        [version.title or "", version.competency or "", " ".join(version.tags or [])]
    ).casefold()
    return all(word in haystack for word in words)


def search(
    *, q: str = "", issuer: str = "", tag: str = "", grade: str = ""
) -> list[CredentialVersion]:
    """Published, unretired versions matching every word of ``q`` (title, competency, tags)
    and each given filter; newest first."""
    words = q.casefold().split()
    tag_key = tag.casefold()
    found = []
    for version in _published():
        if issuer and version.credential.issuer.slug != issuer:
            continue
        if tag and tag_key not in {t.casefold() for t in version.tags or []}:
            continue
        if grade and grade not in (version.grade_bands or []):
            continue
        if words and not _matches(version, words):
            continue
        found.append(version)
    return found


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
    credential = db.session.scalar(
        select(Credential)
        .join(Issuer, Credential.issuer_id == Issuer.id)
        .where(Issuer.slug == issuer_slug, Credential.slug == credential_slug)
    )
    version = credential.published_version if credential and not credential.is_retired else None
    if version is None:
        raise NotFound("There is no published credential at this address.")
    return version
