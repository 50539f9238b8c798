"""Bulk issuance: an issuer admin's CSV of ``email, credential, issued_on[, evidence_url]``
becomes badges in a background job.

The job reads the stored file as a stream and works in batches: per batch it looks up the
rows' credentials, earlier awards and accounts in three statements, signs every new badge with
the issuer's key (parsed once per process, see ``keys``), inserts them in one statement and
commits, so the progress page moves and a worker that dies resumes at the last batch. Each
row's natural key (credential, e-mail, date) is unique in the database, so a file uploaded
twice, or a batch retried, never issues a badge twice.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from types import SimpleNamespace
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.db import db, utcnow
from app.errors import InvalidInput, NotFound
from app.i18n import speaking
from app.issuance import documents, keys
from app.issuance.service import expiry
from app.jobs import enqueue, job
from app.links import public_url
from app.mail import send_mails
from app.models.accounts import User
from app.models.assertions import Assertion, BulkIssuance
from app.models.credentials import Credential, CredentialVersion
from app.models.orgs import Issuer, Role
from app.ops.metrics import BADGES_ISSUED
from app.security import require_issuer_role
from badges.jws import sign_assertion
from badges.objects import EMAIL_RE, is_http_url
from badges.recipient import make_recipient

COLUMNS = ("email", "credential", "issued_on")
BATCH = 200  # rows signed, inserted and committed together


def max_bytes() -> int:
    return int(current_app.extensions["settings"].bulk_max_mb) * 1024 * 1024


def _header(text: str) -> list[str]:
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidInput(
            _(
                "The CSV needs a header row with email, credential, issued_on (and optionally "
                "evidence_url); missing: %(missing)s.",
                missing=", ".join(missing),
            )
        )
    return header


def _rows(text: str) -> Iterator[dict[str, str]]:
    """The file's rows as dicts, read lazily (a large file is never a list in memory)."""
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    for values in reader:
        if not any(v.strip() for v in values):
            continue  # a blank line
        yield {k: (v or "").strip() for k, v in zip(header, values, strict=False)}


def _decode(raw: bytes) -> str:
    if len(raw) > max_bytes():
        limit = max_bytes() // (1024 * 1024)
        raise InvalidInput(
            _("The CSV is larger than %(mb)s MB; split it into several files.", mb=limit)
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput(_("Save the CSV as UTF-8 text.")) from error


def _admin(actor: User, issuer_id: int) -> None:
    if not actor.is_platform_admin:
        require_issuer_role(actor, issuer_id, Role.ISSUER_ADMIN)


def start(actor: User, issuer: Issuer, filename: str, raw: bytes) -> BulkIssuance:
    """Check the file's shape now; issue its rows in a background job."""
    _admin(actor, issuer.id)
    text = _decode(raw)
    _header(text)
    total = sum(1 for _row in _rows(text))
    if not total:
        raise InvalidInput(_("The CSV has no rows under its header."))
    bulk = BulkIssuance(
        issuer_id=issuer.id,
        created_by_id=actor.id,
        filename=filename[:255],
        csv_text=text,
        total=total,
        errors=[],
    )
    db.session.add(bulk)
    db.session.flush()
    enqueue("bulk-issue", bulk.id)
    return bulk


def get(actor: User, issuer: Issuer, bulk_id: int) -> BulkIssuance:
    _admin(actor, issuer.id)
    bulk = db.session.get(BulkIssuance, bulk_id)
    if bulk is None or bulk.issuer_id != issuer.id:
        raise NotFound(_("There is no such bulk issuance."))
    return bulk


def rate(bulk: BulkIssuance) -> float | None:
    """Rows per second of the current (or last) run, once there is something to measure."""
    if bulk.started_at is None or not bulk.run_rows:
        return None
    end = bulk.finished_at or bulk.heartbeat_at
    if end is None:
        return None
    seconds = (end - bulk.started_at).total_seconds()
    return bulk.run_rows / seconds if seconds > 0 else None


@dataclass
class _Row:
    number: int  # the line in the file (the header is line 1)
    email: str
    version: CredentialVersion
    issued: date
    evidence: str | None
    key: str  # the natural key: credential, e-mail, date


class _Catalog:
    """The issuer's published credentials, by id and by slug, loaded once per run."""

    def __init__(self, issuer: Issuer) -> None:
        credentials = db.session.scalars(
            select(Credential)
            .where(Credential.issuer_id == issuer.id)
            .options(selectinload(Credential.versions))
        ).all()
        self.by_reference: dict[str, tuple[Credential, CredentialVersion]] = {}
        for credential in credentials:
            version = credential.published_version
            if version is not None:
                self.by_reference[str(credential.id)] = (credential, version)
                self.by_reference[credential.slug] = (credential, version)


def _check(
    number: int, row: dict[str, str], catalog: _Catalog, issuer: Issuer, today: date
) -> _Row:
    """The row as an award to issue; InvalidInput says what is wrong with it."""
    email = row.get("email", "").lower()
    if not EMAIL_RE.match(email):
        raise InvalidInput(
            _("“%(email)s” is not an e-mail address.", email=email)
            if email
            else _("“(empty)” is not an e-mail address.")
        )
    reference = row.get("credential", "")
    found = catalog.by_reference.get(reference)
    if found is None:
        raise InvalidInput(
            _(
                "No published credential “%(reference)s” at %(issuer)s.",
                reference=reference,
                issuer=issuer.name,
            )
        )
    credential, version = found
    try:
        issued = date.fromisoformat(row.get("issued_on", ""))
    except ValueError as error:
        raise InvalidInput(_("issued_on must be a date like 2026-05-31.")) from error
    if issued > today:
        raise InvalidInput(_("issued_on is in the future."))
    evidence = row.get("evidence_url") or None
    if evidence and not is_http_url(evidence):
        raise InvalidInput(_("evidence_url must start with https:// or http://."))
    natural = f"{credential.id}|{email}|{issued.isoformat()}"
    return _Row(
        number, email, version, issued, evidence, hashlib.sha256(natural.encode()).hexdigest()
    )


class _Batch:
    """Issues the good rows of one batch together; counts and errors for the job."""

    def __init__(self, issuer: Issuer) -> None:
        self.issuer = issuer
        key = keys.current_key(issuer)
        self.key_id = key.id
        self.key_url = documents.key_url(key)
        self.signer = keys.signer(key, self.key_url)
        self.link = public_url("issuance.index")

    def issue(self, rows: list[_Row]) -> tuple[int, int]:
        """(issued, skipped) for ``rows``: new awards are signed and inserted with one
        statement; awards already made (by an earlier upload, or earlier in this file) are
        skipped."""
        wanted = {row.key for row in rows}
        done = set(
            db.session.scalars(select(Assertion.bulk_key).where(Assertion.bulk_key.in_(wanted)))
        )
        emails = {row.email for row in rows}
        query = select(User.email, User.id).where(User.email.in_(emails))
        accounts: dict[str, int] = dict(db.session.execute(query).all())
        fresh: list[tuple[_Row, dict[str, Any]]] = []
        for row in rows:
            if row.key in done:
                continue
            done.add(row.key)
            fresh.append((row, self._assertion(row, accounts.get(row.email))))
        try:
            with db.session.begin_nested():
                if fresh:
                    db.session.execute(insert(Assertion), [values for _row, values in fresh])
        except IntegrityError:  # another worker issued some of them a moment ago
            return self._one_by_one(fresh), len(rows) - len(fresh)
        self._announce(fresh)
        return len(fresh), len(rows) - len(fresh)

    def _assertion(self, row: _Row, user_id: int | None) -> dict[str, Any]:
        """The new assertion's columns, signed."""
        recipient = make_recipient(row.email)
        issued_on = datetime(row.issued.year, row.issued.month, row.issued.day, 12, tzinfo=UTC)
        values: dict[str, Any] = {
            "uid": uuid.uuid4().hex,
            "issuer_id": self.issuer.id,
            "credential_id": row.version.credential_id,
            "version_id": row.version.id,
            "bulk_key": row.key,
            "user_id": user_id,
            "recipient_email": row.email,
            "salt": recipient["salt"],
            "identity": recipient["identity"],
            "issued_on": issued_on,
            "expires": expiry(issued_on, row.version.validity_years),
            "evidence_url": row.evidence,
            "evidence_narrative": "Awarded for work done elsewhere." if row.evidence else "",
            "revocation_reason": "",
            "public": False,
            "key_id": self.key_id,
            "signed_at": utcnow(),
            "created_at": utcnow(),
        }
        payload = documents.assertion(SimpleNamespace(**values), signed_by=self.key_url)
        values["jws"] = sign_assertion(payload, self.signer)
        return values

    def _one_by_one(self, fresh: list[tuple[_Row, dict[str, Any]]]) -> int:
        issued: list[tuple[_Row, dict[str, Any]]] = []
        for row, values in fresh:
            try:
                with db.session.begin_nested():
                    db.session.execute(insert(Assertion), [values])
            except IntegrityError:
                continue
            issued.append((row, values))
        self._announce(issued)
        return len(issued)

    def _announce(self, issued: list[tuple[_Row, dict[str, Any]]]) -> None:
        """Bake the batch's badges and tell each earner once it is committed: two jobs for
        the whole batch, not two per badge."""
        if not issued:
            return
        enqueue("bake-badges", [values["uid"] for _row, values in issued])
        send_mails(
            [
                (
                    row.email,
                    _l("Your badge: %(title)s", title=row.version.title),
                    "badge_issued",
                    {"title": row.version.title, "issuer": self.issuer.name, "link": self.link},
                )
                for row, _values in issued
            ]
        )
        BADGES_ISSUED.inc(len(issued))


@job("bulk-issue")
def run(bulk_id: int) -> None:
    """Issue every row, recording row errors without stopping. Resumable: a worker that dies
    leaves its last committed batch and a stale heartbeat; the next run goes on from there,
    and rows already issued are skipped."""
    bulk = db.session.scalar(
        select(BulkIssuance).where(BulkIssuance.id == bulk_id).with_for_update()
    )
    if bulk is None or bulk.status == "done":
        return
    now = utcnow()
    if (
        bulk.status == "running"
        and bulk.heartbeat_at is not None
        and (now - bulk.heartbeat_at).total_seconds()
        < current_app.extensions["settings"].bulk_lease_seconds
    ):
        return  # another worker is on it
    bulk.status = "running"
    bulk.heartbeat_at = bulk.started_at = now
    bulk.run_rows = 0
    db.session.commit()  # a job's checkpoint: the lease is taken, other workers see it
    issuer = bulk.issuer
    catalog = _Catalog(issuer)
    batch = _Batch(issuer)
    today = utcnow().date()
    # The row errors are read by whoever uploaded the file: in her language.
    uploader = db.session.get(User, bulk.created_by_id) if bulk.created_by_id else None
    language = uploader.locale if uploader is not None else None
    rows = enumerate(_rows(bulk.csv_text), start=2)
    remaining = islice(rows, bulk.done, None)
    while chunk := list(islice(remaining, BATCH)):
        good: list[_Row] = []
        errors = list(bulk.errors or [])
        for number, row in chunk:
            try:
                with speaking(language):
                    good.append(_check(number, row, catalog, issuer, today))
            except InvalidInput as error:
                errors.append(
                    {"row": number, "email": row.get("email", ""), "message": error.message}
                )
        issued, skipped = batch.issue(good)
        bulk.issued += issued
        bulk.skipped += skipped
        bulk.done += len(chunk)
        bulk.run_rows += len(chunk)
        bulk.errors = errors
        bulk.heartbeat_at = utcnow()
        db.session.commit()  # progress the page can show, and a point to resume from
    bulk.status = "done"
    bulk.finished_at = utcnow()
    db.session.flush()


def recover(stale_seconds: int = 300) -> list[int]:
    """Queue again bulk issuances with no progress for ``stale_seconds`` (a dead worker, or a
    queue that was down when they were uploaded)."""
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
