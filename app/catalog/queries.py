"""Catalog queries: published versions of credentials that are not retired.

Search and filters are the credential service's ``search_published`` (searched, counted and
paged in SQL); this module adds the filter choices (facets, distinct values in SQL) and the
lookup by stable address (issuer slug + credential slug).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, true
from sqlalchemy.orm import contains_eager

from app.credentials import search as credential_search
from app.credentials import service
from app.db import db
from app.errors import NotFound
from app.models.assertions import Assertion
from app.models.credentials import (
    GRADE_BANDS,
    Credential,
    CredentialVersion,
    VersionStatus,
)
from app.models.orgs import Issuer
from app.models.submissions import Submission, SubmissionStatus
from app.pagination import Page, PageArgs

_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}")


@dataclass(frozen=True)
class Facets:
    issuers: list[tuple[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    grade_bands: list[str] = field(default_factory=list)


def search(
    args: PageArgs, *, q: str = "", issuer: str = "", tag: str = "", grade: str = ""
) -> Page[CredentialVersion]:
    """One page of published, unretired versions matching every word of ``q`` (title,
    competency, tags) and each given filter (the credential service's search), by title."""
    return service.search_published(
        args,
        q=q or None,
        issuer_slug=issuer or None,
        tag=tag or None,
        grade_band=grade or None,
    )


def newest(limit: int) -> list[CredentialVersion]:
    return service.newest_published(limit)


FACETS_SECONDS = 30.0


def facets() -> Facets:
    """The catalog's filter choices, worked out at most every FACETS_SECONDS per app (they
    scan every published credential; a tag first published a moment ago joins the choices
    within half a minute, while the results themselves are always current)."""
    cached: tuple[float, Facets] | None = current_app.extensions.get("catalog_facets")
    now = time.monotonic()
    if cached is not None and cached[0] > now:
        return cached[1]
    found = _facets()
    current_app.extensions["catalog_facets"] = (now + FACETS_SECONDS, found)
    return found


def _facets() -> Facets:
    """The issuers, tags and grade bands of published credentials, in three statements: the
    issuers and the (fixed) grade bands that have one, and the distinct tags."""
    dialect = db.session.get_bind().dialect.name
    visible = (
        select(CredentialVersion.id)
        .join(CredentialVersion.credential)
        .where(
            CredentialVersion.status == VersionStatus.PUBLISHED.value,
            Credential.retired_at.is_(None),
        )
    )
    issuers = db.session.execute(
        select(Issuer.slug, Issuer.name).where(
            visible.where(Credential.issuer_id == Issuer.id).exists()
        )
    ).all()
    has_band = db.session.execute(
        select(
            *(
                visible.where(
                    credential_search.has_element(dialect, CredentialVersion.grade_bands, band)
                ).exists()
                for band in GRADE_BANDS
            )
        )
    ).one()
    tags = credential_search.elements(dialect, CredentialVersion.tags)
    tag_values = db.session.scalars(
        select(tags.c.value)
        .distinct()
        .select_from(CredentialVersion)
        .join(CredentialVersion.credential)
        .join(tags, true())
        .where(
            CredentialVersion.status == VersionStatus.PUBLISHED.value,
            Credential.retired_at.is_(None),
        )
    )
    return Facets(
        issuers=sorted([(s, n) for s, n in issuers], key=lambda item: item[1].casefold()),
        tags=sorted((str(t) for t in tag_values if t), key=str.casefold),
        grade_bands=[band for band, present in zip(GRADE_BANDS, has_band, strict=True) if present],
    )


def published_version(issuer_slug: str, credential_slug: str) -> CredentialVersion:
    """The published version at this address with its rubric, or NotFound (drafts and retired
    never show)."""
    if not (_SLUG.fullmatch(issuer_slug) and _SLUG.fullmatch(credential_slug)):
        raise NotFound(_("There is no published credential at this address."))
    version = db.session.scalar(
        select(CredentialVersion)
        .join(CredentialVersion.credential)
        .join(Credential.issuer)
        .where(
            Issuer.slug == issuer_slug,
            Credential.slug == credential_slug,
            CredentialVersion.status == VersionStatus.PUBLISHED.value,
            Credential.retired_at.is_(None),
        )
        .options(
            contains_eager(CredentialVersion.credential).contains_eager(Credential.issuer),
            *service.RUBRIC,
        )
    )
    if version is None:
        raise NotFound(_("There is no published credential at this address."))
    return version


@dataclass(frozen=True)
class Standing:
    """Where a signed-in teacher stands with a credential: she holds its badge, or has a draft
    open (``submission_id``), or neither."""

    earned: bool = False
    submission_id: int | None = None


def standings(user: Any, credential_ids: list[int]) -> dict[int, Standing]:
    """The teacher's standing with each of ``credential_ids`` (two statements for a page):
    badges she holds (not revoked) and drafts she has open."""
    if user is None or not getattr(user, "is_authenticated", False) or not credential_ids:
        return {}
    earned = set(
        db.session.scalars(
            select(Assertion.credential_id).where(
                Assertion.user_id == user.id,
                Assertion.credential_id.in_(credential_ids),
                Assertion.revoked_at.is_(None),
            )
        )
    )
    drafts = dict(
        db.session.execute(
            select(Submission.credential_id, Submission.id).where(
                Submission.user_id == user.id,
                Submission.credential_id.in_(credential_ids),
                Submission.status == SubmissionStatus.DRAFT,
            )
        ).all()
    )
    return {
        cid: Standing(earned=cid in earned, submission_id=drafts.get(cid))
        for cid in credential_ids
        if cid in earned or cid in drafts
    }
