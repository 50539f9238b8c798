"""Recertification credit: districts' members, renewal cycles, policies, credit requests,
and the append-only ledger.

A request is verified before any officer sees it (valid, and issued to the teacher's
confirmed e-mail). One assertion is credited at most once per district however it is
presented: requests are unique by the verified assertion's id. Every grant, adjustment and
reversal is a new ledger line with who, when, why, which assertion and the verification
result at the time; nothing in the ledger is ever changed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload, selectinload

from app.db import db, utcnow
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.jobs import job
from app.links import public_url
from app.mail import send_mail
from app.models.accounts import User
from app.models.assertions import Assertion
from app.models.credentials import CredentialVersion
from app.models.credit import (
    CreditCategory,
    CreditPolicy,
    CreditRequest,
    DistrictDomain,
    DistrictMembership,
    LedgerEntry,
    MemberInvitation,
    RenewalCycle,
    RequestStatus,
)
from app.models.orgs import District, Role, RoleGrant, School
from app.pagination import Page, PageArgs, paginate
from app.security import has_role

CEU_HOURS = Decimal(10)
INVITATION_DAYS = 14
# Categories are few and every progress chart shows them all; new ones stop here.
MAX_CATEGORIES = 30


def _hours(value: Any) -> Decimal:
    try:
        hours = Decimal(str(value))
        if not hours.is_finite():  # NaN and Infinity are no number of hours
            raise ValueError(value)
        hours = hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (ArithmeticError, ValueError) as error:
        raise InvalidInput("Hours are a number, like 7.5.", {"hours": ["A number."]}) from error
    if hours < 0 or hours > 10_000:
        raise InvalidInput("Hours are between 0 and 10,000.", {"hours": ["Out of range."]})
    return hours


# Who is where -------------------------------------------------------------------------------


def is_officer(user: User, district_id: int) -> bool:
    return user.is_platform_admin or has_role(user, Role.CREDIT_OFFICER, district_id=district_id)


def officer_district(user: User, district_id: int) -> District:
    """A district the user is a credit officer of; any other is not found (not forbidden)."""
    district = db.session.get(District, district_id)
    if district is None or not is_officer(user, district.id):
        raise NotFound("There is no such district among yours.")
    return district


def membership(user: User, district_id: int) -> DistrictMembership | None:
    return db.session.scalar(
        select(DistrictMembership).where(
            DistrictMembership.user_id == user.id,
            DistrictMembership.district_id == district_id,
            DistrictMembership.left_at.is_(None),
        )
    )


def member_district(user: User, district_id: int) -> District:
    """The district, if ``user`` is a member; NotFound otherwise, as for a district that does
    not exist (another tenant's pages are never confirmed to exist)."""
    district = db.session.get(District, district_id)
    if district is None or membership(user, district_id) is None:
        raise NotFound("There is no such district among yours.")
    return district


@dataclass(frozen=True)
class DistrictRow:
    """A district the user belongs to or is a credit officer of, and which of the two."""

    district: District
    member: bool
    officer: bool


def my_districts(user: User, args: PageArgs) -> Page[DistrictRow]:
    """One page of the districts the user belongs to or is a credit officer of, by name: two
    statements (membership and the officer role come as columns)."""
    member = select(DistrictMembership.district_id).where(
        DistrictMembership.user_id == user.id, DistrictMembership.left_at.is_(None)
    )
    officer = select(RoleGrant.district_id).where(
        RoleGrant.user_id == user.id, RoleGrant.role == Role.CREDIT_OFFICER
    )
    is_member = District.id.in_(member)
    is_officer: Any = District.id.in_(officer)
    query = (
        select(
            District,
            is_member.label("member"),
            # A platform admin is an officer everywhere (is_officer), listed where they belong.
            (true() if user.is_platform_admin else is_officer).label("officer"),
        )
        .where(District.id.in_(member.union(officer)))
        .order_by(District.name, District.id)
    )
    page = paginate(query, args, scalars=False)
    rows = [DistrictRow(d, bool(m), bool(o)) for d, m, o in page.items]
    return Page(rows, page.page, page.per_page, page.total, page.prefix)


def add_member(user: User, district: District, via: str) -> DistrictMembership:
    """Make ``user`` a member (an invitation accepted, a domain matched) with a cycle."""
    existing = membership(user, district.id)
    if existing is not None:
        return existing
    row = DistrictMembership(district_id=district.id, user_id=user.id, via=via)
    db.session.add(row)
    db.session.flush()
    current_cycle(user, district)
    return row


def domain_districts(user: User, *, joinable: bool = False) -> list[District]:
    """Districts that claim the domain of the user's confirmed e-mail address (a domain is
    claimed once, so at most one); ``joinable``: only those the user is not a member of."""
    if not user.is_confirmed:
        return []
    domain = user.email.rsplit("@", 1)[-1].lower()
    query = (
        select(District)
        .join(DistrictDomain, DistrictDomain.district_id == District.id)
        .where(DistrictDomain.domain == domain)
        .order_by(District.name, District.id)
    )
    if joinable:
        query = query.where(
            ~District.id.in_(
                select(DistrictMembership.district_id).where(
                    DistrictMembership.user_id == user.id, DistrictMembership.left_at.is_(None)
                )
            )
        )
    return list(db.session.scalars(query))


def join_by_domain(user: User, district_id: int) -> DistrictMembership:
    district = next((d for d in domain_districts(user) if d.id == district_id), None)
    if district is None:
        raise Forbidden(
            "Your confirmed e-mail address is not at a domain this district claims; ask its "
            "credit officer for an invitation."
        )
    return add_member(user, district, "domain")


def claim_domain(actor: User, district: District, domain: str) -> DistrictDomain:
    """Platform admins record a domain a district has shown it owns."""
    if not actor.is_platform_admin:
        raise Forbidden("Only platform admins record a district's e-mail domains.")
    domain = domain.strip().lower().lstrip("@")
    if "." not in domain or " " in domain or len(domain) > 253:
        raise InvalidInput("Give a domain like lakeside.k12.example.us.", {"domain": ["A domain."]})
    row = DistrictDomain(district_id=district.id, domain=domain)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError as error:
        raise Conflict(f"{domain} is already claimed by a district.") from error
    return row


def invite_member(actor: User, district: District, email: str) -> MemberInvitation:
    officer_district(actor, district.id)
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidInput("Give the teacher's e-mail address.", {"email": ["An e-mail."]})
    token = secrets.token_urlsafe(32)
    invitation = MemberInvitation(
        district_id=district.id,
        email=email,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
    )
    db.session.add(invitation)
    db.session.flush()
    send_mail(
        email,
        f"Join {district.name} for recertification credit",
        "district_invitation",
        district=district,
        link=public_url("credit.accept", token=token),
        days=INVITATION_DAYS,
    )
    return invitation


def accept_invitation(user: User, token: str) -> DistrictMembership:
    invitation = db.session.scalar(
        select(MemberInvitation).where(
            MemberInvitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
        )
    )
    if invitation is None or invitation.expires_at < utcnow():
        raise NotFound("This invitation link is not valid or has expired; ask for a new one.")
    if invitation.email != user.email.lower() or not user.is_confirmed:
        raise Forbidden(
            f"This invitation is for {invitation.email}; sign in with that (confirmed) address."
        )
    invitation.accepted_at = invitation.accepted_at or utcnow()
    return add_member(user, invitation.district, "invitation")


# Categories, policies, cycles ---------------------------------------------------------------


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
        raise InvalidInput("Name the category (80 characters at most).", {"name": ["Required."]})
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
                f"A district has at most {MAX_CATEGORIES} categories: change an existing one."
            )
        row = CreditCategory(district_id=district.id, name=name)
        db.session.add(row)
    row.required_hours = _hours(required or 0)
    row.cap_hours = _hours(cap) if cap not in (None, "") else None
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
    from app.models.credentials import Credential
    from badges.objects import is_http_url

    officer_district(actor, district.id)
    category = db.session.get(CreditCategory, category_id)
    if category is None or category.district_id != district.id:
        raise InvalidInput("Choose one of this district's categories.", {"category_id": ["?"]})
    if unit not in ("hours", "ceu"):
        raise InvalidInput("The unit is hours or CEUs.", {"unit": ["hours or ceu"]})
    badge_class_url = (badge_class_url or "").strip() or None
    if (credential_id is None) == (badge_class_url is None):
        raise InvalidInput("Map one credential of ours, or one badge class URL of another issuer.")
    if credential_id is not None:
        credential = db.session.get(Credential, credential_id)
        if credential is None:
            raise InvalidInput("There is no such credential.", {"credential_id": ["Unknown."]})
        label = label or credential.latest_version.title
    elif not is_http_url(badge_class_url):
        raise InvalidInput(
            "A badge class is named by its https:// URL.", {"badge_class_url": ["URL"]}
        )
    amount = _hours(hours)
    if amount <= 0:
        raise InvalidInput("A policy credits more than 0 hours.", {"hours": ["More than 0."]})
    mapped = (
        CreditPolicy.credential_id == credential_id
        if credential_id is not None
        else CreditPolicy.badge_class_url == badge_class_url
    )
    taken = select(CreditPolicy.id).where(
        CreditPolicy.district_id == district.id, CreditPolicy.active.is_(True), mapped
    )
    if db.session.scalar(taken) is not None:
        raise Conflict("That badge already has an active policy here; change or retire it.")
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
        raise Conflict("That badge already has an active policy here.") from error
    return row


def _policy_hours(policy: CreditPolicy) -> Decimal:
    return policy.hours * CEU_HOURS if policy.unit == "ceu" else policy.hours


def current_cycle(user: User, district: District, today: date | None = None) -> RenewalCycle:
    """The teacher's open cycle in the district, opened now if they have none."""
    cycle = db.session.scalar(
        select(RenewalCycle).where(
            RenewalCycle.user_id == user.id,
            RenewalCycle.district_id == district.id,
            RenewalCycle.closed_at.is_(None),
        )
    )
    if cycle is not None:
        return cycle
    return _open_cycle(user.id, district, today or utcnow().date())


def _open_cycle(user_id: int, district: District, starts: date) -> RenewalCycle:
    try:
        ends = starts.replace(year=starts.year + district.cycle_years)
    except ValueError:  # 29 February
        ends = starts.replace(year=starts.year + district.cycle_years, day=28)
    cycle = RenewalCycle(
        district_id=district.id,
        user_id=user_id,
        starts_on=starts,
        ends_on=ends,
        required_hours=Decimal(district.cycle_hours),
        required_by_category={str(c.id): str(c.required_hours) for c in categories(district)},
    )
    db.session.add(cycle)
    db.session.flush()
    return cycle


def close_cycle(cycle: RenewalCycle, now: datetime | None = None) -> RenewalCycle:
    """Close ``cycle`` and open the next one, which starts where it ended; history stays."""
    now = now or utcnow()
    cycle.closed_at = now
    db.session.flush()
    district = db.session.get(District, cycle.district_id)
    assert district is not None
    return _open_cycle(cycle.user_id, district, cycle.ends_on)


def roll_cycles(today: date | None = None) -> int:
    """Close every open cycle that has ended and open its successor (cron-safe)."""
    today = today or utcnow().date()
    ended = db.session.scalars(
        select(RenewalCycle)
        .where(RenewalCycle.closed_at.is_(None), RenewalCycle.ends_on < today)
        .with_for_update(skip_locked=True)
    ).all()
    for cycle in ended:
        close_cycle(cycle)
    return len(ended)


# Requests -----------------------------------------------------------------------------------


def _verify(presented: str | bytes, user: User) -> Any:
    from app.verify import service as verifier

    report = verifier.check(presented, user.email)
    failed = [c for c in report.checks if c.status == "fail"]
    if failed:
        first = failed[0]
        if first.name == "recipient":
            raise InvalidInput(
                f"This badge was not issued to {user.email}, so it cannot be credited to you.",
                {"badge": ["Recipient mismatch."]},
            )
        raise InvalidInput(
            f"This badge did not verify: {first.message}.", {"badge": ["Not valid."]}
        )
    return report


def _policy_for(district: District, badge_class_url: str) -> CreditPolicy | None:
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


def request_credit(
    user: User,
    district_id: int,
    *,
    assertion_uid: str | None = None,
    url: str | None = None,
    jws: str | None = None,
    image: bytes | None = None,
) -> CreditRequest:
    """Ask for credit for a badge: one of ours (by uid), or any issuer's by URL, JWS or baked
    image. Verified first; a policy with auto-approval grants it at once."""
    from app.issuance import service as issuance
    from badges.bake import unbake
    from badges.errors import BadgeError

    district = db.session.get(District, district_id)
    if district is None or membership(user, district.id) is None:
        raise NotFound("You are not a member of that district.")
    if not user.is_confirmed:
        raise Forbidden("Confirm your e-mail address first: credit goes to a confirmed recipient.")
    given = [v for v in (assertion_uid, url, jws, image) if v]
    if len(given) != 1:
        raise InvalidInput("Give one badge: yours from this site, a URL, a JWS or an image.")
    if assertion_uid:
        source, presented = "ours", issuance.get_own(user, assertion_uid).jws or ""
    elif url:
        source, presented = "url", url.strip()
    elif jws:
        source, presented = "jws", jws.strip()
    else:
        try:
            presented = unbake(image or b"")
        except BadgeError as error:
            raise InvalidInput(f"That image does not carry a badge: {error.message}.") from error
        source = "image"
    report = _verify(presented, user)
    assertion, badge_class = report.assertion or {}, report.badge_class or {}
    key = str(assertion.get("id", ""))
    existing = db.session.scalar(
        select(CreditRequest).where(
            CreditRequest.district_id == district.id, CreditRequest.assertion_key == key
        )
    )
    if existing is not None:
        raise Conflict(
            f"This badge was already presented to {district.name} on "
            f"{existing.created_at:%d %B %Y} ({existing.status}); it is credited once."
        )
    ours = (
        db.session.scalar(select(Assertion).where(Assertion.uid == key.rsplit("/", 1)[-1]))
        if key.startswith(public_url("ob.assertion", uid="x").removesuffix("x"))
        else None
    )
    policy = _policy_for(district, str(badge_class.get("id", "")))
    issuer = report.issuer or {}
    request = CreditRequest(
        district_id=district.id,
        user_id=user.id,
        assertion_key=key,
        assertion_uid=ours.uid if ours else None,
        source=source,
        presented=presented if isinstance(presented, str) else "",
        badge_name=str(badge_class.get("name", ""))[:300],
        issuer_name=str(issuer.get("name", ""))[:300],
        badge_class_url=str(badge_class.get("id", ""))[:2000],
        issued_on=_when(assertion.get("issuedOn")),
        expires=_when(assertion.get("expires")),
        policy_id=policy.id if policy else None,
        category_id=policy.category_id if policy else None,
        verification={"valid": True, "checked_at": utcnow().isoformat(), **report.to_dict()},
    )
    try:
        with db.session.begin_nested():
            db.session.add(request)
    except IntegrityError as error:  # presented twice at the same moment
        raise Conflict("This badge was already presented to this district.") from error
    if policy is not None and policy.auto_approve:
        _grant(request, None, _policy_hours(policy), policy.category_id, "Approved by policy.")
    else:
        _tell_officers(district, request)
    return request


def _when(value: Any) -> datetime | None:
    from badges.errors import BadgeError
    from badges.objects import parse_datetime

    if not value:
        return None
    try:
        return parse_datetime(value, "date")
    except BadgeError:
        return None


def _tell_officers(district: District, request: CreditRequest) -> None:
    officers = db.session.scalars(
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.district_id == district.id, RoleGrant.role == Role.CREDIT_OFFICER)
    ).all()
    for officer in officers:
        send_mail(
            officer.email,
            f"A credit request is waiting: {request.badge_name}",
            "credit_pending",
            district=district,
            request=request,
            link=public_url("credit.officer", district_id=district.id),
        )


def own_request(user: User, request_id: int) -> CreditRequest:
    request = db.session.get(CreditRequest, request_id)
    if request is None or request.user_id != user.id:
        raise NotFound("There is no such credit request.")
    return request


def district_request(actor: User, request_id: int) -> CreditRequest:
    request = db.session.get(CreditRequest, request_id)
    if request is None or not is_officer(actor, request.district_id):
        raise NotFound("There is no such credit request among your districts.")
    return request


def granted_in_cycle(user_id: int, cycle_id: int, category_id: int | None) -> Decimal:
    total = db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.hours), 0)).where(
            LedgerEntry.user_id == user_id,
            LedgerEntry.cycle_id == cycle_id,
            LedgerEntry.category_id == category_id,
        )
    )
    return Decimal(str(total or 0))


def _grant(
    request: CreditRequest,
    actor: User | None,
    hours: Decimal,
    category_id: int | None,
    reason: str,
) -> CreditRequest:
    district = db.session.get(District, request.district_id)
    teacher = db.session.get(User, request.user_id)
    assert district is not None
    assert teacher is not None
    cycle = current_cycle(teacher, district)
    category = db.session.get(CreditCategory, category_id) if category_id else None
    if category is not None and category.cap_hours is not None:
        room = max(
            Decimal(0), category.cap_hours - granted_in_cycle(teacher.id, cycle.id, category.id)
        )
        if hours > room:
            reason = (
                f"{reason} Capped at {room} of {hours} hours: {category.name} counts at most "
                f"{category.cap_hours} hours per cycle."
            ).strip()
            hours = room
    request.status = RequestStatus.APPROVED.value
    request.hours = hours
    request.category_id = category_id
    request.decision_reason = reason
    request.decided_at = utcnow()
    request.decided_by_id = actor.id if actor else None
    _ledger(request, "grant", hours, actor, reason, cycle.id)
    send_mail(
        teacher.email,
        f"Credit approved: {request.badge_name}",
        "credit_decided",
        approved=True,
        request=request,
        district=district,
        link=public_url("credit.index"),
    )
    return request


def _ledger(
    request: CreditRequest,
    kind: str,
    hours: Decimal,
    actor: User | None,
    reason: str,
    cycle_id: int | None,
) -> LedgerEntry:
    entry = LedgerEntry(
        district_id=request.district_id,
        user_id=request.user_id,
        cycle_id=cycle_id,
        request_id=request.id,
        kind=kind,
        hours=hours,
        category_id=request.category_id,
        actor_id=actor.id if actor else None,
        reason=reason,
        assertion_url=request.assertion_key,
        badge_name=request.badge_name,
        issued_on=request.issued_on,
        expires=request.expires,
        verification_result=("valid" if request.verification.get("valid") else "not checked")
        if kind == "grant"
        else ("revoked" if kind == "reverse" else "valid"),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def approve(
    actor: User,
    request: CreditRequest,
    *,
    hours: Any = None,
    category_id: int | None = None,
    reason: str = "",
) -> CreditRequest:
    """Approve a pending request; hours different from the policy's need a reason."""
    officer_district(actor, request.district_id)
    if request.status != RequestStatus.PENDING:
        raise Conflict(f"This request is already {request.status}.")
    policy = request.policy
    default = _policy_hours(policy) if policy else None
    granted = _hours(hours) if hours not in (None, "") else default
    if granted is None:
        raise InvalidInput(
            "No policy covers this badge: say how many hours it earns.", {"hours": ["?"]}
        )
    category_id = category_id or (policy.category_id if policy else None)
    category = db.session.get(CreditCategory, category_id) if category_id else None
    if category is None or category.district_id != request.district_id:
        raise InvalidInput("Choose the category these hours count toward.", {"category_id": ["?"]})
    reason = (reason or "").strip()
    if default is not None and granted != default and not reason:
        raise InvalidInput(
            f"The policy gives {default} hours; say why you grant {granted}.", {"reason": ["?"]}
        )
    return _grant(request, actor, granted, category.id, reason or "Approved.")


def deny(actor: User, request: CreditRequest, reason: str) -> CreditRequest:
    officer_district(actor, request.district_id)
    if request.status != RequestStatus.PENDING:
        raise Conflict(f"This request is already {request.status}.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why the request is denied.", {"reason": ["Required."]})
    request.status = RequestStatus.DENIED.value
    request.decision_reason = reason
    request.decided_at = utcnow()
    request.decided_by_id = actor.id
    teacher = db.session.get(User, request.user_id)
    assert teacher is not None
    send_mail(
        teacher.email,
        f"Credit denied: {request.badge_name}",
        "credit_decided",
        approved=False,
        request=request,
        district=db.session.get(District, request.district_id),
        link=public_url("credit.index"),
    )
    db.session.flush()
    return request


def reverse(request: CreditRequest, reason: str, actor: User | None = None) -> LedgerEntry | None:
    """Take back the credit of an approved request (a negative line; the grant stays)."""
    if request.status != RequestStatus.APPROVED:
        return None
    net = Decimal(
        str(
            db.session.scalar(
                select(func.coalesce(func.sum(LedgerEntry.hours), 0)).where(
                    LedgerEntry.request_id == request.id
                )
            )
            or 0
        )
    )
    first = db.session.scalar(
        select(LedgerEntry).where(LedgerEntry.request_id == request.id).order_by(LedgerEntry.id)
    )
    request.status = RequestStatus.REVERSED.value
    request.decision_reason = f"{request.decision_reason} Reversed: {reason}".strip()
    entry = _ledger(request, "reverse", -net, actor, reason, first.cycle_id if first else None)
    teacher = db.session.get(User, request.user_id)
    district = db.session.get(District, request.district_id)
    assert teacher is not None
    assert district is not None
    officers = db.session.scalars(
        select(User.email)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.district_id == district.id, RoleGrant.role == Role.CREDIT_OFFICER)
    ).all()
    for address in [teacher.email, *officers]:
        send_mail(
            address,
            f"Credit reversed: {request.badge_name}",
            "credit_reversed",
            request=request,
            district=district,
            reason=reason,
            hours=net,
        )
    return entry


def on_assertion_revoked(assertion: Assertion) -> None:
    """``assertion_revoked`` handler: credit granted for it anywhere is reversed."""
    credited = db.session.scalars(
        select(CreditRequest).where(
            CreditRequest.assertion_uid == assertion.uid,
            CreditRequest.status == RequestStatus.APPROVED.value,
        )
    ).all()
    for request in credited:
        reverse(request, f"the issuer revoked the badge ({assertion.revocation_reason})")


@job("credit-recheck")
def recheck_external(limit: int = 500) -> int:
    """Verify approved credit for other issuers' badges again; reverse what was revoked."""
    from app.verify import service as verifier

    approved = db.session.scalars(
        select(CreditRequest)
        .where(
            CreditRequest.status == RequestStatus.APPROVED.value,
            CreditRequest.assertion_uid.is_(None),
        )
        .order_by(CreditRequest.id)
        .limit(limit)
    ).all()
    reversed_count = 0
    for request in approved:
        report = verifier.check(request.presented or request.assertion_key)
        revoked = next(
            (c for c in report.checks if c.name == "revocation" and c.status == "fail"), None
        )
        if revoked is not None:
            reverse(request, revoked.message)
            reversed_count += 1
    return reversed_count


# Progress, ledger, export ------------------------------------------------------------------


@dataclass
class CategoryProgress:
    id: int | None
    name: str
    earned: Decimal
    required: Decimal
    cap: Decimal | None

    @property
    def percent(self) -> int:
        if not self.required:
            return 100 if self.earned else 0
        return min(100, int(self.earned * 100 / self.required))


@dataclass
class Progress:
    cycle: RenewalCycle
    earned: Decimal
    required: Decimal
    categories: list[CategoryProgress] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return min(100, int(self.earned * 100 / self.required)) if self.required else 100


def progress(user: User, district: District) -> Progress:
    cycle = current_cycle(user, district)
    sums = dict(
        db.session.execute(
            select(LedgerEntry.category_id, func.sum(LedgerEntry.hours))
            .where(LedgerEntry.cycle_id == cycle.id)
            .group_by(LedgerEntry.category_id)
        ).all()
    )
    return _progress(cycle, categories(district), sums)


def _progress(cycle: RenewalCycle, cats: list[CreditCategory], sums: dict[Any, Any]) -> Progress:
    rows = [
        CategoryProgress(
            c.id,
            c.name,
            Decimal(str(sums.get(c.id) or 0)),
            Decimal(str(cycle.required_by_category.get(str(c.id), c.required_hours))),
            c.cap_hours,
        )
        for c in cats
    ]
    other = Decimal(str(sums.get(None) or 0))
    if other:
        rows.append(CategoryProgress(None, "Uncategorised", other, Decimal(0), None))
    earned = sum((r.earned for r in rows), Decimal(0))
    return Progress(cycle, earned, cycle.required_hours, rows)


def open_first_cycles(user: User, districts: list[District]) -> int:
    """Open a cycle in each of ``districts`` where the user is a member without an open one
    (their first look after joining); how many were opened. One statement when none is."""
    ids = [d.id for d in districts]
    if not ids:
        return 0
    missing = set(
        db.session.scalars(
            select(DistrictMembership.district_id).where(
                DistrictMembership.user_id == user.id,
                DistrictMembership.district_id.in_(ids),
                DistrictMembership.left_at.is_(None),
                ~select(RenewalCycle.id)
                .where(
                    RenewalCycle.user_id == user.id,
                    RenewalCycle.district_id == DistrictMembership.district_id,
                    RenewalCycle.closed_at.is_(None),
                )
                .exists(),
            )
        )
    )
    today = utcnow().date()
    for district in districts:
        if district.id in missing:
            _open_cycle(user.id, district, today)
    return len(missing)


def progress_in(user: User, districts: list[District]) -> dict[int, Progress]:
    """:func:`progress` in each of ``districts`` the user is a member of (by district id):
    three statements for them all (open cycles, hours per cycle and category, categories),
    plus the opening of a first cycle where a member has none yet."""
    ids = [d.id for d in districts]
    if not ids:
        return {}
    members = set(
        db.session.scalars(
            select(DistrictMembership.district_id).where(
                DistrictMembership.user_id == user.id,
                DistrictMembership.district_id.in_(ids),
                DistrictMembership.left_at.is_(None),
            )
        )
    )
    cycles = {
        c.district_id: c
        for c in db.session.scalars(
            select(RenewalCycle).where(
                RenewalCycle.user_id == user.id,
                RenewalCycle.district_id.in_(members),
                RenewalCycle.closed_at.is_(None),
            )
        )
    }
    today = utcnow().date()
    for district in districts:  # opened on first look, as current_cycle does
        if district.id in members and district.id not in cycles:
            cycles[district.id] = _open_cycle(user.id, district, today)
    sums: dict[Any, dict[Any, Any]] = defaultdict(dict)
    for cycle_id, category_id, total in db.session.execute(
        select(LedgerEntry.cycle_id, LedgerEntry.category_id, func.sum(LedgerEntry.hours))
        .where(LedgerEntry.cycle_id.in_([c.id for c in cycles.values()]))
        .group_by(LedgerEntry.cycle_id, LedgerEntry.category_id)
    ):
        sums[cycle_id][category_id] = total
    cats: dict[int, list[CreditCategory]] = defaultdict(list)
    for category in db.session.scalars(
        select(CreditCategory)
        .where(CreditCategory.district_id.in_(list(cycles)))
        .order_by(CreditCategory.name, CreditCategory.id)
    ):
        cats[category.district_id].append(category)
    return {
        district_id: _progress(cycle, cats[district_id], sums[cycle.id])
        for district_id, cycle in cycles.items()
    }


def requests_of(user: User, args: PageArgs, district_id: int | None = None) -> Page[CreditRequest]:
    """One page of the user's credit requests, newest first, each with its category."""
    query = (
        select(CreditRequest)
        .where(CreditRequest.user_id == user.id)
        .options(joinedload(CreditRequest.category))
    )
    if district_id is not None:
        query = query.where(CreditRequest.district_id == district_id)
    return paginate(query.order_by(CreditRequest.created_at.desc(), CreditRequest.id.desc()), args)


def presented(user: User, assertion_uids: list[str]) -> set[tuple[int, str]]:
    """Which of these badges of ours the user has already presented, and to which district."""
    if not assertion_uids:
        return set()
    rows = db.session.execute(
        select(CreditRequest.district_id, CreditRequest.assertion_uid).where(
            CreditRequest.user_id == user.id, CreditRequest.assertion_uid.in_(assertion_uids)
        )
    )
    return {(district_id, uid) for district_id, uid in rows if uid is not None}


def transcript(user: User, district: District, args: PageArgs) -> Page[LedgerEntry]:
    """One page of the teacher's ledger lines in the district, in the order recorded, each
    with its category."""
    return paginate(
        select(LedgerEntry)
        .where(LedgerEntry.user_id == user.id, LedgerEntry.district_id == district.id)
        .options(joinedload(LedgerEntry.category))
        .order_by(LedgerEntry.id),
        args,
    )


@dataclass
class TeacherRow:
    user_id: int
    name: str
    email: str
    school: str
    progress: Progress


def overview(
    actor: User,
    district: District,
    args: PageArgs,
    school_id: int | None = None,
    cats: list[CreditCategory] | None = None,
) -> Page[TeacherRow]:
    """One page of the members' progress this cycle, by name (members with an open cycle;
    ``school_id`` filters): four statements whatever the number of teachers (the page and its
    total, the hours per cycle and category of the page's cycles, the district's categories
    unless the caller has them as ``cats``)."""
    officer_district(actor, district.id)
    people = (
        select(User.id, User.name, User.email, School.name, RenewalCycle)
        .join(
            DistrictMembership,
            (DistrictMembership.user_id == User.id)
            & (DistrictMembership.district_id == district.id)
            & DistrictMembership.left_at.is_(None),
        )
        .join(
            RenewalCycle,
            (RenewalCycle.user_id == User.id)
            & (RenewalCycle.district_id == district.id)
            & RenewalCycle.closed_at.is_(None),
        )
        .outerjoin(School, School.id == User.school_id)
        .order_by(User.name, User.id)
    )
    if school_id is not None:
        people = people.where(User.school_id == school_id)
    page = paginate(people, args, scalars=False)
    sums: dict[Any, dict[Any, Any]] = defaultdict(dict)
    cycle_ids = [row[4].id for row in page.items]
    if cycle_ids:
        for cycle_id, category_id, total in db.session.execute(
            select(LedgerEntry.cycle_id, LedgerEntry.category_id, func.sum(LedgerEntry.hours))
            .where(LedgerEntry.cycle_id.in_(cycle_ids))
            .group_by(LedgerEntry.cycle_id, LedgerEntry.category_id)
        ):
            sums[cycle_id][category_id] = total
    cats = categories(district) if cats is None else cats
    rows = [
        TeacherRow(user_id, name, email, school or "—", _progress(cycle, cats, sums[cycle.id]))
        for user_id, name, email, school, cycle in page.items
    ]
    return Page(rows, page.page, page.per_page, page.total, page.prefix)


def pending(actor: User, district: District, args: PageArgs) -> Page[CreditRequest]:
    """One page of the requests waiting for an officer, oldest first, each with its teacher
    and its policy's category."""
    officer_district(actor, district.id)
    return paginate(
        select(CreditRequest)
        .options(
            selectinload(CreditRequest.user),
            selectinload(CreditRequest.policy).selectinload(CreditPolicy.category),
        )
        .where(
            CreditRequest.district_id == district.id,
            CreditRequest.status == RequestStatus.PENDING.value,
        )
        .order_by(CreditRequest.created_at, CreditRequest.id),
        args,
    )


LEDGER_COLUMNS = (
    "entry_id",
    "recorded_at",
    "teacher",
    "email",
    "school",
    "kind",
    "hours",
    "category",
    "badge",
    "assertion_url",
    "badge_issued_on",
    "badge_expires",
    "verification",
    "reason",
    "recorded_by",
)


def ledger_rows(
    actor: User,
    district: District,
    *,
    since: datetime | None = None,
    after_id: int = 0,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    return list(iter_ledger_rows(actor, district, since=since, after_id=after_id, limit=limit))


def iter_ledger_rows(
    actor: User,
    district: District,
    *,
    since: datetime | None = None,
    after_id: int = 0,
    limit: int | None = None,
) -> Any:
    """Ledger lines as plain rows (for CSV and the HR API), in order, with the assertion URL
    of each so the licensure office can verify it again. Columns only (no objects), read in
    batches."""
    officer_district(actor, district.id)
    recorder = aliased(User)
    query = (
        select(
            LedgerEntry.id,
            LedgerEntry.at,
            User.name,
            User.email,
            School.name,
            LedgerEntry.kind,
            LedgerEntry.hours,
            CreditCategory.name,
            LedgerEntry.badge_name,
            LedgerEntry.assertion_url,
            LedgerEntry.issued_on,
            LedgerEntry.expires,
            LedgerEntry.verification_result,
            LedgerEntry.reason,
            recorder.email,
        )
        .join(User, User.id == LedgerEntry.user_id)
        .outerjoin(School, School.id == User.school_id)
        .outerjoin(CreditCategory, CreditCategory.id == LedgerEntry.category_id)
        .outerjoin(recorder, recorder.id == LedgerEntry.actor_id)
        .where(LedgerEntry.district_id == district.id, LedgerEntry.id > after_id)
        .order_by(LedgerEntry.id)
        .execution_options(yield_per=1000)
    )
    if since is not None:
        query = query.where(LedgerEntry.at >= since)
    if limit is not None:
        query = query.limit(limit)
    for row in db.session.execute(query):
        (entry_id, at, name, email, school, kind, hours, category, badge, url, issued, expires,
         verification, reason, by) = row  # fmt: skip
        yield {
            "entry_id": entry_id,
            "recorded_at": at.isoformat(),
            "teacher": name,
            "email": email,
            "school": school or "",
            "kind": kind,
            "hours": str(hours),
            "category": category or "",
            "badge": badge,
            "assertion_url": url,
            "badge_issued_on": issued.isoformat() if issued else "",
            "badge_expires": expires.isoformat() if expires else "",
            "verification": verification,
            "reason": reason,
            "recorded_by": by or "policy",
        }
