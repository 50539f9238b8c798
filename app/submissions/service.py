"""Teachers' submissions: start, answer, attach files, submit (freeze), withdraw.

Another teacher's submission is "not found" (never "forbidden"): its existence is not shared.
A submitted attempt never changes again; every change of state is a SubmissionEvent.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from typing import Any, BinaryIO

import nh3
from flask import current_app
from sqlalchemy import select

from app.db import db, utcnow
from app.errors import Conflict, InvalidInput, NotFound
from app.models.accounts import User
from app.models.credentials import Credential, CredentialVersion, Prompt
from app.models.submissions import (
    OPEN_STATUSES,
    Answer,
    EvidenceFile,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)
from app.storage import LocalStorage, S3Storage, StorageError, TooLarge, make_storage
from app.submissions.files import HEAD_BYTES, safe_filename, sniff

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "a"}


def storage() -> LocalStorage | S3Storage:
    store = current_app.extensions.get("storage")
    if store is None:
        store = make_storage(current_app.extensions["settings"])
        current_app.extensions["storage"] = store
    return store


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
        raise NotFound("There is no published credential with that id.")
    mine = list(
        db.session.scalars(
            select(Submission).where(
                Submission.user_id == user.id, Submission.credential_id == credential_id
            )
        )
    )
    open_one = next((s for s in mine if s.status in OPEN_STATUSES), None)
    if open_one is not None:
        raise Conflict(f"You already have an open submission ({open_one.id}) for this credential.")
    submission = Submission(
        user_id=user.id,
        credential_id=credential_id,
        version_id=version.id,
        attempt=len(mine) + 1,
        status=SubmissionStatus.DRAFT.value,
    )
    submission.events.append(SubmissionEvent(actor_id=user.id, to_status="draft"))
    db.session.add(submission)
    db.session.flush()
    return submission


def mine(user: User) -> list[Submission]:
    return list(
        db.session.scalars(
            select(Submission).where(Submission.user_id == user.id).order_by(Submission.id.desc())
        )
    )


def get_own(user: User, submission_id: int) -> Submission:
    submission = db.session.get(Submission, submission_id)
    if submission is None or submission.user_id != user.id:
        raise NotFound("There is no such submission.")
    return submission


def _draft(submission: Submission) -> None:
    if not submission.is_draft:
        raise Conflict("This submission has been submitted and can no longer change.")


def _prompt(submission: Submission, prompt_id: int) -> Prompt:
    version: CredentialVersion = submission.version
    for prompt in version.prompts:
        if prompt.id == prompt_id:
            return prompt
    raise NotFound("That prompt is not part of this credential.")


def words(text: str) -> int:
    return len(nh3.clean(text, tags=set()).split())


def save_answer(user: User, submission: Submission, prompt_id: int, data: dict[str, Any]) -> Answer:
    _draft(submission)
    prompt = _prompt(submission, prompt_id)
    answer = next((a for a in submission.answers if a.prompt_id == prompt_id), None)
    if answer is None:
        answer = Answer(prompt_id=prompt_id)
        submission.answers.append(answer)
    if prompt.kind == "text":
        text = data.get("text")
        if not isinstance(text, str):
            raise InvalidInput("This prompt takes a written answer.", {"text": ["Required."]})
        clean = nh3.clean(text, tags=ALLOWED_TAGS, link_rel="noopener nofollow")
        if prompt.max_words and words(clean) > prompt.max_words:
            raise InvalidInput(
                f"The answer has {words(clean)} words; the limit is {prompt.max_words}.",
                {"text": ["Too long."]},
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
                "Give a link that starts with https://.", {"url": ["A web address."]}
            )
        answer.url = url
    else:
        raise InvalidInput("This prompt takes a file upload.", {"prompt_id": ["Upload a file."]})
    answer.updated_at = submission.updated_at = utcnow()
    db.session.flush()
    return answer


def add_file(
    user: User, submission: Submission, prompt_id: int, stream: BinaryIO, filename: str
) -> EvidenceFile:
    """Store an upload after checking its real kind and size; nothing half-saved on failure."""
    _draft(submission)
    prompt = _prompt(submission, prompt_id)
    if prompt.kind != "file":
        raise InvalidInput(
            "This prompt does not take files.", {"prompt_id": ["Not a file prompt."]}
        )
    head = stream.read(HEAD_BYTES)
    if not head:
        raise InvalidInput("The file is empty.", {"file": ["Empty file."]})
    kind = sniff(head)
    allowed = prompt.allowed_kinds or []
    if kind not in allowed:
        found = f"a {kind.upper()} file" if kind else "a kind of file we cannot recognise"
        raise InvalidInput(
            f"This is {found}; this prompt accepts {', '.join(allowed)}.", {"file": ["Wrong kind."]}
        )
    limit = (prompt.max_mb or 25) * 1024 * 1024
    key = f"submissions/{submission.id}/{uuid.uuid4().hex}.{kind}"
    store = storage()
    try:
        stored = store.put(key, _Prefixed(head, stream), limit=limit, content_type=_type(kind))
    except TooLarge as error:
        raise InvalidInput(
            f"The file is larger than {prompt.max_mb} MB.", {"file": ["Too large."]}
        ) from error
    except StorageError as error:
        raise InvalidInput(str(error), {"file": ["Not saved."]}) from error
    record = EvidenceFile(
        prompt_id=prompt_id,
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
        store.delete(stored.key)
        raise
    return record


class _Prefixed:
    """The bytes already read to sniff the kind, then the rest of the stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self.head = head
        self.rest = rest

    def read(self, size: int = -1) -> bytes:
        if self.head:
            out, self.head = (
                (self.head, b"")
                if size < 0 or size >= len(self.head)
                else (
                    self.head[:size],
                    self.head[size:],
                )
            )
            return out
        return self.rest.read(size)


def _type(kind: str) -> str:
    return {
        "pdf": "application/pdf",
        "png": "image/png",
        "jpg": "image/jpeg",
        "mp4": "video/mp4",
        "mov": "video/quicktime",
        "m4a": "audio/mp4",
        "mp3": "audio/mpeg",
        "txt": "text/plain",
    }.get(kind, "application/octet-stream")


def problems(submission: Submission) -> list[str]:
    """What stops this draft from being submitted, in words a teacher understands."""
    found: list[str] = []
    for prompt in submission.version.prompts:
        answer = next((a for a in submission.answers if a.prompt_id == prompt.id), None)
        if prompt.kind == "file":
            if not any(f.prompt_id == prompt.id for f in submission.files):
                found.append(f"Upload a file for “{prompt.label}”.")
        elif prompt.kind == "link":
            if answer is None or not answer.url:
                found.append(f"Give a link for “{prompt.label}”.")
        else:
            count = words(answer.text) if answer else 0
            if count == 0:
                found.append(f"Answer “{prompt.label}”.")
            elif prompt.min_words and count < prompt.min_words:
                found.append(
                    f"“{prompt.label}” needs at least {prompt.min_words} words (now {count})."
                )
            elif prompt.max_words and count > prompt.max_words:
                found.append(
                    f"“{prompt.label}” allows at most {prompt.max_words} words (now {count})."
                )
    return found


def content_hash(submission: Submission) -> str:
    content = {
        "version": submission.version_id,
        "answers": sorted((a.prompt_id, a.text, a.url or "") for a in submission.answers),
        "files": sorted((f.prompt_id, f.sha256) for f in submission.files),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def submit(user: User, submission: Submission) -> Submission:
    _draft(submission)
    missing = problems(submission)
    if missing:
        raise InvalidInput(
            "The submission is not complete: " + " ".join(missing), {"submit": missing}
        )
    submission.content_sha256 = content_hash(submission)
    submission.submitted_at = utcnow()
    _event(submission, user, SubmissionStatus.SUBMITTED)
    db.session.flush()
    return submission


def withdraw(user: User, submission: Submission) -> Submission:
    if submission.status != SubmissionStatus.SUBMITTED:
        raise Conflict("Only a submission waiting for a reviewer can be withdrawn.")
    _event(submission, user, SubmissionStatus.WITHDRAWN)
    db.session.flush()
    return submission


def orphaned_keys(min_age_seconds: int = 3600) -> list[str]:
    """Stored objects under submissions/ that no evidence record points at.

    An upload whose transaction failed after the object was written leaves one; the age bound
    keeps uploads still in flight out of the list (local storage only knows modification times,
    so the bound applies there; S3 objects are listed as they are).
    """
    known = set(db.session.scalars(select(EvidenceFile.storage_key)))
    store = storage()
    candidates = [k for k in store.keys("submissions/") if k not in known]
    if isinstance(store, LocalStorage):
        cutoff = time.time() - min_age_seconds
        candidates = [k for k in candidates if (store.root / k).stat().st_mtime < cutoff]
    return candidates
