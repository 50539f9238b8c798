"""Page values for the catalog templates, built from published credential versions.

Templates read only these plain values, so the pages do not depend on how the models store
lists (JSON columns, child rows) and stay easy to test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.images import SVG_MIMETYPE, badge_svg

SUMMARY_LENGTH = 220


@dataclass(frozen=True)
class Card:
    title: str
    url: str
    image_url: str
    issuer_name: str
    summary: str
    tags: list[str]
    grade_bands: list[str]
    estimated_hours: Any


@dataclass(frozen=True)
class PromptView:
    number: int
    title: str
    kind: str
    kind_label: str
    instructions: str
    rules: str


@dataclass(frozen=True)
class LevelView:
    name: str
    points: int


@dataclass(frozen=True)
class CellView:
    level: str
    points: int
    descriptor: str
    passing: bool


@dataclass(frozen=True)
class CriterionView:
    name: str
    description: str
    judges: str
    cells: list[CellView]


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    note: str = ""


@dataclass(frozen=True)
class AlignmentView:
    framework: str
    code: str
    name: str
    url: str


@dataclass(frozen=True)
class DetailPage:
    title: str
    url: str
    image_url: str
    issuer_name: str
    issuer_url: str
    competency: str
    key_method: str
    method_components: list[str]
    resources: list[Link]
    prompts: list[PromptView]
    levels: list[LevelView]
    criteria: list[CriterionView]
    passing_rule: str
    alignments: list[AlignmentView]
    tags: list[str]
    grade_bands: list[str]
    estimated_hours: Any
    validity: str
    version_label: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _summary(text: str) -> str:
    text = " ".join((text or "").split())
    if len(text) <= SUMMARY_LENGTH:
        return text
    return text[: SUMMARY_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def words(items: list[str], conjunction: str = "and") -> str:
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


def card(version: Any) -> Card:  # pragma: no cover - filled in with the credential models
    raise NotImplementedError


def detail(version: Any) -> DetailPage:  # pragma: no cover
    raise NotImplementedError


def image_of(version: Any) -> tuple[bytes, str]:  # pragma: no cover
    return badge_svg("?"), SVG_MIMETYPE
