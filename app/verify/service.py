"""Verifying any Open Badges 2.0 badge for anyone, through the badges library.

One process-wide cache of fetched documents (bounded in time and count, honouring
Cache-Control) means a district checking 500 badges of one issuer fetches its profile and key
once. Remote fetches refuse private, loopback and link-local addresses unless
BADGES_ALLOW_PRIVATE_HOSTS=1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, BinaryIO

from flask import current_app

from badges.bake import read_limited
from badges.errors import BadgeError
from badges.fetch import CachingFetcher, SafeFetcher
from badges.verify import Report, verify

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
CACHE_SECONDS = 300


def fetcher() -> CachingFetcher:
    """The app's shared, thread-safe document cache (one per app, so per worker process)."""
    cached: CachingFetcher | None = current_app.extensions.get("badge_fetcher")
    if cached is None:
        allow_private = bool(current_app.extensions["settings"].badges_allow_private_hosts)
        cached = CachingFetcher(
            SafeFetcher(allow_private=allow_private), ttl=CACHE_SECONDS, max_entries=2000
        )
        current_app.extensions["badge_fetcher"] = cached
    return cached


@dataclass(frozen=True)
class Verdict:
    word: str  # Valid, Not valid, Revoked, Expired
    tone: str  # success, error, warning
    summary: str


def verdict(report: Report) -> Verdict:
    failed = {c.name: c for c in report.checks if c.status == "fail"}
    if report.valid:
        return Verdict("Valid", "success", "This badge is authentic, current and unrevoked.")
    if "revocation" in failed:
        return Verdict("Revoked", "error", failed["revocation"].message)
    if "dates" in failed and "expired" in failed["dates"].message:
        return Verdict("Expired", "warning", failed["dates"].message)
    first = next(iter(failed.values()), None)
    return Verdict(
        "Not valid", "error", first.message if first else "The badge could not be checked."
    )


def check(source: str | bytes | dict[str, Any], recipient: str | None = None) -> Report:
    recipient = (recipient or "").strip() or None
    return verify(source, fetcher=fetcher(), recipient=recipient)


def read_upload(stream: BinaryIO) -> bytes:
    """The uploaded file, refused once it passes the cap (never read whole)."""
    try:
        return read_limited(stream, MAX_UPLOAD_BYTES)
    except BadgeError as error:
        raise BadgeError(
            "The file is larger than 5 MB; a baked badge image is much smaller."
        ) from error
