"""Credit requests: a teacher presents a badge (ours by uid, any issuer's by URL, JWS or
baked image); it is verified before any officer sees it, and credited once per district."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app.credit.access import is_officer, membership, officer_district
from app.credit.cycles import current_cycle
from app.credit.ledger import grant, granted_under_policy
from app.credit.policies import policy_for, policy_hours
from app.db import db, utcnow
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.i18n import day
from app.issuance import service as issuance
from app.links import public_url
from app.mail import send_mail
from app.models.accounts import User
from app.models.assertions import Assertion
from app.models.credit import CreditPolicy, CreditRequest, RequestStatus
from app.models.orgs import District, Role, RoleGrant
from app.pagination import Page, PageArgs, paginate
from app.verify import service as verifier
from badges.bake import unbake
from badges.errors import BadgeError
from badges.objects import parse_datetime


def _presented_before(existing: CreditRequest, district: District) -> str:
    """Why a badge is not taken twice, with what became of its first request: a whole
    sentence per status (the status word agrees with its noun in Spanish)."""
    values = {"district": district.name, "day": day(existing.created_at, "long")}
    if existing.status == RequestStatus.APPROVED:
        message = _(
            "This badge was already presented to %(district)s on %(day)s (approved); it is "
            "credited once.",
            **values,
        )
    elif existing.status == RequestStatus.DENIED:
        message = _(
            "This badge was already presented to %(district)s on %(day)s (denied); it is "
            "credited once.",
            **values,
        )
    elif existing.status == RequestStatus.REVERSED:
        message = _(
            "This badge was already presented to %(district)s on %(day)s (reversed); it is "
            "credited once.",
            **values,
        )
    else:
        message = _(
            "This badge was already presented to %(district)s on %(day)s (pending); it is "
            "credited once.",
            **values,
        )
    return str(message)


def _verify(presented: str | bytes, user: User) -> Any:
    report = verifier.check(presented, user.email)
    failed = [c for c in report.checks if c.status == "fail"]
    if failed:
        first = failed[0]
        if first.name == "recipient":
            raise InvalidInput(
                _(
                    "This badge was not issued to %(email)s, so it cannot be credited to you.",
                    email=user.email,
                ),
                {"badge": [_("Recipient mismatch.")]},
            )
        raise InvalidInput(
            _("This badge did not verify: %(problem)s.", problem=first.message),
            {"badge": [_("Not valid.")]},
        )
    return report


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
    district = db.session.get(District, district_id)
    if district is None or membership(user, district.id) is None:
        raise NotFound(_("You are not a member of that district."))
    if not user.is_confirmed:
        raise Forbidden(
            _("Confirm your e-mail address first: credit goes to a confirmed recipient.")
        )
    given = [v for v in (assertion_uid, url, jws, image) if v]
    if len(given) != 1:
        raise InvalidInput(_("Give one badge: yours from this site, a URL, a JWS or an image."))
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
            raise InvalidInput(
                _("That image does not carry a badge: %(problem)s.", problem=error.message)
            ) from error
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
        raise Conflict(_presented_before(existing, district))
    ours = (
        db.session.scalar(select(Assertion).where(Assertion.uid == key.rsplit("/", 1)[-1]))
        if key.startswith(public_url("ob.assertion", uid="x").removesuffix("x"))
        else None
    )
    policy = policy_for(district, str(badge_class.get("id", "")))
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
        raise Conflict(_("This badge was already presented to this district.")) from error
    if policy is not None and policy.auto_approve:
        grant(request, None, policy_hours(policy), policy.category_id, _l("Approved by policy."))
    else:
        _tell_officers(district, request)
    return request


@dataclass
class Activity:
    """Professional learning that is not a badge (PLC meetings), as presented for credit:
    ``key`` names it once per district (a second request with it is refused), ``name`` and
    ``provider`` are what officers and the ledger read, ``hours`` what the policy gives it,
    ``details`` what was checked (who recorded the attendance, each meeting)."""

    key: str
    name: str
    provider: str
    url: str
    happened_on: datetime | None
    hours: Decimal
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Room:
    """What a capped policy may still credit a teacher this cycle."""

    cap: Decimal
    granted: Decimal  # credited so far this cycle
    waiting: Decimal  # asked for in requests still pending
    cycle_ends: date

    @property
    def left(self) -> Decimal:
        return max(Decimal(0), self.cap - self.granted - self.waiting)


def room_under(user: User, district: District, policy: CreditPolicy) -> Room | None:
    """The cap of ``policy`` for ``user`` in her current cycle (None: no cap)."""
    if policy.cap_hours is None:
        return None
    cycle = current_cycle(user, district)
    waiting = db.session.scalar(
        select(func.coalesce(func.sum(CreditRequest.requested_hours), 0)).where(
            CreditRequest.user_id == user.id,
            CreditRequest.policy_id == policy.id,
            CreditRequest.status == RequestStatus.PENDING.value,
        )
    )
    return Room(
        policy.cap_hours,
        granted_under_policy(user.id, cycle.id, policy.id),
        Decimal(str(waiting or 0)),
        cycle.ends_on,
    )


def request_activity_credit(
    user: User, district: District, policy: CreditPolicy, activity: Activity
) -> CreditRequest:
    """Ask ``district`` for credit for ``activity`` under ``policy`` (a member of the
    district only). Refused with a clear message when the policy's cap for this cycle is
    already reached (by credit granted, or asked for and waiting); near it, the request
    stands and the officer's approval grants what is left. It goes to the officers like any
    other request, or is granted at once under an auto-approving policy. The caller records
    what it covers; a second request with the same key is a conflict."""
    if membership(user, district.id) is None:
        raise NotFound(_("You are not a member of that district."))
    room = room_under(user, district, policy)
    if room is not None and room.left <= 0:
        raise Conflict(
            _(
                "You have reached the cap of %(cap)s hours for %(policy)s in this renewal "
                "cycle (%(waiting)s hours of it asked for and waiting for an officer): nothing "
                "more can be credited before the cycle ends on %(day)s.",
                cap=room.cap,
                policy=policy.label,
                waiting=room.waiting,
                day=day(room.cycle_ends, "long"),
            )
            if room.waiting
            else _(
                "You have reached the cap of %(cap)s hours for %(policy)s in this renewal "
                "cycle: nothing more can be credited before the cycle ends on %(day)s.",
                cap=room.cap,
                policy=policy.label,
                day=day(room.cycle_ends, "long"),
            )
        )
    request = CreditRequest(
        district_id=district.id,
        user_id=user.id,
        assertion_key=activity.key[:2000],
        source="meetings",
        presented=activity.url,
        badge_name=activity.name[:300],
        issuer_name=activity.provider[:300],
        badge_class_url=activity.url[:2000],
        issued_on=activity.happened_on,
        policy_id=policy.id,
        category_id=policy.category_id,
        requested_hours=activity.hours,
        verification={"valid": True, "checked_at": utcnow().isoformat(), **activity.details},
    )
    try:
        with db.session.begin_nested():
            db.session.add(request)
    except IntegrityError as error:
        raise Conflict(
            _("This was already presented to %(district)s.", district=district.name)
        ) from error
    request.policy = policy
    if policy.auto_approve:
        grant(request, None, activity.hours, policy.category_id, _l("Approved by policy."))
    else:
        _tell_officers(district, request)
    return request


def _when(value: Any) -> datetime | None:
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
            _l("A credit request is waiting: %(badge)s", badge=request.badge_name),
            "credit_pending",
            district=district,
            request=request,
            link=public_url("credit.officer", district_id=district.id),
        )


def district_request(actor: User, request_id: int) -> CreditRequest:
    request = db.session.get(CreditRequest, request_id)
    if request is None or not is_officer(actor, request.district_id):
        raise NotFound(_("There is no such credit request among your districts."))
    return request


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
