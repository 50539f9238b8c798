"""A community's threads: a title and a first post, then replies. A post is plain text
(shown escaped, never as HTML), an optional http(s) link and an optional file taken in like
evidence (real kind sniffed, size capped, location and author details cleaned away; see
``app.submissions.uploads``) and stored under ``communities/<community id>/``.

Only the community's active members read and write threads; for anyone else a thread, a post
or a file is not found. Services flush; an upload's caller commits and, if that fails,
deletes the stored object (:attr:`CommunityFile.storage_key`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import false, select
from sqlalchemy.orm import joinedload, selectinload

from app.checks import raise_problems, text_field, whole
from app.communities.service import CommunityView, member_view
from app.db import db, utcnow
from app.errors import NotFound
from app.models.accounts import User
from app.models.communities import CommunityFile, CommunityPost, CommunityThread
from app.pagination import Page, PageArgs, paginate
from app.storage import Readable, storage
from app.submissions.files import safe_filename
from app.submissions.uploads import Accepts, store_upload

MAX_TITLE = 200
MAX_BODY = 5000
MAX_URL = 2000
FILE_KINDS = ("pdf", "docx", "pptx", "xlsx", "png", "jpg", "mp4", "mov", "m4a", "mp3")
MAX_FILE_MB = 25


@dataclass
class Upload:
    """A file a post carries: its bytes and the name the person gave it."""

    stream: Readable
    filename: str


def file_limit() -> int:
    """The largest file a post takes, in bytes (never above MAX_EVIDENCE_MB)."""
    ceiling: int = current_app.extensions["settings"].max_evidence_mb
    return min(MAX_FILE_MB, ceiling) * 1024 * 1024


def upload_limit(**_kwargs: Any) -> int:
    """The request body a post with a file may need (the multipart envelope besides)."""
    return file_limit() + 1024 * 1024


def accepts() -> Accepts:
    return Accepts(FILE_KINDS, file_limit(), _("a post"))


def checked_link(value: Any, problems: dict[str, list[str]]) -> str | None:
    """An absolute http(s) link, or None when left out; anything else is a problem."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        problems["link"] = [_("A link is text, e.g. https://example.org/article.")]
        return None
    value = value.strip()
    parts = urlsplit(value)
    if len(value) > MAX_URL:
        problems["link"] = [_("A link is at most %(most)s characters.", most=MAX_URL)]
    elif parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in value:
        problems["link"] = [_("Links start with http:// or https://, e.g. https://example.org/.")]
    return value or None


def _post_fields(data: dict[str, Any], problems: dict[str, list[str]]) -> tuple[str, str | None]:
    body = text_field(data, "body", MAX_BODY, problems, _("The post"))
    link = checked_link(data.get("link"), problems)
    return body, link


def _attach(found: CommunityView, post: CommunityPost, upload: Upload | None) -> None:
    """Store the post's file (if any) and record it; a failed flush deletes the object."""
    if upload is None:
        return
    stored, kind = store_upload(upload.stream, f"communities/{found.community.id}", accepts())
    record = CommunityFile(
        storage_key=stored.key,
        filename=safe_filename(upload.filename),
        kind=kind,
        size=stored.size,
        sha256=stored.sha256,
    )
    post.files.append(record)
    try:
        db.session.flush()
    except Exception:
        storage().delete(stored.key)
        raise


def start_thread(
    user: User, community_id: Any, data: dict[str, Any], upload: Upload | None = None
) -> CommunityThread:
    """A new thread: ``title`` and a first post (``body`` required, ``link`` optional) with
    an optional file. InvalidInput with field messages stores nothing."""
    found = member_view(user, community_id)
    problems: dict[str, list[str]] = {}
    title = text_field(data, "title", MAX_TITLE, problems, _("The title"))
    if not title and "title" not in problems:
        problems["title"] = [_("Give the thread a title.")]
    body, link = _post_fields(data, problems)
    if not body and "body" not in problems:
        problems["body"] = [_("Write the first post.")]
    raise_problems(problems)
    now = utcnow()
    thread = CommunityThread(
        community_id=found.community.id,
        author_id=user.id,
        title=title,
        created_at=now,
        last_post_at=now,
        post_count=1,
    )
    db.session.add(thread)
    db.session.flush()
    post = CommunityPost(thread_id=thread.id, author_id=user.id, body=body, link_url=link)
    db.session.add(post)
    db.session.flush()
    _attach(found, post, upload)
    return thread


def _thread(found: CommunityView, thread_id: Any) -> CommunityThread:
    thread: CommunityThread | None = db.session.scalar(
        select(CommunityThread)
        .where(
            CommunityThread.id == thread_id if whole(thread_id) else false(),
            CommunityThread.community_id == found.community.id,
        )
        .options(joinedload(CommunityThread.author))
    )
    if thread is None:
        raise NotFound(_("This community has no thread with that id."))
    return thread


def thread_view(user: User, community_id: Any, thread_id: Any) -> tuple[CommunityView, Any]:
    """A thread of a community ``user`` is an active member of; NotFound otherwise."""
    found = member_view(user, community_id)
    return found, _thread(found, thread_id)


def reply(
    user: User,
    community_id: Any,
    thread_id: Any,
    data: dict[str, Any],
    upload: Upload | None = None,
) -> CommunityPost:
    """A reply: ``body``, ``link`` or a file (at least one)."""
    found, thread = thread_view(user, community_id, thread_id)
    problems: dict[str, list[str]] = {}
    body, link = _post_fields(data, problems)
    if not body and link is None and upload is None and not problems:
        problems["body"] = [_("Write your reply (or share a link or a file).")]
    raise_problems(problems)
    post = CommunityPost(thread_id=thread.id, author_id=user.id, body=body, link_url=link)
    db.session.add(post)
    thread.last_post_at = utcnow()
    thread.post_count = thread.post_count + 1
    db.session.flush()
    _attach(found, post, upload)
    return post


def threads(found: CommunityView, args: PageArgs) -> Page[CommunityThread]:
    """The community's threads, latest activity first, with their authors: two statements."""
    return paginate(
        select(CommunityThread)
        .where(CommunityThread.community_id == found.community.id)
        .options(joinedload(CommunityThread.author))
        .order_by(CommunityThread.last_post_at.desc(), CommunityThread.id.desc()),
        args,
    )


def posts(thread: CommunityThread, args: PageArgs) -> Page[CommunityPost]:
    """A thread's posts, oldest first, with authors and files: three statements."""
    return paginate(
        select(CommunityPost)
        .where(CommunityPost.thread_id == thread.id)
        .options(joinedload(CommunityPost.author), selectinload(CommunityPost.files))
        .order_by(CommunityPost.created_at, CommunityPost.id),
        args,
    )


def community_posts(
    found: CommunityView, thread: CommunityThread | None, args: PageArgs
) -> Page[CommunityPost]:
    """The posts of a community, newest first, or of one of its threads, oldest first, with
    their threads, authors and files: three statements."""
    statement = (
        select(CommunityPost)
        .join(CommunityThread, CommunityThread.id == CommunityPost.thread_id)
        .where(CommunityThread.community_id == found.community.id)
        .options(
            joinedload(CommunityPost.author),
            joinedload(CommunityPost.thread),
            selectinload(CommunityPost.files),
        )
    )
    if thread is not None:
        statement = statement.where(CommunityPost.thread_id == thread.id).order_by(
            CommunityPost.created_at, CommunityPost.id
        )
    else:
        statement = statement.order_by(CommunityPost.created_at.desc(), CommunityPost.id.desc())
    return paginate(statement, args)


def first_post(thread: CommunityThread) -> CommunityPost:
    found: CommunityPost = db.session.scalars(
        select(CommunityPost)
        .where(CommunityPost.thread_id == thread.id)
        .order_by(CommunityPost.created_at, CommunityPost.id)
        .limit(1)
    ).one()
    return found


def post_file(user: User, community_id: Any, file_id: Any) -> CommunityFile:
    """A file posted in a community ``user`` is an active member of; NotFound otherwise."""
    found = member_view(user, community_id)
    record: CommunityFile | None = db.session.scalar(
        select(CommunityFile)
        .join(CommunityPost, CommunityPost.id == CommunityFile.post_id)
        .join(CommunityThread, CommunityThread.id == CommunityPost.thread_id)
        .where(
            CommunityFile.id == file_id if whole(file_id) else false(),
            CommunityThread.community_id == found.community.id,
        )
    )
    if record is None:
        raise NotFound(_("This community has no file with that id."))
    return record


def stored_keys(thread_id: int) -> list[str]:
    """The stored objects of a thread's files (a new thread's view commits them itself)."""
    return list(
        db.session.scalars(
            select(CommunityFile.storage_key)
            .join(CommunityPost, CommunityPost.id == CommunityFile.post_id)
            .where(CommunityPost.thread_id == thread_id)
        )
    )


def orphaned_keys(min_age_seconds: int = 3600) -> list[str]:
    """Stored objects under communities/ that no post's file points at (an upload whose
    commit failed leaves one)."""
    old = storage().keys("communities/", older_than=min_age_seconds)
    known = set(db.session.scalars(select(CommunityFile.storage_key)))
    return [k for k in old if k not in known]
