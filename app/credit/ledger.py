"""The append-only ledger: every grant, adjustment and reversal is a new line with who, when,
why, which assertion and the verification result at the time; no line is ever changed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.credit.cycles import current_cycle
from app.db import db, utcnow
from app.i18n import chosen, current, speaking
from app.jobs import job
from app.links import public_url
from app.mail import send_mail
from app.models.accounts import User
from app.models.assertions import Assertion
from app.models.credit import CreditCategory, CreditRequest, LedgerEntry, RequestStatus
from app.models.orgs import District, Role, RoleGrant
from app.pagination import Page, PageArgs, paginate
from app.verify import service as verifier


def _granted_in_cycle(user_id: int, cycle_id: int, category_id: int | None) -> Decimal:
    total = db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.hours), 0)).where(
            LedgerEntry.user_id == user_id,
            LedgerEntry.cycle_id == cycle_id,
            LedgerEntry.category_id == category_id,
        )
    )
    return Decimal(str(total or 0))


def granted_under_policy(user_id: int, cycle_id: int, policy_id: int) -> Decimal:
    """The hours a policy has credited the teacher in the cycle (net of reversals)."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.hours), 0))
        .join(CreditRequest, CreditRequest.id == LedgerEntry.request_id)
        .where(
            LedgerEntry.user_id == user_id,
            LedgerEntry.cycle_id == cycle_id,
            CreditRequest.policy_id == policy_id,
        )
    )
    return Decimal(str(total or 0))


def policy_room(request: CreditRequest, cycle_id: int) -> Decimal | None:
    """What the request's policy may still credit its teacher this cycle (None: no cap)."""
    policy = request.policy
    if policy is None or policy.cap_hours is None:
        return None
    used = granted_under_policy(request.user_id, cycle_id, policy.id)
    return max(Decimal(0), policy.cap_hours - used)


# Reasons are written twice: the ledger's line in English (the record HR systems and the
# licensure office read, like the export's columns), and the request's decision in the
# teacher's language (her credit page and the mail she gets). ``reason`` is an officer's own
# words (kept as written) or the platform's, lazy (``_l``), put into words in each language.
LEDGER_LANGUAGE = "en"


def _teacher_language(teacher: User) -> str:
    """The language the teacher reads her decisions in: her saved choice, else the request's
    (as the mail she is sent)."""
    return chosen(teacher.locale) or current()


def _capped(reason: Any, caps: list[tuple[Decimal, Decimal, str, Decimal]]) -> str:
    """``reason`` and a sentence for each cap that cut the hours, in the language spoken."""
    notes = [
        _(
            "Capped at %(room)s of %(hours)s hours: %(what)s counts at most %(cap)s hours per "
            "cycle.",
            room=room,
            hours=asked,
            what=what,
            cap=cap,
        )
        for room, asked, what, cap in caps
    ]
    return " ".join(part for part in (str(reason), *notes) if part).strip()


def grant(
    request: CreditRequest,
    actor: User | None,
    hours: Decimal,
    category_id: int | None,
    reason: Any,
) -> CreditRequest:
    """Approve ``request`` for ``hours`` (cut to what the policy's and the category's caps
    leave this cycle), with a ledger line. ``reason``: an officer's words or a lazy string."""
    district = db.session.get(District, request.district_id)
    teacher = db.session.get(User, request.user_id)
    assert district is not None
    assert teacher is not None
    cycle = current_cycle(teacher, district)
    caps: list[tuple[Decimal, Decimal, str, Decimal]] = []  # (room, asked, what, cap)
    room = policy_room(request, cycle.id)
    if room is not None and hours > room:
        assert request.policy is not None  # policy_room found its cap
        assert request.policy.cap_hours is not None
        caps.append((room, hours, request.policy.label, request.policy.cap_hours))
        hours = room
    category = db.session.get(CreditCategory, category_id) if category_id else None
    if category is not None and category.cap_hours is not None:
        room = max(
            Decimal(0), category.cap_hours - _granted_in_cycle(teacher.id, cycle.id, category.id)
        )
        if hours > room:
            caps.append((room, hours, category.name, category.cap_hours))
            hours = room
    with speaking(LEDGER_LANGUAGE):
        recorded = _capped(reason, caps)
    with speaking(_teacher_language(teacher)):
        told = _capped(reason, caps)
    request.status = RequestStatus.APPROVED.value
    request.hours = hours
    request.category_id = category_id
    request.decision_reason = told
    request.decided_at = utcnow()
    request.decided_by_id = actor.id if actor else None
    _record(request, "grant", hours, actor, recorded, cycle.id)
    send_mail(
        teacher.email,
        _l("Credit approved: %(badge)s", badge=request.badge_name),
        "credit_decided",
        approved=True,
        request=request,
        district=district,
        link=public_url("credit.index"),
    )
    return request


def _record(
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
        verification_result=(
            "attendance recorded"
            if request.source == "meetings"
            else ("valid" if request.verification.get("valid") else "not checked")
        )
        if kind == "grant"
        else ("revoked" if kind == "reverse" else "valid"),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def reverse(request: CreditRequest, reason: Any, actor: User | None = None) -> LedgerEntry | None:
    """Take back the credit of an approved request (a negative line; the grant stays).
    ``reason``: plain words (kept as they are) or a lazy string, which the ledger records in
    English and the teacher and officers read in their own language."""
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
    teacher = db.session.get(User, request.user_id)
    district = db.session.get(District, request.district_id)
    assert teacher is not None
    assert district is not None
    with speaking(LEDGER_LANGUAGE):
        recorded = str(reason)
    with speaking(_teacher_language(teacher)):
        told = _("Reversed: %(reason)s", reason=str(reason))
    request.status = RequestStatus.REVERSED.value
    request.decision_reason = f"{request.decision_reason} {told}".strip()
    entry = _record(request, "reverse", -net, actor, recorded, first.cycle_id if first else None)
    officers = db.session.scalars(
        select(User.email)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.district_id == district.id, RoleGrant.role == Role.CREDIT_OFFICER)
    ).all()
    for address in [teacher.email, *officers]:
        send_mail(
            address,
            _l("Credit reversed: %(badge)s", badge=request.badge_name),
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
        reverse(
            request,
            _l("the issuer revoked the badge (%(why)s)", why=assertion.revocation_reason),
        )


@job("credit-recheck")
def recheck_external(limit: int = 500) -> int:
    """Verify approved credit for other issuers' badges again; reverse what was revoked."""
    approved = db.session.scalars(
        select(CreditRequest)
        .where(
            CreditRequest.status == RequestStatus.APPROVED.value,
            CreditRequest.assertion_uid.is_(None),
            CreditRequest.source != "meetings",  # attendance: no badge to verify again
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
