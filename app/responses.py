"""Responses more than one feature sends: a badge image and an evidence file.

Views of several features answer with these (the catalog and the hosted badge documents send
badge images; the teacher, the reviewer and public evidence pages send evidence files), so they
live here, below every feature, rather than in one feature's views.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Response, redirect, request

from app.images import SVG_MIMETYPE
from app.models.communities import CommunityFile
from app.models.learning import ResearchFile
from app.models.submissions import EvidenceFile
from app.storage import S3Storage, storage

IMAGE_MAX_AGE = 3600
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"
DOWNLOAD_LINK_SECONDS = 5 * 60


def image_response(data: bytes, mimetype: str) -> Any:
    """A badge image, cacheable, with a CSP that keeps an SVG inert."""
    etag = hashlib.sha256(data).hexdigest()[:32]
    response = Response(data, mimetype=mimetype)
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = IMAGE_MAX_AGE
    response.headers["X-Content-Type-Options"] = "nosniff"
    if mimetype == SVG_MIMETYPE:
        response.headers["Content-Security-Policy"] = SVG_CSP
    else:
        response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response.make_conditional(request)


def file_response(
    record: EvidenceFile | ResearchFile | CommunityFile, filename: str | None = None
) -> Any:
    """The evidence file: a five-minute S3 link, or streamed through the app.

    ``filename`` replaces the teacher's file name (reviewers see neutral names)."""
    name = filename or record.filename
    link = download_link(record, name)
    if link:
        return redirect(link, 303)
    response = Response(storage().open(record.storage_key), mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Content-Length"] = str(record.size)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def download_link(record: EvidenceFile | ResearchFile | CommunityFile, filename: str) -> str | None:
    """A presigned S3 link that works for five minutes, or None (stream it through the app)."""
    store = storage()
    if isinstance(store, S3Storage):
        return store.presigned_get(
            record.storage_key,
            seconds=DOWNLOAD_LINK_SECONDS,
            filename=filename,
            content_type="application/octet-stream",
        )
    return None
