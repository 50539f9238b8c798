"""A credit officer's decision on a pending request: approve (hours other than the policy's
need a reason) or deny (always with a reason)."""

from __future__ import annotations

from typing import Any

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
    default = policy_hours(policy) if policy else None
    if request.requested_hours is not None:  # meetings: the sum of the meetings' hours
        default = request.requested_hours
        room = policy_room(request, current_cycle(request.user, request_district(request)).id)
        if room is not None and room <= 0:
            assert policy is not None
            raise Conflict(
                f"{request.user.name} has reached the cap of {policy.cap_hours} hours for "
                f"{policy.label} this renewal cycle: nothing is left to credit. Deny the "
                "request, saying so."
            )
    granted = parse_hours(hours) if hours not in (None, "") else default
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
    return grant(request, actor, granted, category.id, reason or "Approved.")


def request_district(request: CreditRequest) -> District:
    district = db.session.get(District, request.district_id)
    assert district is not None  # the request's foreign key
    return district


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
        _l("Credit denied: %(badge)s", badge=request.badge_name),
        "credit_decided",
        approved=False,
        request=request,
        district=db.session.get(District, request.district_id),
        link=public_url("credit.index"),
    )
    db.session.flush()
    return request
