"""Issuing signed Open Badges: exactly once per pass, revocation, the earner's backpack,
baked images, key rotation with re-signing, and bulk issuance from a CSV.

Exactly once: the database holds one assertion per submission (and per bulk row's natural
key); :func:`issue_for_submission` runs inside the passing decision's transaction (a
``submission_decided`` handler), so a committed pass always has its signed assertion and a
rolled-back one has none. Retries and racing instances meet the unique constraint and return
the assertion that won.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from app import events
from app.db import db, utcnow
from app.errors import Conflict, InvalidInput, NotFound
from app.images import png_in_svg, svg_to_png
from app.issuance import documents, keys
from app.jobs import enqueue, job
from app.links import public_url
from app.mail import send_mail
from app.models.accounts import User
from app.models.assertions import Assertion, BulkIssuance, IssuerKey
from app.models.credentials import Credential, CredentialVersion
from app.models.orgs import Issuer, Role
from app.models.submissions import Submission, SubmissionStatus
from app.ops.metrics import BADGES_ISSUED, BADGES_REVOKED
from app.security import require_issuer_role
from badges.bake import bake_png, bake_svg
from badges.jws import sign_assertion
from badges.recipient import make_recipient

MAX_CSV_BYTES = 2 * 1024 * 1024
MAX_CSV_ROWS = 10_000
BULK_COLUMNS = ("email", "credential", "issued_on")
BULK_COMMIT_EVERY = 25


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
        raise Conflict("Only a passed submission earns a badge.")
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


def _expiry(issued_on: datetime, years: int | None) -> datetime | None:
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
        expires=_expiry(issued_on.replace(microsecond=0), version.validity_years),
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
        f"Your badge: {version.title}",
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


def my_badges(user: User) -> list[Assertion]:
    """Badges issued to the user's account, or (once confirmed) to their e-mail address."""
    mine = Assertion.user_id == user.id
    if user.is_confirmed:
        mine = or_(mine, Assertion.recipient_email == user.email.lower())
    return list(
        db.session.scalars(
            select(Assertion).where(mine).order_by(Assertion.issued_on.desc(), Assertion.id.desc())
        )
    )


def get_own(user: User, uid: str) -> Assertion:
    item = db.session.scalar(select(Assertion).where(Assertion.uid == uid))
    owns = item is not None and (
        item.user_id == user.id
        or (user.is_confirmed and item.recipient_email == user.email.lower())
    )
    if item is None or not owns:
        raise NotFound("There is no such badge in your collection.")
    return item


def by_uid(uid: str) -> Assertion:
    item = db.session.scalar(select(Assertion).where(Assertion.uid == uid))
    if item is None:
        raise NotFound("There is no such badge.")
    return item


def set_public(user: User, item: Assertion, public: bool) -> None:
    get_own(user, item.uid)
    item.public = public
    db.session.flush()


@dataclass(frozen=True)
class Status:
    word: str  # Valid, Revoked, Expired, Not valid
    tone: str
    message: str


def status(item: Assertion) -> Status:
    """Checked live, as any verifier would: the signed badge through ``badges.verify``."""
    from app.verify import service as verifier

    if item.jws is None:
        return Status("Not valid", "error", "This badge has not been signed yet.")
    verdict = verifier.verdict(verifier.check(item.jws))
    return Status(verdict.word, verdict.tone, verdict.summary)


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
    from app.submissions.service import storage

    return storage()


def baked(item: Assertion, kind: str) -> bytes:
    """The badge image with the signed JWS baked in, made once and kept in storage."""
    if kind not in ("png", "svg") or item.jws is None:
        raise NotFound("There is no such image.")
    digest = hashlib.sha256(item.jws.encode()).hexdigest()[:20]
    key = f"badges/{item.uid}/{digest}.{kind}"
    store = _store()
    if store.exists(key):
        return b"".join(store.open(key))
    from app.catalog.pages import image_of

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


def _forget_baked(item: Assertion) -> None:
    store = _store()
    for key in store.keys(f"badges/{item.uid}/"):
        store.delete(key)


# Issuer admins: revocation and keys ---------------------------------------------------------


def _admin(actor: User, issuer_id: int) -> None:
    if not actor.is_platform_admin:
        require_issuer_role(actor, issuer_id, Role.ISSUER_ADMIN)


def issued_by(actor: User, issuer: Issuer, limit: int = 200) -> list[Assertion]:
    _admin(actor, issuer.id)
    return list(
        db.session.scalars(
            select(Assertion)
            .where(Assertion.issuer_id == issuer.id)
            .order_by(Assertion.issued_on.desc(), Assertion.id.desc())
            .limit(limit)
        )
    )


def revoke(actor: User, item: Assertion, reason: str) -> Assertion:
    """Revoke with a reason: the hosted assertion answers 410 and the revocation list names
    it from the next request on; the earner is told."""
    _admin(actor, item.issuer_id)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why the badge is revoked.", {"reason": ["Required."]})
    if len(reason) > 500:
        raise InvalidInput("Keep the reason under 500 characters.", {"reason": ["Too long."]})
    if item.revoked:
        raise Conflict("This badge is already revoked.")
    item.revoked_at = utcnow()
    item.revocation_reason = reason
    db.session.flush()
    events.publish("assertion_revoked", assertion=item)  # credit granted for it is reversed
    BADGES_REVOKED.inc()
    send_mail(
        item.recipient_email,
        f"Your badge was revoked: {item.version.title}",
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
                f"A fresh copy of your badge: {item.version.title}",
                "badge_resigned",
                title=item.version.title,
                issuer=issuer.name,
                link=public_url("issuance.index"),
            )
            count += 1
        db.session.commit()


# Bulk issuance ------------------------------------------------------------------------------


def _read_csv(raw: bytes) -> list[dict[str, str]]:
    if len(raw) > MAX_CSV_BYTES:
        raise InvalidInput("The CSV is larger than 2 MB; split it into several files.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput("Save the CSV as UTF-8 text.") from error
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in BULK_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(
            "The CSV needs a header row with email, credential, issued_on (and optionally "
            f"evidence_url); missing: {', '.join(missing)}."
        )
    reader.fieldnames = header
    rows = []
    for row in reader:
        rows.append({k: (v or "").strip() for k, v in row.items() if isinstance(k, str)})
        if len(rows) > MAX_CSV_ROWS:
            raise InvalidInput(f"At most {MAX_CSV_ROWS} rows per file.")
    if not rows:
        raise InvalidInput("The CSV has no rows under its header.")
    return rows


def start_bulk(actor: User, issuer: Issuer, filename: str, raw: bytes) -> BulkIssuance:
    """Check the file's shape now; issue row by row in a background job."""
    _admin(actor, issuer.id)
    rows = _read_csv(raw)
    bulk = BulkIssuance(
        issuer_id=issuer.id,
        created_by_id=actor.id,
        filename=filename[:255],
        csv_text=raw.decode("utf-8-sig"),
        total=len(rows),
        errors=[],
    )
    db.session.add(bulk)
    db.session.flush()
    enqueue("bulk-issue", bulk.id)
    return bulk


def bulk_of(actor: User, issuer: Issuer, bulk_id: int) -> BulkIssuance:
    _admin(actor, issuer.id)
    bulk = db.session.get(BulkIssuance, bulk_id)
    if bulk is None or bulk.issuer_id != issuer.id:
        raise NotFound("There is no such bulk issuance.")
    return bulk


def _bulk_row(issuer: Issuer, row: dict[str, str], today: date) -> tuple[bool, str]:
    """Issue one row; (issued, message). Raises InvalidInput for a bad row."""
    from badges.objects import EMAIL_RE, is_http_url

    email = row.get("email", "").lower()
    if not EMAIL_RE.match(email):
        raise InvalidInput(f"“{email or '(empty)'}” is not an e-mail address.")
    reference = row.get("credential", "")
    query = select(Credential).where(Credential.issuer_id == issuer.id)
    query = query.where(
        Credential.id == int(reference) if reference.isdigit() else Credential.slug == reference
    )
    credential = db.session.scalar(query)
    version = credential.published_version if credential else None
    if version is None:
        raise InvalidInput(f"No published credential “{reference}” at {issuer.name}.")
    try:
        issued = date.fromisoformat(row.get("issued_on", ""))
    except ValueError as error:
        raise InvalidInput("issued_on must be a date like 2026-05-31.") from error
    if issued > today:
        raise InvalidInput("issued_on is in the future.")
    evidence = row.get("evidence_url") or None
    if evidence and not is_http_url(evidence):
        raise InvalidInput("evidence_url must start with https:// or http://.")
    natural = f"{credential.id}|{email}|{issued.isoformat()}"  # type: ignore[union-attr]
    bulk_key = hashlib.sha256(natural.encode()).hexdigest()
    if db.session.scalar(select(Assertion.id).where(Assertion.bulk_key == bulk_key)):
        return False, "already issued"
    user = db.session.scalar(select(User).where(User.email == email))
    issue(
        version,
        email=email,
        user=user,
        issued_on=datetime(issued.year, issued.month, issued.day, 12, tzinfo=UTC),
        bulk_key=bulk_key,
        evidence_url=evidence,
        narrative="Awarded for work done elsewhere." if evidence else "",
    )
    return True, "issued"


BULK_LEASE_SECONDS = 10


@job("bulk-issue")
def run_bulk(bulk_id: int) -> None:
    """Issue every row, recording row errors without stopping. Resumable: a worker that dies
    leaves its last committed row and a stale heartbeat; the next run continues from there,
    and rows already issued are skipped (each row's natural key is unique)."""
    bulk = db.session.scalar(
        select(BulkIssuance).where(BulkIssuance.id == bulk_id).with_for_update()
    )
    if bulk is None or bulk.status == "done":
        return
    now = utcnow()
    if (
        bulk.status == "running"
        and bulk.heartbeat_at is not None
        and (now - bulk.heartbeat_at).total_seconds() < BULK_LEASE_SECONDS
    ):
        return  # another worker is on it
    bulk.status = "running"
    bulk.heartbeat_at = now
    db.session.commit()
    issuer = bulk.issuer
    rows = _read_csv(bulk.csv_text.encode())
    today = utcnow().date()
    errors = list(bulk.errors or [])
    for number in range(bulk.done, len(rows)):
        row = rows[number]
        try:
            with db.session.begin_nested():
                issued, _ = _bulk_row(issuer, row, today)
        except InvalidInput as error:
            errors.append(
                {"row": number + 2, "email": row.get("email", ""), "message": error.message}
            )
            issued = None
        if issued:
            bulk.issued += 1
        elif issued is False:
            bulk.skipped += 1
        bulk.done = number + 1
        bulk.errors = list(errors)
        if bulk.done % BULK_COMMIT_EVERY == 0:
            bulk.heartbeat_at = utcnow()
            db.session.commit()  # progress the page can show, and a point to resume from
    bulk.status = "done"
    bulk.finished_at = utcnow()
    db.session.flush()


def recover_bulk(stale_seconds: int = 300) -> list[int]:
    """Queue again bulk issuances with no progress for ``stale_seconds`` (a dead worker, or a
    queue that was down when they were uploaded)."""
    from datetime import timedelta

    cutoff = utcnow() - timedelta(seconds=stale_seconds)
    stuck = db.session.scalars(
        select(BulkIssuance)
        .where(
            BulkIssuance.status.in_(["queued", "running"]),
            or_(
                BulkIssuance.heartbeat_at < cutoff,
                (BulkIssuance.heartbeat_at.is_(None)) & (BulkIssuance.created_at < cutoff),
            ),
        )
        .with_for_update(skip_locked=True)
    ).all()
    for bulk in stuck:
        enqueue("bulk-issue", bulk.id)
    return [b.id for b in stuck]
