"""Taking in one uploaded file as evidence: its real kind checked against what is accepted,
its size capped, location and author details cleaned away, then stored.

Shared by a submission's file prompts (``app.submissions.service``) and the files of an
action-research checkpoint (``app.learning.research``): each says what it accepts
(:class:`Accepts`) and under which storage prefix; the checks and their messages are the same.
Nothing here writes to the database.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.errors import InvalidInput
from app.storage import Readable, StorageError, Stored, TooLarge, storage
from app.submissions.cleaning import OFFICE_KINDS, Cleaned, DamagedDocument, cleaned
from app.submissions.files import HEAD_BYTES, DamagedImage, sniff

KIND_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "jpg": "image/jpeg",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "m4a": "audio/mp4",
    "mp3": "audio/mpeg",
    "txt": "text/plain",
}


@dataclass(frozen=True)
class Accepts:
    """What a place for files takes: its kinds, its size limit in bytes, and its name in
    messages ("this prompt accepts pdf, docx"), marked for translation (``_l``)."""

    kinds: Sequence[str]
    limit: int
    what: str = _l("this prompt")


def check_kind(accepts: Accepts, head: bytes) -> str:
    """The kind the file's first bytes show, if accepted.

    An Office document's first bytes only suggest which one it is (Excel and PowerPoint
    files often start like Word ones): a guess passes when any Office kind is accepted, and
    :func:`check_real_kind` decides once the package has been read."""
    if not head:
        raise InvalidInput(_("The file is empty."), {"file": [_("Empty file.")]})
    kind = sniff(head)
    if kind in OFFICE_KINDS and OFFICE_KINDS & set(accepts.kinds):
        return kind
    return check_real_kind(accepts, kind)


def check_real_kind(accepts: Accepts, kind: str | None) -> str:
    if kind is None or kind not in accepts.kinds:
        found = (
            _("a %(kind)s file", kind=kind.upper())
            if kind
            else _("a kind of file we cannot recognise")
        )
        raise InvalidInput(
            _(
                "This is %(found)s; %(what)s accepts %(kinds)s.",
                found=found,
                what=accepts.what,
                kinds=", ".join(accepts.kinds),
            ),
            {"file": [_("Wrong kind.")]},
        )
    return kind


def too_large(accepts: Accepts) -> InvalidInput:
    mb = accepts.limit // (1024 * 1024)
    return InvalidInput(_("The file is larger than %(mb)s MB.", mb=mb), {"file": [_("Too large.")]})


def store(key: str, stream: Readable, accepts: Accepts, kind: str) -> Stored:
    """Write ``stream`` under ``key``; storage problems become messages for the teacher."""
    try:
        return storage().put(key, stream, limit=accepts.limit, content_type=KIND_TYPES[kind])
    except TooLarge as error:
        raise too_large(accepts) from error
    except DamagedImage as error:
        raise InvalidInput(
            _("The image could not be read (%(error)s); export it again and retry.", error=error),
            {"file": [_("Damaged image.")]},
        ) from error
    except StorageError as error:
        raise InvalidInput(str(error), {"file": [_("Not saved.")]}) from error


@contextmanager
def cleaned_upload(kind: str, stream: Readable, accepts: Accepts) -> Iterator[Cleaned]:
    """The upload without location or author details (see app.submissions.cleaning), its
    real kind checked; errors become messages for the teacher."""
    try:
        with cleaned(kind, stream, limit=accepts.limit) as result:
            check_real_kind(accepts, result.kind)
            yield result
    except TooLarge as error:
        raise too_large(accepts) from error
    except DamagedDocument as error:
        raise InvalidInput(str(error), {"file": [_("Damaged document.")]}) from error


class Prefixed:
    """The bytes already read to sniff the kind, then the rest of the stream."""

    def __init__(self, head: bytes, rest: Readable) -> None:
        self.head = head
        self.rest = rest

    def read(self, size: int = -1) -> bytes:
        if self.head:
            if size < 0 or size >= len(self.head):
                out, self.head = self.head, b""
            else:
                out, self.head = self.head[:size], self.head[size:]
            return out
        return self.rest.read(size)


def store_upload(stream: Readable, prefix: str, accepts: Accepts) -> tuple[Stored, str]:
    """Check, clean and store an upload under ``<prefix>/<uuid>.<kind>``: (what was stored,
    its real kind). Raises InvalidInput (nothing stored) for an empty, unrecognised, refused,
    damaged or too large file. The caller records the object; if its commit fails it deletes
    ``stored.key``."""
    head = stream.read(HEAD_BYTES)
    kind = check_kind(accepts, head)
    with cleaned_upload(kind, Prefixed(head, stream), accepts) as clean:
        kind = clean.kind
        stored = store(f"{prefix}/{uuid.uuid4().hex}.{kind}", clean.stream, accepts, kind)
    return stored, kind
