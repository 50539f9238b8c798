"""Verifying any Open Badges 2.0 badge for anyone, through the badges library.

One process-wide cache of fetched documents (bounded in time and count, honouring
Cache-Control) means a district checking 500 badges of one issuer fetches its profile and key
once. Remote fetches refuse private, loopback and link-local addresses unless
BADGES_ALLOW_PRIVATE_HOSTS=1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _

from app.errors import NotFound
from app.issuance.published import own_document
from app.models.assertions import Assertion
from badges.bake import read_limited
from badges.errors import BadgeError, FetchError, Gone
from badges.fetch import CachingFetcher, Fetcher, SafeFetcher
from badges.verify import Report, verify

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
CACHE_SECONDS = 300


class LocalFetcher:
    """Answers URLs on our own PUBLIC_BASE_URL from the issuance code directly (no HTTP round
    trip to ourselves, no internal request, and no need to let the guard reach our own
    address); others go on to the remote fetcher."""

    def __init__(self, base_url: str, inner: Fetcher) -> None:
        self.base = base_url.rstrip("/") + "/"
        self.inner = inner
        self.local_hits = 0

    def fetch_json(self, url: str, *, deadline: float | None = None) -> dict[str, Any]:
        if not url.startswith(self.base):
            return self.inner.fetch_json(url, deadline=deadline)
        path = "/" + url.removeprefix(self.base).split("?", 1)[0].split("#", 1)[0]
        try:
            status, document = own_document(path)
        except NotFound as error:
            raise FetchError(f"{url} answered HTTP 404") from error
        if status == 410:
            reason = document.get("revocationReason")
            raise Gone(
                f"{url} is gone (410): the issuer has withdrawn it",
                reason if isinstance(reason, str) else None,
            )
        self.local_hits += 1
        return document


def fetcher() -> LocalFetcher:
    """The app's shared, thread-safe fetcher (one per app, so per worker process).

    Our own documents are read in-process and never cached (a revocation here fails at once);
    other issuers' documents go through a bounded cache and the private-address guard.
    """
    shared: LocalFetcher | None = current_app.extensions.get("badge_fetcher")
    if shared is None:
        settings = current_app.extensions["settings"]
        remote = SafeFetcher(allow_private=bool(settings.badges_allow_private_hosts))
        cached = CachingFetcher(remote, ttl=CACHE_SECONDS, max_entries=2000)
        shared = LocalFetcher(settings.public_base_url, cached)
        current_app.extensions["badge_fetcher"] = shared
    return shared


@dataclass(frozen=True)
class Verdict:
    word: str  # Valid, Not valid, Revoked, Expired
    tone: str  # success, error, warning
    summary: str


def verdict(report: Report) -> Verdict:
    failed = {c.name: c for c in report.checks if c.status == "fail"}
    if report.valid:
        return Verdict("Valid", "success", "This badge is authentic, current and unrevoked.")
    if report.revoked:  # the issuer says so; a revocation list out of reach is "Not valid"
        return Verdict("Revoked", "error", failed["revocation"].message)
    if "dates" in failed and "expired" in failed["dates"].message:
        return Verdict("Expired", "warning", failed["dates"].message)
    first = next(iter(failed.values()), None)
    return Verdict(
        "Not valid", "error", first.message if first else "The badge could not be checked."
    )


def check(
    source: str | bytes | dict[str, Any],
    recipient: str | None = None,
    filename: str | None = None,
) -> Report:
    """The report on ``source``; ``filename`` is an upload's name (a JSON file named .png
    is told it is not an image)."""
    recipient = (recipient or "").strip() or None
    return verify(source, fetcher=fetcher(), recipient=recipient, filename=filename)


def read_upload(stream: IO[bytes]) -> bytes:
    """The uploaded file, refused once it passes the cap (never read whole)."""
    try:
        # One byte past the cap is enough to refuse (read_limited then judges the bytes).
        return read_limited(stream.read(MAX_UPLOAD_BYTES + 1), MAX_UPLOAD_BYTES)
    except BadgeError as error:
        raise BadgeError(
            _("The file is larger than 5 MB; a baked badge image is much smaller.")
        ) from error


@dataclass(frozen=True)
class Status:
    word: str  # Valid, Revoked, Expired, Not valid
    tone: str
    message: str


def badge_status(item: Assertion) -> Status:
    """One of our badges checked live, as any verifier would: the signed badge through
    ``badges.verify`` (its public page shows this)."""
    if item.jws is None:
        return Status("Not valid", "error", "This badge has not been signed yet.")
    found = verdict(check(item.jws))
    return Status(found.word, found.tone, found.summary)
