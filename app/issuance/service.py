"""Issuing signed Open Badges: exactly once per pass, revocation, the earner's backpack,
baked images, key rotation with re-signing, and bulk issuance from a CSV.

Exactly once: the database holds one assertion per submission (and per bulk row's natural
key); :func:`issue_for_submission` runs inside the passing decision's transaction (a
``submission_decided`` handler), so a committed pass always has its signed assertion and a
rolled-back one has none. Retries and racing instances meet the unique constraint and return
the assertion that won.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, joinedload, selectinload

from app import events
from app.db import db, utcnow
from app.errors import Conflict, InvalidInput, NotFound, found
from app.images import image_of, png_in_svg, svg_to_png
from app.issuance import documents, keys
from app.jobs import enqueue, job
from app.links import public_url
from app.mail import send_mail
from app.models.accounts import User
from app.models.assertions import Assertion, BulkIssuance, IssuerKey
from app.models.credentials import CredentialVersion
from app.models.orgs import Issuer, Role
from app.models.submissions import Submission, SubmissionStatus
from app.ops.metrics import BADGES_ISSUED, BADGES_REVOKED
from app.pagination import Page, PageArgs, paginate
from app.security import issuer_ids_with, require_issuer_role
from app.storage import storage
from badges.bake import bake_png, bake_svg
from badges.jws import sign_assertion
from badges.recipient import make_recipient

# Issuing ------------------------------------------------------------------------------------


def on_decided(submission: Submission) -> None:
    """``submission_decided`` handler: a pass issues its badge in the same transaction."""
    if submission.status == SubmissionStatus.PASSED:
        issue_for_submission(submission)


def issue_for_submission(submission: Submission, *, now: datetime | None = None) -> Assertion:
    """The badge for a passed submission: made and signed once; later calls return it."""
    existing = db.session.scalar(select(Assertion).where(Assertion.submission_id == submission.id))
    if existing is not None:
        return existing
    if submission.status != SubmissionStatus.PASSED:
        raise Conflict(_("Only a passed submission earns a badge."))
    teacher = db.session.get(User, submission.user_id)
    assert teacher is not None
    uid = uuid.uuid4().hex
    evidence_url = narrative = None
    if submission.evidence_public:  # the teacher's consent, asked when they submitted
        evidence_url = public_url("ob.evidence", uid=uid)
        written = sum(1 for a in submission.answers if (a.text or a.url))
        files = len(submission.files)
        narrative = (
            f"Classroom evidence for “{submission.version.title}”: {written} written "
            f"answer{'s' if written != 1 else ''} and links, {files} "
            f"file{'s' if files != 1 else ''}, judged by trained reviewers against the "
            "published rubric."
        )
    return issue(
        submission.version,
        email=teacher.email,
        user=teacher,
        issued_on=now or utcnow(),
        uid=uid,
        submission_id=submission.id,
        evidence_url=evidence_url,
        narrative=narrative or "",
    )


def expiry(issued_on: datetime, years: int | None) -> datetime | None:
    """When a badge issued on ``issued_on`` expires, for a credential valid ``years``."""
    if not years:
        return None
    try:
        return issued_on.replace(year=issued_on.year + years)
    except ValueError:  # 29 February
        return issued_on.replace(year=issued_on.year + years, day=28)


def issue(
    version: CredentialVersion,
    *,
    email: str,
    user: User | None,
    issued_on: datetime,
    uid: str | None = None,
    submission_id: int | None = None,
    bulk_key: str | None = None,
    evidence_url: str | None = None,
    narrative: str = "",
) -> Assertion:
    recipient = make_recipient(email)
    item = Assertion(
        uid=uid or uuid.uuid4().hex,
        issuer_id=version.credential.issuer_id,
        credential_id=version.credential_id,
        version_id=version.id,
        submission_id=submission_id,
        bulk_key=bulk_key,
        user_id=user.id if user else None,
        recipient_email=email.strip().lower(),
        salt=recipient["salt"],
        identity=recipient["identity"],
        issued_on=issued_on.replace(microsecond=0),
        expires=expiry(issued_on.replace(microsecond=0), version.validity_years),
        evidence_url=evidence_url,
        evidence_narrative=narrative,
    )
    try:
        with db.session.begin_nested():
            db.session.add(item)
    except IntegrityError:  # another request or worker issued it a moment ago
        column = Assertion.submission_id if submission_id else Assertion.bulk_key
        found = db.session.scalars(
            select(Assertion).where(column == (submission_id or bulk_key))
        ).one()
        return found
    sign(item)
    enqueue("bake-badge", item.uid)  # the PNG and SVG are ready before the earner asks
    BADGES_ISSUED.inc()
    link = public_url("issuance.index")
    send_mail(
        email,
        _l("Your badge: %(title)s", title=version.title),
        "badge_issued",
        title=version.title,
        issuer=version.credential.issuer.name,
        link=link,
    )
    return item


def sign(item: Assertion, key: IssuerKey | None = None) -> None:
    """Sign (or re-sign) ``item`` with the issuer's current key."""
    key = key or keys.current_key(item.issuer)
    key_url = documents.key_url(key)
    payload = documents.assertion(item, signed_by=key_url)
    item.jws = sign_assertion(payload, keys.signer(key, key_url))
    item.key_id = key.id
    item.signed_at = utcnow()
    db.session.flush()


# The earner's backpack ----------------------------------------------------------------------


def _with_what_a_list_shows(statement: Select[Any]) -> Select[Any]:
    """Load what a list row shows with the rows, newest first (the id breaks ties): the
    issuer (name, slug for its URL) joined, the credential versions (title) in one more
    statement, without their images. Links come from the uid, so a page of badges costs the
    same few statements at every size. The signed JWS (kilobytes a badge) stays behind: no
    list shows it."""
    return statement.options(
        defer(Assertion.jws),
        joinedload(Assertion.issuer),
        selectinload(Assertion.version).options(defer(CredentialVersion.image)),
    ).order_by(Assertion.issued_on.desc(), Assertion.id.desc())


def _owned_by(user: User) -> ColumnElement[bool]:
    """Badges issued to the user's account, or (once confirmed) to their e-mail address."""
    mine: ColumnElement[bool] = Assertion.user_id == user.id
    if user.is_confirmed:
        mine = or_(mine, Assertion.recipient_email == user.email.lower())
    return mine


def my_badges(user: User) -> list[Assertion]:
    """Every badge of the user (for a picker that needs them all), newest first; lists that
    people page through use :func:`my_badges_page`."""
    statement = _with_what_a_list_shows(select(Assertion).where(_owned_by(user)))
    return list(db.session.scalars(statement))


def my_badges_page(user: User, args: PageArgs) -> Page[Assertion]:
    """One page of the user's backpack, newest first (id as tie-break): two statements for the
    page and its total, one for the credential versions."""
    return paginate(_with_what_a_list_shows(select(Assertion).where(_owned_by(user))), args)


def get_own(user: User, uid: str) -> Assertion:
    item = db.session.scalar(select(Assertion).where(Assertion.uid == uid))
    owns = item is not None and (
        item.user_id == user.id
        or (user.is_confirmed and item.recipient_email == user.email.lower())
    )
    if item is None or not owns:
        raise NotFound(_("There is no such badge in your collection."))
    return item


def by_uid(uid: str) -> Assertion:
    item = db.session.scalar(select(Assertion).where(Assertion.uid == uid))
    return found(item, _("There is no such badge."))


def set_public(user: User, item: Assertion, public: bool) -> None:
    get_own(user, item.uid)
    item.public = public
    db.session.flush()


def linkedin_url(item: Assertion) -> str:
    """LinkedIn's "Add to profile" form for a certification, filled in."""
    params: dict[str, Any] = {
        "startTask": "CERTIFICATION_NAME",
        "name": item.version.title,
        "organizationName": item.issuer.name,
        "issueYear": item.issued_on.year,
        "issueMonth": item.issued_on.month,
        "certUrl": documents.public_page_url(item),
        "certId": item.uid,
    }
    if item.expires:
        params["expirationYear"] = item.expires.year
        params["expirationMonth"] = item.expires.month
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


def embed_snippet(item: Assertion) -> str:
    from markupsafe import escape

    page = escape(documents.public_page_url(item))
    image = escape(public_url("ob.badge_image", version_id=item.version_id))
    title = escape(item.version.title)
    return (
        f'<a href="{page}" title="{title}"><img src="{image}" alt="Badge: {title}" '
        f'width="120" height="120"></a>'
    )


# Baked images -------------------------------------------------------------------------------


def _store() -> Any:
    return storage()


def baked(item: Assertion, kind: str) -> bytes:
    """The badge image with the signed JWS baked in, made once and kept in storage."""
    if kind not in ("png", "svg") or item.jws is None:
        raise NotFound(_("There is no such image."))
    digest = hashlib.sha256(item.jws.encode()).hexdigest()[:20]
    key = f"badges/{item.uid}/{digest}.{kind}"
    store = _store()
    if store.exists(key):
        return b"".join(store.open(key))
    image, mimetype = image_of(item.version)
    is_svg = mimetype == "image/svg+xml"
    if kind == "png":
        data = bake_png(svg_to_png(image) if is_svg else image, item.jws)
    else:
        data = bake_svg(image if is_svg else png_in_svg(image), item.jws)
    store.put(
        key,
        io.BytesIO(data),
        limit=len(data) + 1,
        content_type="image/png" if kind == "png" else "image/svg+xml",
    )
    return data


@job("bake-badge")
def bake_badge(uid: str) -> None:
    item = db.session.scalar(select(Assertion).where(Assertion.uid == uid))
    if item is not None and not item.revoked:
        baked(item, "png")
        baked(item, "svg")


@job("bake-badges")
def bake_badges(uids: list[str]) -> None:
    """Bake many badges in one job (a bulk issuance's batch); baking is idempotent."""
    for uid in uids:
        bake_badge(uid)


def _forget_baked(item: Assertion) -> None:
    store = _store()
    for key in store.keys(f"badges/{item.uid}/"):
        store.delete(key)


# Issuer admins: revocation and keys ---------------------------------------------------------


def _admin(actor: User, issuer_id: int) -> None:
    if not actor.is_platform_admin:
        require_issuer_role(actor, issuer_id, Role.ISSUER_ADMIN)


def issued_by(actor: User, issuer: Issuer, args: PageArgs) -> Page[Assertion]:
    """One page of the badges ``issuer`` has issued (its admins only), newest first."""
    _admin(actor, issuer.id)
    return paginate(
        _with_what_a_list_shows(select(Assertion).where(Assertion.issuer_id == issuer.id)), args
    )


def bulk_history(actor: User, issuer: Issuer, args: PageArgs) -> Page[BulkIssuance]:
    """One page of ``issuer``'s bulk uploads (its admins only), the latest first. The CSV
    itself stays in the database: a list has no use for it, and touching it raises."""
    _admin(actor, issuer.id)
    return paginate(
        select(BulkIssuance)
        .where(BulkIssuance.issuer_id == issuer.id)
        .options(defer(BulkIssuance.csv_text, raiseload=True))
        .order_by(BulkIssuance.id.desc()),
        args,
    )


def revoke(actor: User, item: Assertion, reason: str) -> Assertion:
    """Revoke with a reason: the hosted assertion answers 410 and the revocation list names
    it from the next request on; the earner is told."""
    _admin(actor, item.issuer_id)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the badge is revoked."), {"reason": [_("Required.")]})
    if len(reason) > 500:
        raise InvalidInput(_("Keep the reason under 500 characters."), {"reason": [_("Too long.")]})
    if item.revoked:
        raise Conflict(_("This badge is already revoked."))

    item.revoked_at = utcnow()
    item.revocation_reason = reason
    db.session.flush()
    events.publish(events.assertion_revoked, assertion=item)  # credit for it is reversed
    BADGES_REVOKED.inc()
    send_mail(
        item.recipient_email,
        _l("Your badge was revoked: %(title)s", title=item.version.title),
        "badge_revoked",
        title=item.version.title,
        issuer=item.issuer.name,
        reason=reason,
    )
    return item


def rotate_key(actor: User, issuer: Issuer) -> IssuerKey:
    """A new key becomes current; a job re-signs and re-bakes every live badge with it."""
    _admin(actor, issuer.id)
    key = keys.rotate(issuer)
    enqueue("resign-issuer", issuer.id)
    return key


@job("resign-issuer")
def resign_issuer(issuer_id: int, batch: int = 200) -> int:
    """Re-sign every live badge of the issuer not yet signed with its current key
    (idempotent: a second run finds nothing to do); tell each earner a fresh copy is ready."""
    issuer = db.session.get(Issuer, issuer_id)
    if issuer is None:
        return 0
    key = keys.current_key(issuer)
    count = 0
    while True:
        stale = db.session.scalars(
            select(Assertion)
            .where(
                Assertion.issuer_id == issuer_id,
                Assertion.revoked_at.is_(None),
                or_(Assertion.key_id.is_(None), Assertion.key_id != key.id),
            )
            .order_by(Assertion.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).all()
        if not stale:
            return count
        for item in stale:
            sign(item, key)
            _forget_baked(item)
            send_mail(
                item.recipient_email,
                _l("A fresh copy of your badge: %(title)s", title=item.version.title),
                "badge_resigned",
                title=item.version.title,
                issuer=issuer.name,
                link=public_url("issuance.index"),
            )
            count += 1
        db.session.commit()  # a job's checkpoint: each batch is kept if a later one fails


# Bulk issuance ------------------------------------------------------------------------------


# The issuer admin's home --------------------------------------------------------------------


@dataclass(frozen=True)
class IssuingHome:
    recent: list[Assertion]  # the latest badges of the admin's issuers
    unsigned: int  # issued but never signed: not verifiable until re-signed
    bulks: list[BulkIssuance]  # the latest bulk uploads, with their progress and row errors


def admin_home(actor: User, limit: int = 5) -> IssuingHome:
    """Recent issuance of the issuers ``actor`` administers (their latest badges, badges
    waiting for a signature, latest bulk uploads): four statements at any size."""
    ids = issuer_ids_with(actor, [Role.ISSUER_ADMIN]) or {-1}
    recent = list(
        db.session.scalars(
            _with_what_a_list_shows(select(Assertion).where(Assertion.issuer_id.in_(ids))).limit(
                limit
            )
        )
    )
    unsigned = db.session.scalar(
        select(func.count(Assertion.id)).where(
            Assertion.issuer_id.in_(ids), Assertion.jws.is_(None), Assertion.revoked_at.is_(None)
        )
    )
    bulks = list(
        db.session.scalars(
            select(BulkIssuance)
            .where(BulkIssuance.issuer_id.in_(ids))
            .options(defer(BulkIssuance.csv_text, raiseload=True), joinedload(BulkIssuance.issuer))
            .order_by(BulkIssuance.id.desc())
            .limit(limit)
        )
    )
    return IssuingHome(recent, int(unsigned or 0), bulks)
