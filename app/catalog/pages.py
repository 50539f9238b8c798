"""Page values for the catalog templates, built from published credential versions.

Templates read only these plain values, so the pages do not depend on how the models store
lists (JSON columns, child rows) and stay easy to test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

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
    credential_id: int = 0
    language: str = "en"  # the language the designer wrote the content in (lang="...")


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
    attempts: str = ""
    language: str = "en"  # the language the designer wrote the content in (lang="...")
    extra: dict[str, Any] = field(default_factory=dict)


def _summary(text: str) -> str:
    text = " ".join((text or "").split())
    if len(text) <= SUMMARY_LENGTH:
        return text
    return text[: SUMMARY_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def words(items: list[str], conjunction: str | None = None) -> str:
    """``items`` as a list in a sentence: "1, 2 and 3" ("1, 2 y 3"); ``conjunction`` is
    "and" in the request's language unless given."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    if conjunction is None:
        conjunction = _("and")
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


def _first(obj: Any, *names: str, default: Any = None) -> Any:
    """The first of ``names`` that ``obj`` has and is not None."""
    for name in names:
        value = getattr(obj, name, None)
        if value is not None:
            return value
    return default


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]
    return list(value)


def _credential(version: Any) -> Any:
    return version.credential


def _issuer(version: Any) -> Any:
    return _credential(version).issuer


def credential_url(version: Any) -> str:
    return url_for(
        "catalog.credential",
        issuer_slug=_issuer(version).slug,
        credential_slug=_credential(version).slug,
    )


def image_url(version: Any) -> str:
    return url_for(
        "catalog.image",
        issuer_slug=_issuer(version).slug,
        credential_slug=_credential(version).slug,
    )


def card(version: Any) -> Card:
    return Card(
        title=version.title,
        url=credential_url(version),
        image_url=image_url(version),
        issuer_name=_issuer(version).name,
        summary=_summary(version.competency),
        tags=[str(t) for t in _list(version.tags)],
        grade_bands=[str(g) for g in _list(version.grade_bands)],
        estimated_hours=_hours(version.estimated_hours),
        credential_id=version.credential_id,
        language=str(_first(version, "language", default="en") or "en"),
    )


def _lines(value: Any) -> list[str]:
    if isinstance(value, str):
        return [line.strip().lstrip("-*• ").strip() for line in value.splitlines() if line.strip()]
    return [str(item) for item in _list(value)]


def _hours(value: Any) -> Any:
    if value is None:
        return None
    number = float(value)
    return int(number) if number.is_integer() else round(number, 1)


def _link(item: Any) -> Link:
    if isinstance(item, str):
        return Link(title=item, url=item if item.startswith(("https://", "http://")) else "")
    if isinstance(item, (list, tuple)):
        return Link(title=str(item[0]), url=str(item[1]) if len(item) > 1 else "")
    get = item.get if isinstance(item, dict) else lambda k, d=None: getattr(item, k, d)
    url = str(get("url", "") or "")
    if not url.startswith(("https://", "http://")):
        url = ""  # never render javascript: or relative links from stored data
    return Link(
        title=str(get("title", "") or get("name", "") or url),
        url=url,
        note=str(get("note", "") or get("description", "") or ""),
    )


def _alignment(item: Any) -> AlignmentView:
    get = item.get if isinstance(item, dict) else lambda k, d=None: getattr(item, k, d)
    url = str(get("url", "") or "")
    return AlignmentView(
        framework=str(get("framework", "") or ""),
        code=str(get("code", "") or ""),
        name=str(get("name", "") or get("title", "") or ""),
        url=url if url.startswith(("https://", "http://")) else "",
    )


KIND_LABELS = {"text": _l("Written answer"), "file": _l("File upload"), "link": _l("Link")}


def _prompt_rules(prompt: Any) -> str:
    kind = str(_first(prompt, "kind", default="text"))
    kind = getattr(kind, "value", kind)
    if kind == "text":
        low, high = _first(prompt, "min_words"), _first(prompt, "max_words")
        if low and high:
            return str(_("Write %(low)s to %(high)s words.", low=low, high=high))
        if high:
            return str(_("Write up to %(high)s words.", high=high))
        if low:
            return str(_("Write at least %(low)s words.", low=low))
        return ""
    if kind == "file":
        kinds = _list(_first(prompt, "allowed_kinds", "file_kinds", "allowed_extensions"))
        size_mb = _first(prompt, "max_size_mb", "max_mb")
        if size_mb is None and _first(prompt, "max_bytes", "max_size") is not None:
            size_mb = round(int(_first(prompt, "max_bytes", "max_size")) / (1024 * 1024))
        accepted = ", ".join(str(k).lstrip(".") for k in kinds)
        if kinds and size_mb:
            return str(_("Accepted files: %(kinds)s, up to %(mb)s MB.", kinds=accepted, mb=size_mb))
        if kinds:
            return str(_("Accepted files: %(kinds)s.", kinds=accepted))
        if size_mb:
            return str(_("up to %(mb)s MB.", mb=size_mb))
        return ""
    if kind == "link":
        return str(_("Paste a web address (https://…) that reviewers can open."))
    return ""


def _prompt(number: int, prompt: Any) -> PromptView:
    kind = _first(prompt, "kind", default="text")
    kind = str(getattr(kind, "value", kind))
    return PromptView(
        number=number,
        title=str(_first(prompt, "label", "title", default=_("Prompt %(number)s", number=number))),
        kind=kind,
        kind_label=str(KIND_LABELS.get(kind, kind.title())),
        instructions=str(_first(prompt, "guidance", "instructions", default="")),
        rules=_prompt_rules(prompt),
    )


def _ordered(items: Any) -> list[Any]:
    ordered: list[Any] = list(items or [])
    if ordered and hasattr(ordered[0], "position"):
        ordered.sort(key=lambda i: i.position)
    return ordered


def passing_rule(version: Any, levels: list[LevelView], max_total: int) -> str:
    """The passing rule in a sentence, in the request's language (the signed badge's criteria
    narrative builds it inside ``i18n.speaking("en")``)."""
    position = _first(version, "pass_min_level")
    min_level = version.level_name(position) if isinstance(position, int) else ""
    min_total = _first(version, "pass_min_total")
    if min_level and min_total:
        return str(
            _(
                "To pass, a submission needs every criterion at %(level)s or above and at least"
                " %(total)s points in total (of %(most)s possible).",
                level=min_level,
                total=min_total,
                most=max_total,
            )
        )
    if min_level:
        return str(
            _("To pass, a submission needs every criterion at %(level)s or above.", level=min_level)
        )
    if min_total:
        return str(
            _(
                "To pass, a submission needs at least %(total)s points in total"
                " (of %(most)s possible).",
                total=min_total,
                most=max_total,
            )
        )
    return str(_("A reviewer decides Pass or Not yet using the rubric."))


def _judges(criterion: Any, numbers: dict[Any, int]) -> str:
    prompts = _list(_first(criterion, "prompts", default=[]))
    found = sorted(numbers[p.id] for p in prompts if getattr(p, "id", None) in numbers)
    if not found:
        return ""
    return str(
        ngettext(
            "prompt %(numbers)s",
            "prompts %(numbers)s",
            len(found),
            numbers=words([str(n) for n in found]),
        )
    )


def detail(version: Any) -> DetailPage:
    issuer = _issuer(version)
    prompts = _ordered(_first(version, "prompts", default=[]))
    numbers = {p.id: n for n, p in enumerate(prompts, start=1)}
    criteria = _ordered(_first(version, "criteria", default=[]))
    columns: list[LevelView] = []
    rows: list[CriterionView] = []
    for criterion in criteria:
        levels = _ordered(_first(criterion, "levels", default=[]))
        if len(levels) > len(columns):
            columns = [LevelView(name=lv.name, points=int(lv.points)) for lv in levels]
        rows.append(
            CriterionView(
                name=str(_first(criterion, "title", "name", default="")),
                description=str(_first(criterion, "description", default="")),
                judges=_judges(criterion, numbers),
                cells=[],
            )
        )
    min_position = _first(version, "pass_min_level")
    for criterion, row in zip(criteria, rows, strict=True):
        levels = _ordered(_first(criterion, "levels", default=[]))
        row.cells.extend(
            CellView(
                level=lv.name,
                points=int(lv.points),
                descriptor=str(_first(lv, "descriptor", "description", default="")),
                passing=isinstance(min_position, int) and lv.position >= min_position,
            )
            for lv in levels
        )
    max_total = sum(max((c.points for c in row.cells), default=0) for row in rows)
    validity_years = _first(version, "validity_years")
    number = _first(version, "number", "version_number", "version")
    return DetailPage(
        title=version.title,
        url=credential_url(version),
        image_url=image_url(version),
        issuer_name=issuer.name,
        issuer_url=issuer.url if str(issuer.url).startswith(("https://", "http://")) else "",
        competency=version.competency or "",
        key_method=_first(version, "key_method", default=""),
        method_components=_lines(version.method_components),
        resources=[_link(r) for r in _list(_first(version, "research_resources"))],
        prompts=[_prompt(n, p) for n, p in enumerate(prompts, start=1)],
        levels=columns,
        criteria=rows,
        passing_rule=passing_rule(version, columns, max_total),
        alignments=[_alignment(a) for a in _list(_first(version, "alignments"))],
        tags=[str(t) for t in _list(version.tags)],
        grade_bands=[str(g) for g in _list(version.grade_bands)],
        estimated_hours=_hours(_first(version, "estimated_hours")),
        validity=(
            ngettext(
                "%(num)d year from the award date",
                "%(num)d years from the award date",
                validity_years,
            )
            if validity_years
            else _("No expiry")
        ),
        version_label=_("Version %(n)s", n=number) if isinstance(number, int) else "",
        attempts=_attempts(_first(version, "max_attempts")),
        language=str(_first(version, "language", default="en") or "en"),
    )


def _attempts(limit: Any) -> str:
    if not isinstance(limit, int):
        return str(_("Resubmit after “Not yet” as often as you need"))
    if limit == 1:
        return str(_("One attempt"))
    return str(_("Up to %(limit)s attempts (resubmit after “Not yet”)", limit=limit))
