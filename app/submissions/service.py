"""Teachers' submissions: start, answer, attach files, submit (freeze), withdraw, try again.

Another teacher's submission is "not found" (never "forbidden"): its existence is not shared.
A submitted attempt never changes again; every change of state is a SubmissionEvent. Every
change to a draft first locks the submission row (``get_own(..., lock=True)``), so a save
racing a submit from another tab waits and then sees the frozen state.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import nh3
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app import events
from app.db import after_commit, db, utcnow
from app.errors import Conflict, InvalidInput, NotFound
from app.models.accounts import User
from app.models.credentials import Credential, CredentialVersion, Prompt
from app.models.learning import ResearchFile
from app.models.submissions import (
    OPEN_STATUSES,
    RETRYABLE_STATUSES,
    Answer,
    EvidenceFile,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)
from app.pagination import Page, PageArgs, paginate
from app.storage import Readable, S3Storage, StorageError, Stored, storage
from app.submissions import uploads
from app.submissions.cleaning import REWRITTEN_KINDS, Cleaned
from app.submissions.files import HEAD_BYTES, IterReader, safe_filename
from app.submissions.uploads import KIND_TYPES, Accepts, Prefixed

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "a"}
_TAG = re.compile(r"<[^>]*>")  # a tag of the cleaned HTML (a stray < is &lt; there)
# Files at least this large go straight from the browser to S3 (when S3 is the store).
DIRECT_UPLOAD_MIN_BYTES = 8 * 1024 * 1024
DIRECT_UPLOAD_SECONDS = 30 * 60


def _event(submission: Submission, actor: User | None, to: SubmissionStatus) -> None:
    submission.events.append(
        SubmissionEvent(
            actor_id=actor.id if actor else None, from_status=submission.status, to_status=to.value
        )
    )
    submission.status = to.value
    submission.updated_at = utcnow()


def start(user: User, credential_id: int) -> Submission:
    """A new draft against the credential's published version (one open attempt at a time)."""
    credential = db.session.get(Credential, credential_id)
    version = credential.published_version if credential else None
    if credential is None or version is None or credential.retired_at is not None:
        raise NotFound(_("There is no published credential with that id."))
    mine = list(
        db.session.scalars(
            select(Submission).where(
                Submission.user_id == user.id, Submission.credential_id == credential_id
            )
        )
    )
    open_one = next((s for s in mine if s.status in OPEN_STATUSES), None)
    if open_one is not None:
        raise Conflict(
            _(
                "You already have an open submission (%(id)s) for this credential.",
                id=open_one.id,
            )
        )
    used = sum(1 for s in mine if s.status == SubmissionStatus.NOT_YET)
    if version.max_attempts is not None and used >= version.max_attempts:
        raise Conflict(
            ngettext(
                "You have used the %(num)d attempt this credential allows.",
                "You have used all %(num)d attempts this credential allows.",
                version.max_attempts,
            )
        )
    submission = Submission(
        user_id=user.id,
        credential_id=credential_id,
        version_id=version.id,
        attempt=len(mine) + 1,  # a sequence number; the limit counts only "Not yet" decisions
        status=SubmissionStatus.DRAFT.value,
    )
    submission.events.append(SubmissionEvent(actor_id=user.id, to_status="draft"))
    db.session.add(submission)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:  # another tab started one a moment ago
        raise Conflict(_("You already have an open submission for this credential.")) from error
    return submission


def try_again(user: User, previous: Submission) -> tuple[Submission, list[str]]:
    """A new attempt after "Not yet" (or a withdrawal), prefilled from ``previous``.

    Answers are copied; files are carried over by reference (the new record points at the
    same stored object). When the credential has a newer published version, answers move to
    the prompts with the same kind and wording; the labels of prompts that could not be
    prefilled are returned so the teacher knows what to redo.
    """
    if previous.status not in RETRYABLE_STATUSES:
        raise Conflict(_("A new attempt opens after a “Not yet” decision or a withdrawal."))
    submission = start(user, previous.credential_id)
    submission.previous_id = previous.id
    old_prompts = {p.id: p for p in previous.version.prompts}
    target = {(p.kind, p.label.strip().lower()): p for p in submission.version.prompts}
    mapping = {}
    for old in old_prompts.values():
        match = target.get((old.kind, old.label.strip().lower()))
        if match is not None:
            mapping[old.id] = match.id
    for answer in previous.answers:
        if answer.prompt_id in mapping:
            submission.answers.append(
                Answer(prompt_id=mapping[answer.prompt_id], text=answer.text, url=answer.url)
            )
    for record in previous.files:
        if record.prompt_id in mapping:
            submission.files.append(
                EvidenceFile(
                    prompt_id=mapping[record.prompt_id],
                    storage_key=record.storage_key,
                    filename=record.filename,
                    kind=record.kind,
                    size=record.size,
                    sha256=record.sha256,
                )
            )
    db.session.flush()
    redo = [p.label for p in submission.version.prompts if p.id not in mapping.values()]
    return submission, redo


def conclude(submission: Submission, outcome: SubmissionStatus, actor: User | None) -> None:
    """Record the final decision on a submitted attempt (called by review scoring)."""
    if outcome not in (SubmissionStatus.PASSED, SubmissionStatus.NOT_YET):
        raise ValueError(f"not a decision: {outcome}")
    if submission.status not in (SubmissionStatus.SUBMITTED, SubmissionStatus.IN_REVIEW):
        raise Conflict(_("Only a submitted attempt can receive a decision."))
    _event(submission, actor, outcome)
    db.session.flush()


def attempts_left(user: User, credential_id: int) -> int | None:
    """How many more "Not yet" decisions this teacher may receive (None: no limit)."""
    credential = db.session.get(Credential, credential_id)
    version = credential.published_version if credential else None
    if version is None or version.max_attempts is None:
        return None
    used = db.session.scalar(
        select(func.count(Submission.id)).where(
            Submission.user_id == user.id,
            Submission.credential_id == credential_id,
            Submission.status == SubmissionStatus.NOT_YET,
        )
    )
    return max(0, version.max_attempts - int(used or 0))


def mine(user: User, args: PageArgs, *, full: bool = False) -> Page[Submission]:
    """One page of the user's submissions, newest first, with each one's credential version.

    ``full`` also loads what the API shows of each (answers, files, events, the version's
    prompts), a fixed few statements for the whole page rather than some per row."""
    query = (
        select(Submission)
        .where(Submission.user_id == user.id)
        .options(joinedload(Submission.version))
        .order_by(Submission.id.desc())
    )
    if full:
        query = query.options(
            selectinload(Submission.answers),
            selectinload(Submission.files),
            selectinload(Submission.events),
            joinedload(Submission.version).selectinload(CredentialVersion.prompts),
        )
    return paginate(query, args)


def open_attempt(user: User, credential_id: int) -> Submission | None:
    """The user's open (draft or under review) attempt at this credential, if any."""
    return db.session.scalar(
        select(Submission).where(
            Submission.user_id == user.id,
            Submission.credential_id == credential_id,
            Submission.status.in_([s.value for s in OPEN_STATUSES]),
        )
    )


def get_own(user: User, submission_id: int, *, lock: bool = False) -> Submission:
    """The user's own submission (another teacher's is not found).

    ``lock`` takes the row lock that every change to a draft holds until commit, so two
    tabs or a save racing a submit are serialised (PostgreSQL; SQLite serialises writers).
    """
    query = select(Submission).where(Submission.id == submission_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    submission = db.session.scalar(query)
    if submission is None or submission.user_id != user.id:
        raise NotFound(_("There is no such submission."))
    return submission


def _draft(submission: Submission) -> None:
    if not submission.is_draft:
        raise Conflict(_("This submission has been submitted and can no longer change."))


def _prompt(submission: Submission, prompt_id: int) -> Prompt:
    version: CredentialVersion = submission.version
    for prompt in version.prompts:
        if prompt.id == prompt_id:
            return prompt
    raise NotFound(_("That prompt is not part of this credential."))


def words(text: str) -> int:
    """The words of an answer, counted as the draft page counts them: a tag separates words
    (``one</p><p>two`` is two, as a carried action-research reflection writes paragraphs)."""
    return len(_TAG.sub(" ", nh3.clean(text, tags=ALLOWED_TAGS)).split())


def save_answer(user: User, submission: Submission, prompt_id: int, data: dict[str, Any]) -> Answer:
    _draft(submission)
    prompt = _prompt(submission, prompt_id)
    answer = _answer_row(submission, prompt_id)
    if prompt.kind == "text":
        text = data.get("text")
        if not isinstance(text, str):
            raise InvalidInput(_("This prompt takes a written answer."), {"text": [_("Required.")]})
        clean = nh3.clean(text, tags=ALLOWED_TAGS, link_rel="noopener nofollow")
        if prompt.max_words and words(clean) > prompt.max_words:
            raise InvalidInput(
                _(
                    "The answer has %(words)s words; the limit is %(limit)s.",
                    words=words(clean),
                    limit=prompt.max_words,
                ),
                {"text": [_("Too long.")]},
            )
        answer.text = clean
    elif prompt.kind == "link":
        url = data.get("url")
        if (
            not isinstance(url, str)
            or not url.startswith(("https://", "http://"))
            or len(url) > 2000
        ):
            raise InvalidInput(
                _("Give a link that starts with https://."), {"url": [_("A web address.")]}
            )
        answer.url = url
    else:
        raise InvalidInput(
            _("This prompt takes a file upload."), {"prompt_id": [_("Upload a file.")]}
        )
    answer.updated_at = submission.updated_at = utcnow()
    db.session.flush()
    return answer


def _answer_row(submission: Submission, prompt_id: int) -> Answer:
    """The draft's answer row for ``prompt_id``, created if missing.

    Two tabs saving a first answer at once both try to insert it; the loser of that race
    reads the winner's row and overwrites it (last write wins, never two rows).
    """
    answer = next((a for a in submission.answers if a.prompt_id == prompt_id), None)
    if answer is not None:
        return answer
    try:
        with db.session.begin_nested():
            answer = Answer(submission_id=submission.id, prompt_id=prompt_id)
            db.session.add(answer)
    except IntegrityError:
        answer = db.session.scalars(
            select(Answer).where(
                Answer.submission_id == submission.id, Answer.prompt_id == prompt_id
            )
        ).one()
    db.session.refresh(submission, ["answers"])
    return answer


def _file_prompt(submission: Submission, prompt_id: int) -> Prompt:
    _draft(submission)
    prompt = _prompt(submission, prompt_id)
    if prompt.kind != "file":
        raise InvalidInput(
            _("This prompt does not take files."), {"prompt_id": [_("Not a file prompt.")]}
        )
    return prompt


def _accepts(prompt: Prompt) -> Accepts:
    return Accepts(prompt.allowed_kinds or [], file_limit(prompt))


def _check_kind(prompt: Prompt, head: bytes) -> str:
    return uploads.check_kind(_accepts(prompt), head)


def file_limit(prompt: Prompt) -> int:
    """The largest file ``prompt`` accepts, in bytes (never above MAX_EVIDENCE_MB)."""
    ceiling: int = current_app.extensions["settings"].max_evidence_mb
    return min(prompt.max_mb or 25, ceiling) * 1024 * 1024


def upload_limit_for(submission_id: int, **_values: Any) -> int:
    """The body limit for an upload route (the app's default for an unknown submission)."""
    submission = db.session.get(Submission, submission_id)
    if submission is None:
        return int(current_app.config["MAX_CONTENT_LENGTH"])
    return upload_limit(submission)


def upload_limit(submission: Submission) -> int:
    """The largest request body an upload to this submission needs (its largest file)."""
    limits = [file_limit(p) for p in submission.version.prompts if p.kind == "file"]
    return max(limits, default=1024 * 1024) + 1024 * 1024  # the multipart envelope


def _too_large(prompt: Prompt) -> InvalidInput:
    return uploads.too_large(_accepts(prompt))


def _store(key: str, stream: Any, limit: int, kind: str, prompt: Prompt) -> Any:
    return uploads.store(key, stream, Accepts(prompt.allowed_kinds or [], limit), kind)


@contextmanager
def _cleaned(kind: str, stream: Any, prompt: Prompt) -> Iterator[Cleaned]:
    with uploads.cleaned_upload(kind, stream, _accepts(prompt)) as result:
        yield result


def add_file(
    user: User, submission: Submission, prompt_id: int, stream: Readable, filename: str
) -> EvidenceFile:
    """Store an upload after checking its real kind and size; nothing half-saved on failure.

    Photos lose their location (EXIF/XMP), PDFs and Office documents their author details,
    on the way into storage; the recorded SHA-256 is of what was stored. The caller commits;
    if that fails it deletes ``record.storage_key``.
    """
    prompt = _file_prompt(submission, prompt_id)
    stored, kind = uploads.store_upload(stream, f"submissions/{submission.id}", _accepts(prompt))
    return _record(submission, prompt, stored, kind, filename)


def _record(
    submission: Submission, prompt: Prompt, stored: Any, kind: str, filename: str
) -> EvidenceFile:
    record = EvidenceFile(
        prompt_id=prompt.id,
        storage_key=stored.key,
        filename=safe_filename(filename),
        kind=kind,
        size=stored.size,
        sha256=stored.sha256,
    )
    submission.files.append(record)
    submission.updated_at = utcnow()
    try:
        db.session.flush()
    except Exception:
        storage().delete(stored.key)
        raise
    return record


def remove_file(user: User, submission: Submission, file_id: int) -> None:
    """Take a file off a draft; its stored object goes once no attempt points at it."""
    _draft(submission)
    record = own_file(submission, file_id)
    key = record.storage_key
    submission.files.remove(record)
    submission.updated_at = utcnow()
    db.session.flush()
    forget_if_unused(key)


def key_in_use(key: str) -> bool:
    """Whether any evidence record or action-research file points at stored ``key``."""
    used = db.session.scalar(
        select(func.count(EvidenceFile.id)).where(EvidenceFile.storage_key == key)
    )
    if used:
        return True
    return bool(
        db.session.scalar(
            select(func.count(ResearchFile.id)).where(ResearchFile.storage_key == key)
        )
    )


def forget_if_unused(key: str) -> None:
    """Delete stored ``key`` once the transaction commits, unless an evidence record or an
    action-research file still points at it (files are shared by reference)."""
    if not key_in_use(key):
        store = storage()
        after_commit(lambda: store.delete(key))


def own_file(submission: Submission, file_id: int) -> EvidenceFile:
    record = next((f for f in submission.files if f.id == file_id), None)
    if record is None:
        raise NotFound(_("There is no such file."))
    return record


def _upload_tokens() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="direct-upload")


def direct_uploads_enabled() -> bool:
    return isinstance(storage(), S3Storage)


def begin_direct_upload(
    user: User, submission: Submission, prompt_id: int, filename: str, content_type: str
) -> dict[str, Any]:
    """A presigned POST for the browser to send a large file straight to S3.

    The policy caps the size at the prompt's limit and fixes the type and encryption. The
    returned token names the object; :func:`complete_direct_upload` checks what arrived.
    """
    prompt = _file_prompt(submission, prompt_id)
    store = storage()
    if not isinstance(store, S3Storage):
        raise Conflict(
            _("Direct uploads need S3 storage; send the file to the submission's files instead.")
        )
    kind = next((k for k, t in KIND_TYPES.items() if t == content_type), None)
    allowed = prompt.allowed_kinds or []
    if kind not in allowed:
        raise InvalidInput(
            _("This prompt accepts %(kinds)s.", kinds=", ".join(allowed)),
            {"content_type": [_("Wrong kind.")]},
        )
    key = f"submissions/{submission.id}/{uuid.uuid4().hex}.{kind}"
    post = store.presigned_post(
        key, limit=file_limit(prompt), content_type=content_type, seconds=DIRECT_UPLOAD_SECONDS
    )
    token = _upload_tokens().dumps(
        {"s": submission.id, "u": user.id, "p": prompt.id, "k": key, "n": safe_filename(filename)}
    )
    return {
        "url": post["url"],
        "fields": post["fields"],
        "token": token,
        "max_bytes": file_limit(prompt),
    }


def complete_direct_upload(user: User, submission: Submission, token: str) -> EvidenceFile:
    """Check an object the browser put in S3 and record it, or delete it and say why."""
    try:
        data = _upload_tokens().loads(token, max_age=DIRECT_UPLOAD_SECONDS * 2)
    except SignatureExpired as error:
        raise InvalidInput(_("This upload started too long ago; upload the file again.")) from error
    except BadSignature as error:
        raise InvalidInput(_("That is not an upload token from this site.")) from error
    if data.get("s") != submission.id or data.get("u") != user.id:
        raise NotFound(_("There is no such upload for this submission."))
    existing = next((f for f in submission.files if f.storage_key == data["k"]), None)
    if existing is not None:  # completed already (a double click or a retry)
        return existing
    prompt = _file_prompt(submission, int(data["p"]))
    store = storage()
    key = str(data["k"])
    size = store.size(key)
    if size is None:
        raise InvalidInput(_("The file did not arrive in storage; upload it again."))
    try:
        if size > file_limit(prompt):
            raise _too_large(prompt)
        chunks = store.open(key)
        stream = IterReader(chunks)
        head = stream.read(HEAD_BYTES)
        kind = _check_kind(prompt, head)
        if kind in REWRITTEN_KINDS or not key.endswith(f".{kind}"):
            # Rewrite: strip location and author details, and name the object by its real
            # kind (the object is within the prompt's size limit, checked above).
            with _cleaned(kind, Prefixed(head, stream), prompt) as clean:
                kind = clean.kind
                new_key = f"submissions/{submission.id}/{uuid.uuid4().hex}.{kind}"
                stored = _store(new_key, clean.stream, file_limit(prompt), kind, prompt)
            store.delete(key)
        else:
            digest = hashlib.sha256(head)
            while chunk := stream.read(1024 * 1024):
                digest.update(chunk)
            stored = Stored(key, size, digest.hexdigest())
    except InvalidInput:
        store.delete(key)
        raise
    except StorageError as error:
        raise InvalidInput(str(error), {"file": [_("Not saved.")]}) from error
    return _record(submission, prompt, stored, kind, str(data["n"]))


def problems(submission: Submission) -> list[str]:
    """What stops this draft from being submitted, in words a teacher understands."""
    found: list[str] = []
    for prompt in submission.version.prompts:
        answer = next((a for a in submission.answers if a.prompt_id == prompt.id), None)
        if prompt.kind == "file":
            if not any(f.prompt_id == prompt.id for f in submission.files):
                found.append(_("Upload a file for “%(label)s”.", label=prompt.label))
        elif prompt.kind == "link":
            if answer is None or not answer.url:
                found.append(_("Give a link for “%(label)s”.", label=prompt.label))
        else:
            count = words(answer.text) if answer else 0
            if count == 0:
                found.append(_("Answer “%(label)s”.", label=prompt.label))
            elif prompt.min_words and count < prompt.min_words:
                found.append(
                    _(
                        "“%(label)s” needs at least %(least)s words (now %(count)s).",
                        label=prompt.label,
                        least=prompt.min_words,
                        count=count,
                    )
                )
            elif prompt.max_words and count > prompt.max_words:
                found.append(
                    _(
                        "“%(label)s” allows at most %(most)s words (now %(count)s).",
                        label=prompt.label,
                        most=prompt.max_words,
                        count=count,
                    )
                )
    return found


def content_hash(submission: Submission) -> str:
    content = {
        "version": submission.version_id,
        "answers": sorted((a.prompt_id, a.text, a.url or "") for a in submission.answers),
        "files": sorted((f.prompt_id, f.sha256) for f in submission.files),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def submit(user: User, submission: Submission, *, evidence_public: bool = False) -> Submission:
    """Freeze a complete draft. ``evidence_public``: the teacher's consent that the badge may
    link to this evidence (default no)."""
    _draft(submission)
    missing = problems(submission)
    if missing:
        raise InvalidInput(
            _("The submission is not complete: %(problems)s", problems=" ".join(missing)),
            {"submit": missing},
        )
    submission.content_sha256 = content_hash(submission)
    submission.evidence_public = evidence_public
    submission.submitted_at = utcnow()
    _event(submission, user, SubmissionStatus.SUBMITTED)
    db.session.flush()
    events.publish(events.submission_submitted, submission=submission)  # asks for a review
    return submission


def withdraw(user: User, submission: Submission) -> Submission:
    if submission.status != SubmissionStatus.SUBMITTED:
        raise Conflict(_("Only a submission waiting for a reviewer can be withdrawn."))
    _event(submission, user, SubmissionStatus.WITHDRAWN)
    db.session.flush()
    events.publish(events.submission_withdrawn, submission=submission)  # ends its reviews
    return submission


def orphaned_keys(min_age_seconds: int = 3600) -> list[str]:
    """Stored objects under submissions/ and research/ (action-research files) that no
    evidence record and no research file points at.

    An upload whose transaction failed after the object was written leaves one, and so does a
    direct upload the browser never completed; the age bound keeps uploads still in flight
    (up to an hour for a large video) out of the list.
    """
    old = [
        *storage().keys("submissions/", older_than=min_age_seconds),
        *storage().keys("research/", older_than=min_age_seconds),
    ]
    known = set(db.session.scalars(select(EvidenceFile.storage_key)))
    known |= set(db.session.scalars(select(ResearchFile.storage_key)))
    return [k for k in old if k not in known]


# The teacher's home ------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenAttempt:
    """An open attempt and what the teacher does next with it."""

    submission: Submission
    next_step: str
    to_do: int  # what still stops a draft from being submitted (0 once it could be)


@dataclass(frozen=True)
class TeacherHome:
    open: list[OpenAttempt]
    open_total: int
    decided: list[Submission]  # the latest decisions, newest first


def home_summary(user: User, limit: int = 5) -> TeacherHome:
    """The teacher's open attempts (the latest ``limit``, each with its next step, worked out
    by :func:`problems` as the submit button does) and latest decisions: six statements at
    most whatever the number of submissions (the open page and its total, the answers, files
    and prompts of that page, the decisions)."""
    open_page = paginate(
        select(Submission)
        .where(
            Submission.user_id == user.id,
            Submission.status.in_([s.value for s in OPEN_STATUSES]),
        )
        .options(
            joinedload(Submission.version).selectinload(CredentialVersion.prompts),
            selectinload(Submission.answers),
            selectinload(Submission.files),
        )
        .order_by(Submission.updated_at.desc(), Submission.id.desc()),
        PageArgs(per_page=limit),
    )
    attempts = []
    for submission in open_page.items:
        if submission.is_draft:
            missing = problems(submission)
            step = missing[0] if missing else _("Everything is answered: submit it for review.")
            attempts.append(OpenAttempt(submission, step, len(missing)))
        elif submission.status == SubmissionStatus.SUBMITTED:
            attempts.append(OpenAttempt(submission, _("Submitted: waiting for a reviewer."), 0))
        else:
            attempts.append(OpenAttempt(submission, _("A reviewer is scoring it."), 0))

    decided = list(
        db.session.scalars(
            select(Submission)
            .where(
                Submission.user_id == user.id,
                Submission.status.in_([SubmissionStatus.PASSED, SubmissionStatus.NOT_YET]),
            )
            .options(joinedload(Submission.version))
            .order_by(Submission.decided_at.desc(), Submission.id.desc())
            .limit(limit)
        )
    )
    return TeacherHome(attempts, open_page.total, decided)
