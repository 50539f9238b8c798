"""A teacher's public portfolio for her professional learning network (issue 18, part 3).

- **Off by default.** Her page ``/people/<handle>`` answers only while she keeps it on; an
  unknown handle and a page switched off get the same 404. It shows the display name and bio
  she chose, never her e-mail (a name or bio holding her address is refused).
- **Her badges from here** appear when she chooses them and while each one's own public page
  is on (``Assertion.public``). Their revocation and expiry are read from the assertion at
  every view: a revocation here shows at once.
- **Her PLC contributions**, when she switches them on (``show_communities``, off by
  default): the *listed* communities she is an active member of, with her role and the titles
  of the threads she started there. Nothing of a private community, no post body, nothing
  about other members; leaving a community takes it off at once (read at every view).
- **Badges from other issuers** are added by URL, JWS or baked PNG/SVG image (read with the
  verifier's limits), verified on the way in against her confirmed e-mail address (a badge
  issued to someone else, or one that fails any check, is refused and nothing is stored), and
  kept with the result and its time. A public view never fetches: it shows the stored result
  and, when some of the badges it shows have a result older than ``PORTFOLIO_RECHECK_MINUTES``
  (default 60), queues one job ``portfolio-recheck`` with the ids of at most
  :data:`RECHECKS_PER_VIEW` of them, the stalest first; the rest wait for the next view. The
  job (after the view's commit: on an RQ worker, or inline in development and tests) claims
  the ones still stale (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two jobs for one page
  never fetch twice and a duplicate finds them fresh), verifies each again within
  :data:`RECHECK_SECONDS` and commits: the next view shows the new result. A revoked badge
  stays revoked and is never fetched again. Expiry needs no fetch: a stored expiry date in the
  past shows as expired at once.

Services flush; the request (or the job) commits.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, defer, joinedload

from app.db import db, utcnow
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.i18n import day
from app.images import badge_svg, validate_badge_image
from app.issuance import documents
from app.issuance import service as issuance
from app.jobs import enqueue, job
from app.learning.frameworks import credential_refs
from app.links import public_url
from app.models.accounts import User
from app.models.assertions import Assertion
from app.models.communities import (
    Community,
    CommunityMember,
    CommunityThread,
    MemberStatus,
    Visibility,
)
from app.models.credentials import CredentialVersion
from app.models.portfolio import BadgeStatus, Portfolio, PortfolioBadge
from app.pagination import Page, PageArgs, paginate
from app.verify import service as verifier
from badges.bake import unbake
from badges.errors import BadgeError
from badges.objects import parse_datetime
from badges.verify import Report, verify

HANDLE = re.compile(r"[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]")
HANDLE_HINT = _l(
    "3 to 40 lower-case letters, digits and hyphens, starting and ending with a letter or digit"
)
# Words that name pages or sound official: nobody's handle.
RESERVED = frozenset(
    {
        "about", "account", "admin", "administrator", "api", "auth", "badges", "catalog",
        "credit", "dev", "embed", "help", "issuer", "issuers", "learning", "login", "logout",
        "me", "moderator", "new", "null", "ob", "official", "people", "portfolio", "root",
        "settings", "signup", "staff", "static", "support", "system", "undefined", "verify",
        "www",
    }
)  # fmt: skip
MAX_NAME = 80
MAX_BIO = 500
RECHECKS_PER_VIEW = 3
RECHECK_SECONDS = 5.0
MAX_UPLOAD_BYTES = verifier.MAX_UPLOAD_BYTES
THREADS_SHOWN = 5  # thread titles listed under each community, the newest
GONE = _l("There is no public portfolio at this address.")
NOT_YOURS = _l("There is no such badge on your portfolio.")


# Her settings -------------------------------------------------------------------------------


def portfolio_of(user: User) -> Portfolio:
    """Her portfolio settings: the saved ones, or the defaults (off, nothing chosen) unsaved."""
    found = db.session.scalar(select(Portfolio).where(Portfolio.user_id == user.id))
    return found or Portfolio(user_id=user.id, enabled=False, display_name="", bio="")


def _plain(value: str, limit: int, field: str, *, lines: bool) -> str:
    """Plain text: control characters dropped (newlines kept in a bio), spaces trimmed."""
    kept = "".join(
        ch
        for ch in value
        if (lines and ch == "\n") or unicodedata.category(ch)[0] != "C" or ch == " "
    )
    text = re.sub(r"\n{3,}", "\n\n", kept.replace("\r", "")).strip()
    if len(text) > limit:
        count = len(text)
        raise InvalidInput(
            _("Keep the bio to %(most)s characters (it has %(count)s).", most=limit, count=count)
            if field == "bio"
            else _(
                "Keep the display name to %(most)s characters (it has %(count)s).",
                most=limit,
                count=count,
            ),
            {field: [_("At most %(most)s characters.", most=limit)]},
        )
    return text


def _handle(value: str, user: User) -> str | None:
    handle = value.strip().lower()
    if not handle:
        return None
    if not HANDLE.fullmatch(handle) or "--" in handle:
        raise InvalidInput(
            _("A handle is %(rule)s (no two hyphens in a row).", rule=HANDLE_HINT),
            {"handle": [_("Use %(rule)s.", rule=HANDLE_HINT)]},
        )
    if handle in RESERVED:
        raise InvalidInput(
            _("“%(handle)s” is reserved; choose another handle.", handle=handle),
            {"handle": [_("Reserved.")]},
        )
    taken = db.session.scalar(
        select(Portfolio.id).where(Portfolio.handle == handle, Portfolio.user_id != user.id)
    )
    if taken is not None:
        raise InvalidInput(
            _("The handle “%(handle)s” is taken; choose another.", handle=handle),
            {"handle": [_("Taken.")]},
        )
    return handle


def update(
    user: User,
    *,
    enabled: bool | None = None,
    handle: str | None = None,
    display_name: str | None = None,
    bio: str | None = None,
    show_communities: bool | None = None,
) -> Portfolio:
    """Change what is given (None leaves a setting as it is). Switching the page on needs a
    confirmed e-mail address, a handle and a display name."""
    portfolio = portfolio_of(user)
    if handle is not None:
        portfolio.handle = _handle(handle, user)
    if display_name is not None:
        portfolio.display_name = _plain(display_name, MAX_NAME, "display_name", lines=False)
    if bio is not None:
        portfolio.bio = _plain(bio, MAX_BIO, "bio", lines=True)
    if show_communities is not None:
        portfolio.show_communities = show_communities
    if enabled is not None:
        portfolio.enabled = enabled
    email = user.email.lower()
    for field, text in (("display_name", portfolio.display_name), ("bio", portfolio.bio)):
        if email in text.lower():
            raise InvalidInput(
                _("Your e-mail address is never shown on your public page; take it out."),
                {field: [_("Holds your e-mail address.")]},
            )
    if portfolio.enabled:
        if not user.is_confirmed:
            raise Forbidden(_("Confirm your e-mail address before you switch on a public page."))
        missing = {
            name: [_("Needed for a public page.")]
            for name, value in (
                ("handle", portfolio.handle),
                ("display_name", portfolio.display_name),
            )
            if not value
        }
        if missing:
            raise InvalidInput(
                _("A public page needs a handle (its address) and a display name."), missing
            )
    portfolio.updated_at = utcnow()
    try:
        with db.session.begin_nested():
            db.session.add(portfolio)
    except IntegrityError as error:  # the same handle chosen by two people at once
        raise Conflict(_("That handle was taken a moment ago; choose another.")) from error
    return portfolio


def public_address(portfolio: Portfolio) -> str | None:
    return public_url("portfolio.page", handle=portfolio.handle) if portfolio.handle else None


def embed_snippet(portfolio: Portfolio) -> str:
    """The ``<iframe>`` she copies onto a PLN site or blog."""
    from markupsafe import escape

    src = escape(public_url("portfolio.embed", handle=portfolio.handle))
    title = escape(_("Badges of %(name)s", name=portfolio.display_name))
    return (
        f'<iframe src="{src}" title="{title}" width="360" height="420" '
        'style="border:1px solid #ccd" loading="lazy"></iframe>'
    )


# The badges on it ---------------------------------------------------------------------------


def _listed(statement: Any) -> Any:
    """Rows with what a list shows loaded with them (a page of any size costs the same few
    statements): the assertion (without its JWS) with its issuer and version (without its
    image), and never an outside badge's stored image."""
    return statement.options(
        defer(PortfolioBadge.image),
        joinedload(PortfolioBadge.assertion).options(
            defer(Assertion.jws),
            joinedload(Assertion.issuer),
            joinedload(Assertion.version).options(defer(CredentialVersion.image)),
        ),
    ).order_by(PortfolioBadge.issued_on.desc(), PortfolioBadge.id.desc())


def entries_page(user: User, args: PageArgs) -> Page[PortfolioBadge]:
    """One page of everything she put on her portfolio (shown or not), newest first."""
    return paginate(_listed(select(PortfolioBadge).where(PortfolioBadge.user_id == user.id)), args)


def outside_page(user: User, args: PageArgs) -> Page[PortfolioBadge]:
    """One page of the badges from other issuers she added, newest first."""
    return paginate(
        _listed(
            select(PortfolioBadge).where(
                PortfolioBadge.user_id == user.id, PortfolioBadge.assertion_id.is_(None)
            )
        ),
        args,
    )


def chosen_uids(user: User) -> set[str]:
    """The uids of her badges from here she chose for her portfolio."""
    rows = db.session.scalars(
        select(Assertion.uid)
        .join(PortfolioBadge, PortfolioBadge.assertion_id == Assertion.id)
        .where(PortfolioBadge.user_id == user.id)
    )
    return set(rows)


def _ours_entry(user: User, item: Assertion) -> PortfolioBadge:
    return PortfolioBadge(
        user_id=user.id,
        assertion_id=item.id,
        source="ours",
        assertion_key=documents.assertion_url(item),
        badge_name=item.version.title[:300],
        issuer_name=item.issuer.name[:300],
        issued_on=item.issued_on,
        expires=item.expires,
        checked_at=utcnow(),
    )


def _public_own(user: User, uid: str) -> Assertion:
    item = issuance.get_own(user, uid)
    if not item.public:
        raise InvalidInput(
            _(
                "“%(title)s” has no public page yet. Turn it on under My badges "
                "(“Share: turn on a public page”), then choose it here.",
                title=item.version.title,
            ),
            {"badges": [_("Not public.")]},
        )
    return item


def add_ours(user: User, uid: str) -> PortfolioBadge:
    """Put one of her badges from here on her portfolio (it must have its public page on)."""
    item = _public_own(user, uid)
    existing = db.session.scalar(
        select(PortfolioBadge).where(
            PortfolioBadge.user_id == user.id, PortfolioBadge.assertion_id == item.id
        )
    )
    if existing is not None:
        raise Conflict(_("“%(title)s” is already on your portfolio.", title=item.version.title))
    entry = _ours_entry(user, item)
    _insert(entry)
    return entry


def choose_ours(user: User, uids: list[str]) -> int:
    """Exactly these badges of hers from here are on her portfolio (each needs its public
    page on); returns how many."""
    wanted = {uid: _public_own(user, uid) for uid in dict.fromkeys(uids)}
    current = db.session.scalars(
        select(PortfolioBadge)
        .where(PortfolioBadge.user_id == user.id, PortfolioBadge.assertion_id.is_not(None))
        .options(joinedload(PortfolioBadge.assertion))
    ).all()
    kept = set()
    for entry in current:
        assert entry.assertion is not None
        if entry.assertion.uid in wanted:
            kept.add(entry.assertion.uid)
        else:
            db.session.delete(entry)
    db.session.flush()
    for uid, item in wanted.items():
        if uid not in kept:
            db.session.add(_ours_entry(user, item))
    db.session.flush()
    return len(wanted)


def _insert(entry: PortfolioBadge) -> None:
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError as error:  # added twice at the same moment
        raise Conflict(_("This badge is already on your portfolio.")) from error


def remove(user: User, badge_id: int) -> None:
    """Take a badge off her portfolio (another's id is 404)."""
    entry = db.session.get(PortfolioBadge, badge_id)
    if entry is None or entry.user_id != user.id:
        raise NotFound(str(NOT_YOURS))
    db.session.delete(entry)
    db.session.flush()


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _node_id(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return parse_datetime(value, "date")
    except BadgeError:
        return None


def _image_from(badge_class: dict[str, Any]) -> tuple[bytes, str] | None:
    """The badge class's image when the badge carries it (a data: URI), checked as an
    uploaded badge image is; an image elsewhere on the web is not fetched (a default shows)."""
    found = re.fullmatch(
        r"data:image/(png|svg\+xml);base64,([A-Za-z0-9+/=\s]+)", _node_id(badge_class.get("image"))
    )
    if not found:
        return None
    try:
        data = base64.b64decode(found.group(2), validate=False)
        return validate_badge_image(data, "badge.png" if found.group(1) == "png" else "badge.svg")
    except (binascii.Error, ValueError, InvalidInput):
        return None


def _refusal(report: Report, user: User) -> InvalidInput | None:
    failed = [c for c in report.checks if c.status == "fail"]
    if not failed:
        return None
    first = failed[0]
    if first.name == "recipient":
        return InvalidInput(
            _(
                "This badge was not issued to your address (%(email)s), so it cannot go on "
                "your portfolio.",
                email=user.email,
            ),
            {"badge": [_("Issued to someone else.")]},
        )
    return InvalidInput(
        _("This badge did not verify: %(reason)s. Nothing was added.", reason=first.message),
        {"badge": [_("Not valid.")]},
    )


def add_outside(
    user: User,
    *,
    url: str | None = None,
    jws: str | None = None,
    image: bytes | None = None,
    filename: str | None = None,
    now: datetime | None = None,
) -> PortfolioBadge:
    """Put another issuer's badge on her portfolio: by URL, JWS or baked image, verified
    against her confirmed e-mail address first. A refused badge stores nothing."""
    if not user.is_confirmed:
        raise Forbidden(
            _("Confirm your e-mail address first: a badge is checked against a confirmed address.")
        )
    given = [value for value in (url, jws, image) if value]
    if len(given) != 1:
        raise InvalidInput(
            _("Give one badge: its URL, its JWS, or its baked image."), {"badge": [_("Give one.")]}
        )
    shown_image: tuple[bytes, str] | None = None
    if url:
        source, presented = "url", url.strip()
    elif jws:
        source, presented = "jws", jws.strip()
    else:
        data = image or b""
        if len(data) > MAX_UPLOAD_BYTES:
            raise InvalidInput(
                _("The file is larger than 5 MB; a baked badge image is much smaller."),
                {"image": [_("Too large.")]},
            )
        try:
            presented = unbake(data).strip()
        except BadgeError as error:
            raise InvalidInput(
                _("That image does not carry a badge: %(reason)s.", reason=error.message),
                {"image": [_("No badge.")]},
            ) from error
        source = "image"
        try:
            shown_image = validate_badge_image(data, filename or "")
        except InvalidInput:
            shown_image = None  # verified, but not an image we serve: a default shows
    moment = now or utcnow()
    report = verify(presented, fetcher=verifier.fetcher(), recipient=user.email, now=moment)
    refused = _refusal(report, user)
    if refused is not None:
        raise refused
    assertion, badge_class, issuer = (
        report.assertion or {},
        report.badge_class or {},
        report.issuer or {},
    )
    key = _node_id(assertion.get("id"))
    if key.startswith(public_url("ob.assertion", uid="x").removesuffix("x")):
        raise InvalidInput(
            _("This badge is from this site: choose it among your badges above."),
            {"badge": [_("One of ours.")]},
        )
    duplicate = db.session.scalar(
        select(PortfolioBadge.id).where(
            PortfolioBadge.user_id == user.id, PortfolioBadge.assertion_key == key
        )
    )
    if duplicate is not None:
        raise Conflict(_("This badge is already on your portfolio."))
    picture = shown_image or _image_from(badge_class)
    entry = PortfolioBadge(
        user_id=user.id,
        source=source,
        assertion_key=key[:2000],
        presented=presented,
        badge_name=_text(badge_class.get("name"), 300) or _("Badge"),
        description=_text(badge_class.get("description"), 2000),
        badge_class_url=_node_id(badge_class)[:2000],
        issuer_name=_text(issuer.get("name"), 300),
        issuer_url=(_text(issuer.get("url"), 2000) or _node_id(issuer))[:2000],
        issued_on=_when(assertion.get("issuedOn")) or moment,
        expires=_when(assertion.get("expires")),
        image=picture[0] if picture else None,
        image_mimetype=picture[1] if picture else "",
        status=BadgeStatus.VALID.value,
        status_message=verifier.verdict(report).summary,
        checked_at=moment,
    )
    _insert(entry)
    return entry


# The public page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    key: str  # valid | revoked | expired | not_valid
    word: str  # Valid, Revoked, Expired, Not valid: in the reader's language
    css: str  # a status-* class of site.css
    message: str


_WORDS = {
    BadgeStatus.VALID.value: (_l("Valid"), "status-passed"),
    BadgeStatus.REVOKED.value: (_l("Revoked"), "status-denied"),
    BadgeStatus.EXPIRED.value: (_l("Expired"), "status-pending"),
    BadgeStatus.NOT_VALID.value: (_l("Not valid"), "status-withdrawn"),
}


def _status(key: str, message: str) -> Status:
    word, css = _WORDS[key]
    return Status(key, str(word), css, message)


@dataclass(frozen=True)
class Shown:
    """One badge as the public page, the embed and the feed show it."""

    entry: PortfolioBadge
    name: str
    issuer_name: str
    issuer_url: str
    image_url: str
    assertion_url: str
    badge_class_url: str
    issued_on: datetime | None
    expires: datetime | None
    status: Status
    verify_url: str | None
    checked_at: datetime | None  # another issuer's badge: when it was last verified

    @property
    def from_here(self) -> bool:
        return self.entry.ours


def public_portfolio(handle: str) -> Portfolio:
    """The portfolio at ``handle`` while it is on; unknown or off are the same 404."""
    found = db.session.scalar(
        select(Portfolio).where(Portfolio.handle == handle.lower(), Portfolio.enabled.is_(True))
    )
    if found is None:
        raise NotFound(str(GONE))
    return found


def _recheck_window() -> timedelta:
    minutes = current_app.extensions["settings"].portfolio_recheck_minutes
    return timedelta(minutes=max(0, int(minutes)))


def _status_key(report: Report) -> str:
    """valid, revoked, expired or not_valid, read from the report (its ``revoked`` flag and
    checks), never from the verdict's words, which are in the reader's language."""
    failed = {c.name: c for c in report.checks if c.status == "fail"}
    if report.valid:
        return BadgeStatus.VALID.value
    # Revoked only when the issuer says so: a revocation list that could not be fetched (its
    # server down a while) is "not valid" for now and checked again, never revoked for good.
    if report.revoked:
        return BadgeStatus.REVOKED.value
    if "dates" in failed and "expired" in failed["dates"].message:
        return BadgeStatus.EXPIRED.value
    return BadgeStatus.NOT_VALID.value


def recheck(entry: PortfolioBadge, now: datetime | None = None) -> None:
    """Verify another issuer's badge again and keep the result and its time."""
    moment = now or utcnow()
    report = verify(
        entry.presented, fetcher=verifier.fetcher(), now=moment, seconds=RECHECK_SECONDS
    )
    entry.status = _status_key(report)
    entry.status_message = verifier.verdict(report).summary
    entry.checked_at = moment
    db.session.flush()


def _stale(entries: list[PortfolioBadge], now: datetime) -> list[int]:
    """The ids of the outside badges among ``entries`` whose result is older than the window,
    the stalest first, at most RECHECKS_PER_VIEW (a revoked one is never checked again)."""
    oldest = now - _recheck_window()
    stale = sorted(
        (
            e
            for e in entries
            if not e.ours and e.status != BadgeStatus.REVOKED.value and e.checked_at <= oldest
        ),
        key=lambda e: (e.checked_at, e.id),
    )
    return [e.id for e in stale[:RECHECKS_PER_VIEW]]


@job("portfolio-recheck")
def recheck_due(ids: list[int], now: datetime | None = None) -> int:
    """Verify again those of these outside badges still stale at ``now`` (a public view queues
    this after its commit); returns how many. Each is claimed ``FOR UPDATE SKIP LOCKED`` (on
    PostgreSQL; SQLite serialises writers) until the job commits, so two jobs for one page
    never fetch one badge twice, and a job that finds them fresh (or revoked, or removed) does
    nothing."""
    moment = now or utcnow()
    claimed = db.session.scalars(
        select(PortfolioBadge)
        .where(
            PortfolioBadge.id.in_([int(i) for i in ids]),
            PortfolioBadge.assertion_id.is_(None),
            PortfolioBadge.status != BadgeStatus.REVOKED.value,
            PortfolioBadge.checked_at <= moment - _recheck_window(),
        )
        .options(defer(PortfolioBadge.image))
        .order_by(PortfolioBadge.checked_at, PortfolioBadge.id)
        .with_for_update(skip_locked=True)
    ).all()
    for entry in claimed:
        recheck(entry, moment)
    return len(claimed)


def _shown(entry: PortfolioBadge, handle: str, now: datetime) -> Shown:
    item = entry.assertion
    if item is not None:
        if item.revoked:
            status = _status(
                BadgeStatus.REVOKED.value,
                _(
                    "The issuer revoked this badge (%(reason)s).",
                    reason=item.revocation_reason or _("no reason given"),
                ),
            )
        elif item.expires is not None and item.expires <= now:
            status = _status(
                BadgeStatus.EXPIRED.value,
                _("This badge expired on %(date)s.", date=day(item.expires, "long")),
            )
        else:
            status = _status(BadgeStatus.VALID.value, _("Signed, current and unrevoked."))
        assertion_url = documents.assertion_url(item)
        return Shown(
            entry=entry,
            name=item.version.title,
            issuer_name=item.issuer.name,
            issuer_url=documents.issuer_url(item.issuer),
            image_url=public_url("ob.badge_image", version_id=item.version_id),
            assertion_url=assertion_url,
            badge_class_url=public_url("ob.badge_class", version_id=item.version_id),
            issued_on=item.issued_on,
            expires=item.expires,
            status=status,
            verify_url=public_url("verify.page", url=assertion_url),
            checked_at=None,
        )
    key = entry.status
    # A valid badge's message is the verifier's fixed sentence, said in the reader's language
    # (the stored one is in the language of whoever checked it last).
    message = (
        _("This badge is authentic, current and unrevoked.")
        if key == BadgeStatus.VALID.value
        else entry.status_message
    )
    if key != BadgeStatus.REVOKED.value and entry.expires is not None and entry.expires <= now:
        key = BadgeStatus.EXPIRED.value
        message = _("This badge expired on %(date)s.", date=day(entry.expires, "long"))
    hosted = entry.source == "url" or (
        entry.presented.startswith(("http://", "https://")) and entry.source == "image"
    )
    return Shown(
        entry=entry,
        name=entry.badge_name,
        issuer_name=entry.issuer_name,
        issuer_url=entry.issuer_url,
        image_url=public_url("portfolio.badge_image", handle=handle, badge_id=entry.id),
        assertion_url=entry.assertion_key,
        badge_class_url=entry.badge_class_url,
        issued_on=entry.issued_on,
        expires=entry.expires,
        status=_status(key, message),
        verify_url=public_url("verify.page", url=entry.presented) if hosted else None,
        checked_at=entry.checked_at,
    )


def shown_badges(portfolio: Portfolio, args: PageArgs, now: datetime | None = None) -> Page[Shown]:
    """One page of the badges her portfolio shows, newest first: those from here whose public
    page is on, and those from other issuers with their stored result (a few stale ones are
    queued for a re-check, which the next view shows)."""
    moment = now or utcnow()
    statement = (
        select(PortfolioBadge)
        .outerjoin(Assertion, Assertion.id == PortfolioBadge.assertion_id)
        .where(
            PortfolioBadge.user_id == portfolio.user_id,
            or_(PortfolioBadge.assertion_id.is_(None), Assertion.public.is_(True)),
        )
        .options(
            defer(PortfolioBadge.image),
            contains_eager(PortfolioBadge.assertion).options(
                defer(Assertion.jws),
                joinedload(Assertion.issuer),
                joinedload(Assertion.version).options(defer(CredentialVersion.image)),
            ),
        )
        .order_by(PortfolioBadge.issued_on.desc(), PortfolioBadge.id.desc())
    )
    page = paginate(statement, args)
    stale = _stale(page.items, moment)
    if stale:  # checked by a job after the commit: the view never waits for another issuer
        enqueue("portfolio-recheck", stale)
    handle = portfolio.handle or ""
    return Page(
        [_shown(entry, handle, moment) for entry in page.items],
        page.page,
        page.per_page,
        page.total,
        page.prefix,
    )


def first_image(badges: Page[Shown]) -> str:
    """The page's Open Graph image: its first badge's, or the site's icon."""
    if badges.items:
        return badges.items[0].image_url
    return public_url("static", filename="favicon.svg")


def outside_image(handle: str, badge_id: int) -> tuple[bytes, str]:
    """An outside badge's image on a public portfolio: the checked copy kept when it was
    added, or a default badge with the name's initials."""
    portfolio = public_portfolio(handle)
    entry = db.session.get(PortfolioBadge, badge_id)
    if entry is None or entry.user_id != portfolio.user_id or entry.ours:
        raise NotFound(_("There is no such badge on this portfolio."))
    if entry.image:
        return bytes(entry.image), entry.image_mimetype or "image/png"
    initials = "".join(word[0] for word in entry.badge_name.split()[:3] if word[:1].isalnum())
    return badge_svg(initials.upper() or "OB", ""), "image/svg+xml"


def feed_entry(shown: Shown) -> dict[str, Any]:
    """One badge of the JSON feed: what a backpack or a PLN site reads to list and check it."""
    return {
        "id": shown.assertion_url,
        "name": shown.name,
        "image": shown.image_url,
        "badgeClass": shown.badge_class_url or None,
        "issuer": {"name": shown.issuer_name, "url": shown.issuer_url or None},
        "issuedOn": shown.issued_on.isoformat() if shown.issued_on else None,
        "expires": shown.expires.isoformat() if shown.expires else None,
        "status": shown.status.key,
        "statusMessage": shown.status.message,
        "source": "this-site" if shown.from_here else "other-issuer",
        "verify": shown.verify_url,
        "checkedAt": shown.checked_at.isoformat() if shown.checked_at else None,
    }


# Her PLC contributions ----------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    """One listed community she is an active member of, as her public page shows it: its
    title, the credential it works toward, her role, since when, and the titles of the threads
    she started there (the newest :data:`THREADS_SHOWN`; ``thread_count`` counts them all)."""

    community_id: int
    title: str
    credential: str | None
    role: str  # facilitator | member
    since: datetime | None
    threads: list[str]
    thread_count: int

    @property
    def role_label(self) -> str:
        return str(_("Facilitator") if self.role == "facilitator" else _("Member"))


def contributions(portfolio: Portfolio, args: PageArgs) -> Page[Contribution]:
    """One page of her PLC contributions, the communities she joined last first; an empty page
    while she keeps them off. Only *listed* communities (a private one is never named), only
    her active memberships (a request waiting is not one), only the titles of threads she
    started (no post, nobody else's). At most four statements at any size: the page, its
    total, the credentials' titles and the threads (the newest few per community, by a window
    function)."""
    if not portfolio.show_communities:
        return Page([], args.page, args.per_page, 0, args.prefix)
    page = paginate(
        select(
            Community.id,
            Community.title,
            Community.credential_id,
            CommunityMember.role,
            CommunityMember.joined_at,
        )
        .join(CommunityMember, CommunityMember.community_id == Community.id)
        .where(
            CommunityMember.user_id == portfolio.user_id,
            CommunityMember.status == MemberStatus.ACTIVE.value,
            Community.visibility == Visibility.LISTED.value,
        )
        .order_by(CommunityMember.joined_at.desc(), Community.id.desc()),
        args,
        scalars=False,
    )
    ids = [row[0] for row in page.items]
    refs = credential_refs(row[2] for row in page.items if row[2] is not None)
    titles: dict[int, list[str]] = {}
    counts: dict[int, int] = {}
    if ids:
        ranked = (
            select(
                CommunityThread.community_id,
                CommunityThread.title,
                func.row_number()
                .over(
                    partition_by=CommunityThread.community_id,
                    order_by=(CommunityThread.created_at.desc(), CommunityThread.id.desc()),
                )
                .label("rank"),
                func.count().over(partition_by=CommunityThread.community_id).label("total"),
            )
            .where(
                CommunityThread.community_id.in_(ids),
                CommunityThread.author_id == portfolio.user_id,
            )
            .subquery()
        )
        for community_id, title, _rank, total in db.session.execute(
            select(ranked).where(ranked.c.rank <= THREADS_SHOWN).order_by(ranked.c.rank)
        ):
            titles.setdefault(community_id, []).append(title)
            counts[community_id] = int(total)
    items = [
        Contribution(
            community_id=community_id,
            title=title,
            credential=refs[credential_id].title if credential_id in refs else None,
            role=role,
            since=joined_at,
            threads=titles.get(community_id, []),
            thread_count=counts.get(community_id, 0),
        )
        for community_id, title, credential_id, role, joined_at in page.items
    ]
    return Page(items, page.page, page.per_page, page.total, page.prefix)


def feed_contribution(item: Contribution) -> dict[str, Any]:
    """One community of the JSON feed (only while she lists her contributions)."""
    return {
        "title": item.title,
        "credential": item.credential,
        "role": item.role,
        "since": item.since.isoformat() if item.since else None,
        "threads": item.threads,
        "threadCount": item.thread_count,
    }
