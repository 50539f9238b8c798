"""A credit officer's decision on a pending request: approve (hours other than the policy's
need a reason) or deny (always with a reason)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.credit.access import officer_district
from app.credit.cycles import current_cycle
from app.credit.ledger import grant, policy_room
from app.credit.policies import parse_hours, policy_hours
from app.db import db, utcnow
from app.errors import Conflict, InvalidInput
from app.links import public_url
from app.mail import send_mail
from app.models.accounts import User
from app.models.credit import CreditCategory, CreditRequest, RequestStatus
from app.models.orgs import District

# Why a request that is no longer pending takes no decision, by its status: a whole sentence
# each (the status word agrees with "solicitud" in Spanish).
ALREADY_DECIDED = {
    RequestStatus.APPROVED.value: _l("This request is already approved."),
    RequestStatus.DENIED.value: _l("This request is already denied."),
    RequestStatus.REVERSED.value: _l("This request is already reversed."),
}


def _already_decided(request: CreditRequest) -> Conflict:
    return Conflict(ALREADY_DECIDED.get(request.status) or _("This request is already decided."))


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
        raise _already_decided(request)
    policy = request.policy
    default = policy_hours(policy) if policy else None
    if request.requested_hours is not None:  # meetings: the sum of the meetings' hours
        default = request.requested_hours
        room = policy_room(request, current_cycle(request.user, request_district(request)).id)
        if room is not None and room <= 0:
            assert policy is not None
            raise Conflict(
                _(
                    "%(teacher)s has reached the cap of %(cap)s hours for %(policy)s this "
                    "renewal cycle: nothing is left to credit. Deny the request, saying so.",
                    teacher=request.user.name,
                    cap=policy.cap_hours,
                    policy=policy.label,
                )
            )
    granted = parse_hours(hours) if hours not in (None, "") else default
    if granted is None:
        raise InvalidInput(
            _("No policy covers this badge: say how many hours it earns."), {"hours": ["?"]}
        )
    category_id = category_id or (policy.category_id if policy else None)
    category = db.session.get(CreditCategory, category_id) if category_id else None
    if category is None or category.district_id != request.district_id:
        raise InvalidInput(
            _("Choose the category these hours count toward."), {"category_id": ["?"]}
        )
    reason = (reason or "").strip()
    if default is not None and granted != default and not reason:
        raise InvalidInput(
            _(
                "The policy gives %(hours)s hours; say why you grant %(granted)s.",
                hours=default,
                granted=granted,
            ),
            {"reason": ["?"]},
        )
    return grant(request, actor, granted, category.id, reason or _l("Approved."))


def request_district(request: CreditRequest) -> District:
    district = db.session.get(District, request.district_id)
    assert district is not None  # the request's foreign key
    return district


def deny(actor: User, request: CreditRequest, reason: str) -> CreditRequest:
    officer_district(actor, request.district_id)
    if request.status != RequestStatus.PENDING:
        raise _already_decided(request)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the request is denied."), {"reason": [_("Required.")]})
    request.status = RequestStatus.DENIED.value
    request.decision_reason = reason
    request.decided_at = utcnow()
    request.decided_by_id = actor.id
    teacher = db.session.get(User, request.user_id)
    assert teacher is not None
    send_mail(
        teacher.email,
        _l("Credit denied: %(badge)s", badge=request.badge_name),
        "credit_decided",
        approved=False,
        request=request,
        district=db.session.get(District, request.district_id),
        link=public_url("credit.index"),
    )
    db.session.flush()
    return request
