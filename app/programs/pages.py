"""Page values for outside programs (the catalog's cards and the program's own page), built
from the models so templates read plain values."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app.i18n import number
from app.models.programs import OutsideProgram
from app.programs.service import credit_hours

SUMMARY_LENGTH = 220


@dataclass(frozen=True)
class CompetencyView:
    title: str
    framework_url: str


@dataclass(frozen=True)
class ProgramCard:
    id: int
    title: str
    url: str  # its page here
    provider: str
    provider_url: str  # the provider's own page (https)
    district: str
    district_id: int
    summary: str
    description: str
    estimated_hours: str  # "" when not given
    competencies: list[CompetencyView]
    credit: str  # "Counts for 10 hours of Pedagogy in Lakeside" or ""
    approval: str  # how the credit is approved, "" without a policy
    badge_class_urls: list[str]
    retired: bool = False


def hours_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}"  # 10.00 -> "10", 7.50 -> "7.5"


def plural_count(value: Decimal) -> int:
    """The whole number that picks a plural form for ``value`` hours (gettext's plural rules
    take whole numbers only): 1 for exactly one, else a number read as "other" (7.5 hours)."""
    return int(value) if value == value.to_integral_value() else 2


def _summary(text: str) -> str:
    text = " ".join((text or "").split())
    if len(text) <= SUMMARY_LENGTH:
        return text
    return text[: SUMMARY_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def card(program: OutsideProgram, *, badge_classes: bool = False) -> ProgramCard:
    """What the catalog and the program's page show (``badge_classes``: the page, whose query
    loaded them)."""
    hours = credit_hours(program)
    policy = program.policy
    credit = approval = ""
    if hours is not None and policy is not None:
        credit = ngettext(
            "Counts for %(count)s hour of %(category)s in %(district)s",
            "Counts for %(count)s hours of %(category)s in %(district)s",
            plural_count(hours),
            count=number(float(hours)),
            category=policy.category.name,
            district=program.district.name,
        )
        approval = (
            _("approved automatically once your badge verifies")
            if policy.auto_approve
            else _("a credit officer approves each request")
        )
    estimate = program.estimated_hours
    return ProgramCard(
        id=program.id,
        title=program.title,
        url=url_for("programs.show", program_id=program.id),
        provider=program.provider,
        provider_url=program.url if program.url.startswith("https://") else "",
        district=program.district.name,
        district_id=program.district_id,
        summary=_summary(program.description),
        description=program.description,
        estimated_hours=(
            ngettext(
                "About %(count)s hour",
                "About %(count)s hours",
                plural_count(estimate),
                count=number(float(estimate)),
            )
            if estimate is not None
            else ""
        ),
        competencies=[
            CompetencyView(c.title, url_for("learning.framework", framework_id=c.framework_id))
            for c in program.competencies
        ],
        credit=credit,
        approval=approval,
        badge_class_urls=program.badge_class_urls if badge_classes else [],
        retired=program.is_retired,
    )
