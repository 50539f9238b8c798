"""What a badge is worth in a district: its credit categories and the policies that map a
badge (ours by credential, another issuer's by BadgeClass URL) to hours in a category."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.credit.access import officer_district
from app.db import db
from app.errors import Conflict, InvalidInput
from app.links import public_url
from app.models.accounts import User
from app.models.credentials import Credential, CredentialVersion
from app.models.credit import CreditCategory, CreditPolicy, PolicyKind
from app.models.orgs import District
from app.pagination import Page, PageArgs, paginate
from badges.objects import is_http_url

CEU_HOURS = Decimal(10)
# Categories are few and every progress chart shows them all; new ones stop here.
MAX_CATEGORIES = 30


def parse_hours(value: Any) -> Decimal:
    try:
        hours = Decimal(str(value))
        if not hours.is_finite():  # NaN and Infinity are no number of hours
            raise ValueError(value)
        hours = hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (ArithmeticError, ValueError) as error:
        raise InvalidInput(
            _("Hours are a number, like 7.5."), {"hours": [_("A number.")]}
        ) from error
    if hours < 0 or hours > 10_000:
        raise InvalidInput(_("Hours are between 0 and 10,000."), {"hours": [_("Out of range.")]})
    return hours


def categories(district: District) -> list[CreditCategory]:
    """The district's categories by name: a short list (at most MAX_CATEGORIES), shown and
    used whole."""
    return list(
        db.session.scalars(
            select(CreditCategory)
            .where(CreditCategory.district_id == district.id)
            .order_by(CreditCategory.name, CreditCategory.id)
        )
    )


def set_category(
    actor: User, district: District, name: str, required: Any, cap: Any = None
) -> CreditCategory:
    officer_district(actor, district.id)
    name = name.strip()
    if not name or len(name) > 80:
        raise InvalidInput(
            _("Name the category (80 characters at most)."), {"name": [_("Required.")]}
        )
    row = db.session.scalar(
        select(CreditCategory).where(
            CreditCategory.district_id == district.id, CreditCategory.name == name
        )
    )
    if row is None:
        count = db.session.scalar(
            select(func.count(CreditCategory.id)).where(CreditCategory.district_id == district.id)
        )
        if (count or 0) >= MAX_CATEGORIES:
            raise Conflict(
                _(
                    "A district has at most %(most)s categories: change an existing one.",
                    most=MAX_CATEGORIES,
                )
            )
        row = CreditCategory(district_id=district.id, name=name)
        db.session.add(row)
    row.required_hours = parse_hours(required or 0)
    row.cap_hours = parse_hours(cap) if cap not in (None, "") else None
    db.session.flush()
    return row


def policies(district: District, args: PageArgs) -> Page[CreditPolicy]:
    """One page of the district's active policies, oldest first, each with its category."""
    return paginate(
        select(CreditPolicy)
        .where(CreditPolicy.district_id == district.id, CreditPolicy.active.is_(True))
        .options(joinedload(CreditPolicy.category))
        .order_by(CreditPolicy.id),
        args,
    )


def create_policy(
    actor: User,
    district: District,
    *,
    hours: Any,
    category_id: int,
    credential_id: int | None = None,
    badge_class_url: str | None = None,
    unit: str = "hours",
    auto_approve: bool = False,
    label: str = "",
) -> CreditPolicy:
    officer_district(actor, district.id)
    category = db.session.get(CreditCategory, category_id)
    if category is None or category.district_id != district.id:
        raise InvalidInput(_("Choose one of this district's categories."), {"category_id": ["?"]})
    if unit not in ("hours", "ceu"):
        raise InvalidInput(_("The unit is hours or CEUs."), {"unit": ["hours or ceu"]})
    badge_class_url = (badge_class_url or "").strip() or None
    if (credential_id is None) == (badge_class_url is None):
        raise InvalidInput(
            _("Map one credential of ours, or one badge class URL of another issuer.")
        )
    if credential_id is not None:
        credential = db.session.get(Credential, credential_id)
        if credential is None:
            raise InvalidInput(
                _("There is no such credential."), {"credential_id": [_("Unknown.")]}
            )
        label = label or credential.latest_version.title
    elif not is_http_url(badge_class_url):
        raise InvalidInput(
            _("A badge class is named by its https:// URL."), {"badge_class_url": ["URL"]}
        )
    amount = parse_hours(hours)
    if amount <= 0:
        raise InvalidInput(_("A policy credits more than 0 hours."), {"hours": [_("More than 0.")]})
    mapped = (
        CreditPolicy.credential_id == credential_id
        if credential_id is not None
        else CreditPolicy.badge_class_url == badge_class_url
    )
    taken = select(CreditPolicy.id).where(
        CreditPolicy.district_id == district.id, CreditPolicy.active.is_(True), mapped
    )
    if db.session.scalar(taken) is not None:
        raise Conflict(_("That badge already has an active policy here; change or retire it."))
    row = CreditPolicy(
        district_id=district.id,
        credential_id=credential_id,
        badge_class_url=badge_class_url,
        label=(label or badge_class_url or "")[:200],
        hours=amount,
        unit=unit,
        category_id=category.id,
        auto_approve=auto_approve,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError as error:  # saved by another officer a moment ago
        raise Conflict(_("That badge already has an active policy here.")) from error
    return row


def meeting_policy(district_id: int) -> CreditPolicy | None:
    """The district's active policy for meetings of professional learning communities."""
    found: CreditPolicy | None = db.session.scalar(
        select(CreditPolicy)
        .where(
            CreditPolicy.district_id == district_id,
            CreditPolicy.kind == PolicyKind.PLC_MEETINGS.value,
            CreditPolicy.active.is_(True),
        )
        .options(joinedload(CreditPolicy.category))
    )
    return found


def create_meeting_policy(
    actor: User,
    district: District,
    *,
    hours: Any,
    category_id: int,
    hours_from_duration: bool = False,
    facilitation_hours: Any = None,
    cap_hours: Any = None,
    auto_approve: bool = False,
    label: str = "",
) -> CreditPolicy:
    """The district's policy for PLC meetings: ``hours`` per meeting attended (or, with
    ``hours_from_duration``, each meeting's duration), ``facilitation_hours`` more per
    meeting facilitated (optional), at most ``cap_hours`` per renewal cycle (optional; the
    category's own cap applies too). One active such policy per district; its requests go
    to the officers like any other unless ``auto_approve``."""
    officer_district(actor, district.id)
    category = db.session.get(CreditCategory, category_id)
    if category is None or category.district_id != district.id:
        raise InvalidInput(_("Choose one of this district's categories."), {"category_id": ["?"]})
    amount = parse_hours(hours or 0)
    if amount <= 0 and not hours_from_duration:
        raise InvalidInput(
            _("Give the hours per meeting attended, or count each meeting's duration."),
            {"hours": [_("More than 0.")]},
        )
    facilitation = parse_hours(facilitation_hours) if facilitation_hours not in (None, "") else None
    if facilitation is not None and facilitation <= 0:
        facilitation = None
    cap = parse_hours(cap_hours) if cap_hours not in (None, "") else None
    if cap is not None and cap <= 0:
        raise InvalidInput(
            _("A cap is more than 0 hours (leave it empty for none)."), {"cap_hours": ["> 0"]}
        )
    if meeting_policy(district.id) is not None:
        raise Conflict(_("PLC meetings already have an active policy here; retire it first."))
    row = CreditPolicy(
        district_id=district.id,
        kind=PolicyKind.PLC_MEETINGS.value,
        label=(label.strip() or "PLC meetings")[:200],
        hours=amount,
        unit="hours",
        hours_from_duration=hours_from_duration,
        facilitation_hours=facilitation,
        cap_hours=cap,
        category_id=category.id,
        auto_approve=auto_approve,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError as error:  # saved by another officer a moment ago
        raise Conflict(_("PLC meetings already have an active policy here.")) from error
    return row


def policy_hours(policy: CreditPolicy) -> Decimal:
    return policy.hours * CEU_HOURS if policy.unit == "ceu" else policy.hours


def policy_for(district: District, badge_class_url: str) -> CreditPolicy | None:
    """Ours: by credential (any version's badge class); another issuer's: by BadgeClass id."""
    prefix = public_url("ob.badge_class", version_id=0).removesuffix("0")
    if badge_class_url.startswith(prefix) and badge_class_url[len(prefix) :].isdigit():
        version = db.session.get(CredentialVersion, int(badge_class_url[len(prefix) :]))
        if version is not None:
            return db.session.scalar(
                select(CreditPolicy).where(
                    CreditPolicy.district_id == district.id,
                    CreditPolicy.credential_id == version.credential_id,
                    CreditPolicy.active.is_(True),
                )
            )
    return db.session.scalar(
        select(CreditPolicy).where(
            CreditPolicy.district_id == district.id,
            CreditPolicy.badge_class_url == badge_class_url,
            CreditPolicy.active.is_(True),
        )
    )
