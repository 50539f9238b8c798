"""Catalog queries (stub until the credential models land)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.errors import NotFound


@dataclass(frozen=True)
class Facets:
    issuers: list[tuple[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    grade_bands: list[str] = field(default_factory=list)


def search(*, q: str = "", issuer: str = "", tag: str = "", grade: str = "") -> list[Any]:
    return []


def facets() -> Facets:
    return Facets()


def published_version(issuer_slug: str, credential_slug: str) -> Any:
    raise NotFound("There is no published credential at this address.")
