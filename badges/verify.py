"""Verify any Open Badges 2.0 badge: hosted URL, JWS, assertion JSON, or a baked PNG/SVG.

The result is a :class:`Report`: ``valid`` and a list of checks, each pass/fail/warn with a
message a person understands, plus the documents it resolved. Bad input never raises.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO, NamedTuple
from urllib.parse import urlsplit

from badges import bake, jws, normalize, objects
from badges.errors import BadgeError, FetchError, Gone, json_object
from badges.fetch import Fetcher
from badges.keys import load_public_pem
from badges.recipient import recipient_matches

CLOCK_SKEW = timedelta(minutes=5)
PASS, FAIL, WARN = "pass", "fail", "warn"


class Check(NamedTuple):
    """One check of a verification: its name, pass/fail/warn, and why in plain words."""

    name: str
    status: str
    message: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    kind: str | None = None
    assertion: dict[str, Any] | None = None
    badge_class: dict[str, Any] | None = None
    issuer: dict[str, Any] | None = None
    key: dict[str, Any] | None = None
    revocation_list: dict[str, Any] | None = None
    # The issuer says this badge is revoked (its revocation list, the hosted assertion, or 410
    # Gone). A revocation list that could not be read fails the check but is not a revocation.
    revoked: bool = False

    @property
    def valid(self) -> bool:
        return bool(self.checks) and all(c.status != FAIL for c in self.checks)

    def add(self, name: str, status: str, message: str) -> None:
        self.checks.append(Check(name, status, message))

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "revoked": self.revoked,
            "kind": self.kind,
            "checks": [
                {"name": c.name, "status": c.status, "message": c.message} for c in self.checks
            ],
            "assertion": self.assertion,
            "badgeClass": self.badge_class,
            "issuer": self.issuer,
            "key": self.key,
            "revocationList": self.revocation_list,
        }


class _Stop(Exception):
    """A failed check that later checks depend on."""


# Limits of one verification (the README documents them).
VERIFY_SECONDS = 15.0  # every document of one verification, together
MAX_DOCUMENTS = 10  # assertion, badge class, issuer, key, revocation list, and a few redirects


class _Budget:
    """The fetcher of one verification: at most ``max_documents``, all by one deadline."""

    def __init__(self, inner: Fetcher, seconds: float, max_documents: int) -> None:
        self.inner = inner
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.left = max_documents
        self.max_documents = max_documents

    def fetch_json(self, url: str, *, deadline: float | None = None) -> dict[str, Any]:
        if self.left <= 0:
            raise FetchError(
                f"the badge needs more than {self.max_documents} documents; "
                "a verification stops there"
            )
        if time.monotonic() >= self.deadline:
            raise FetchError(
                f"the verification took longer than {self.seconds:g} s and was stopped"
            )
        self.left -= 1
        return self.inner.fetch_json(url, deadline=self.deadline)


def verify(
    source: str | bytes | BinaryIO | dict[str, Any],
    *,
    fetcher: Fetcher,
    recipient: str | None = None,
    now: datetime | None = None,
    seconds: float = VERIFY_SECONDS,
    max_documents: int = MAX_DOCUMENTS,
    filename: str | None = None,
) -> Report:
    """Check ``source`` (a URL, JWS, assertion JSON, or a baked PNG/SVG) as a verifier must.

    Every shape Open Badges 2.0 allows is read (see :mod:`badges.normalize`); 1.0 and 1.1
    badges are upgraded and checked as 2.0, and the report says so. The documents it fetches
    are bounded in number and, together, in time. Never raises on hostile input.
    """
    report = Report()
    budget = _Budget(fetcher, seconds, max_documents)
    try:
        _verify(report, source, budget, recipient, now or datetime.now(UTC), filename)
    except _Stop:
        pass
    except BadgeError as error:
        report.add("input", FAIL, error.message)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
        report.add("input", FAIL, f"the badge could not be read: {error.__class__.__name__}")
    return report


def _fail(report: Report, name: str, message: str) -> _Stop:
    report.add(name, FAIL, message)
    return _Stop()


def _revoked(report: Report, reason: str) -> _Stop:
    """The issuer revoked the badge (``reason`` as it gives it)."""
    report.revoked = True
    return _fail(report, "revocation", f"the issuer has revoked this badge ({reason})")


def _fetch(report: Report, fetcher: Fetcher, url: str, name: str) -> dict[str, Any]:
    try:
        return fetcher.fetch_json(url)
    except Gone as error:
        if name != "assertion":
            raise _fail(report, name, error.message) from error
        raise _revoked(report, error.reason or "the issuer answers 410 Gone") from error
    except BadgeError as error:
        raise _fail(report, name, error.message) from error


def _text_input(
    source: str | bytes | BinaryIO | dict[str, Any], filename: str | None
) -> str | dict[str, Any]:
    if isinstance(source, dict):
        return source
    if isinstance(source, str):
        return source.strip()
    data = bake.read_limited(source)
    if bake.kind_of(data):
        return bake.unbake(data).strip()
    if filename and filename.lower().endswith((".png", ".svg")):
        kind = filename.rsplit(".", 1)[-1].upper()
        raise BadgeError(
            f"{filename} is not a {kind} image: a baked badge is a real PNG or SVG file"
        )
    try:
        return data.decode("utf-8").strip()
    except UnicodeDecodeError as error:
        raise BadgeError("the input is not a badge: neither a PNG/SVG image nor text") from error


def _read(
    report: Report, raw: dict[str, Any], cls: str, source: str | None = None
) -> normalize.Document:
    try:
        return normalize.read(raw, cls, source=source)
    except BadgeError as error:
        raise _fail(report, "structure", error.message) from error


def _check(report: Report, node: dict[str, Any], cls: str, version: str = normalize.V2) -> None:
    try:
        normalize.check(node, cls, version)
    except BadgeError as error:
        raise _fail(report, "structure", error.message) from error


def _verify(
    report: Report,
    source: str | bytes | BinaryIO | dict[str, Any],
    fetcher: Fetcher,
    recipient: str | None,
    now: datetime,
    filename: str | None = None,
) -> None:
    """Every check in order; a failed check that later ones depend on stops here (_Stop)."""
    badge = _read_input(report, fetcher, _text_input(source, filename))
    _check_kind(report, fetcher, badge)
    _check_version(report, badge)
    _check_not_marked_revoked(report, badge.document.node)
    issuer = _check_structure(report, fetcher, badge.document.node)
    if badge.token is not None:
        _check_signature(report, fetcher, badge.token, badge.document.node, issuer)
    else:
        assert badge.fetched_from is not None
        _check_hosted(report, badge.fetched_from, badge.document.node, issuer)
    _check_revocation(report, fetcher, badge.document.node, issuer)
    _check_dates(report, badge.document.node, now)
    _check_recipient(report, badge.document.node, recipient)


@dataclass
class _Badge:
    """The assertion being verified: its JWS if signed, the URL it was fetched from if any."""

    document: normalize.Document
    token: str | None = None
    fetched_from: str | None = None


def _read_input(report: Report, fetcher: Fetcher, given: str | dict[str, Any]) -> _Badge:
    """The assertion the input gives: JSON, a JWS (decoded, not yet verified) or a URL."""
    token: str | None = None
    fetched_from: str | None = None
    if isinstance(given, dict):
        raw = json_object(json.dumps(given), "the assertion JSON")
    elif jws.looks_like_jws(given):
        token = given
        try:
            _, raw = jws.decode(token)
        except BadgeError as error:
            raise _fail(report, "signature", error.message) from error
    elif given.startswith("{"):
        try:
            raw = json_object(given, "the assertion JSON")
        except BadgeError as error:
            raise _fail(report, "input", error.message) from error
    elif objects.is_http_url(given):
        fetched_from = given
        raw = _fetch(report, fetcher, given, "assertion")
    else:
        raise _fail(
            report, "input", "the input is not a badge URL, a JWS, assertion JSON or a baked image"
        )
    return _Badge(_read(report, raw, "Assertion", fetched_from), token, fetched_from)


def _check_kind(report: Report, fetcher: Fetcher, badge: _Badge) -> None:
    """Signed or hosted: a signed badge needs its JWS; a hosted one is read from its own id."""
    verification = badge.document.node.get("verification")
    vtypes = normalize.types_of(verification) if isinstance(verification, dict) else []
    report.kind = "signed" if badge.token or "SignedBadge" in vtypes else "hosted"
    if report.kind == "signed" and badge.token is None:
        raise _fail(
            report, "signature", "a signed badge must be verified from its JWS, not its JSON alone"
        )
    if report.kind == "hosted" and badge.fetched_from is None:
        # Trust only the copy served at the assertion's own id.
        assertion_id = badge.document.node.get("id")
        if not objects.is_http_url(assertion_id):
            raise _fail(report, "hosted", "a hosted assertion needs an http(s) id to fetch it from")
        badge.fetched_from = str(assertion_id)
        raw = _fetch(report, fetcher, badge.fetched_from, "assertion")
        badge.document = _read(report, raw, "Assertion", badge.fetched_from)
    if report.kind == "hosted" and badge.fetched_from is not None:
        badge.fetched_from, badge.document = _own_copy(
            report, fetcher, badge.fetched_from, badge.document, "Assertion"
        )
    if "Assertion" in normalize.types_of(badge.document.node):
        report.assertion = badge.document.node


def _check_version(report: Report, badge: _Badge) -> None:
    """An older badge is upgraded and checked as 2.0, with a warning; a signed one cannot be."""
    version = badge.document.version
    if version == normalize.V2:
        return
    report.add(
        "version",
        WARN,
        f"this badge uses Open Badges {version}, an older version; it was "
        "upgraded to 2.0 and checked as 2.0",
    )
    if report.kind == "signed":
        raise _fail(
            report,
            "signature",
            f"signed Open Badges {version} badges cannot be verified here; "
            "ask the issuer for an Open Badges 2.0 copy",
        )


def _check_not_marked_revoked(report: Report, assertion: dict[str, Any]) -> None:
    if assertion.get("revoked") is True:
        raise _revoked(report, assertion.get("revocationReason") or "no reason given")


def _check_structure(report: Report, fetcher: Fetcher, assertion: dict[str, Any]) -> dict[str, Any]:
    """The assertion, its badge class and its issuer have what they must; the issuer's node."""
    _check(report, assertion, "Assertion")
    badge_class = _resolve(report, fetcher, assertion["badge"], "BadgeClass")
    report.badge_class = badge_class
    issuer = _resolve(report, fetcher, badge_class["issuer"], "Profile")
    report.issuer = issuer
    if not objects.is_http_url(issuer.get("id")):
        raise _fail(
            report,
            "issuer",
            "the issuer has no http(s) id, so who issued this badge cannot be checked",
        )
    report.add(
        "structure", PASS, "the assertion, badge class and issuer have every required property"
    )
    return issuer


def _check_recipient(report: Report, assertion: dict[str, Any], recipient: str | None) -> None:
    if recipient is None:
        return
    if recipient_matches(assertion.get("recipient"), recipient):
        report.add("recipient", PASS, f"the badge was issued to {recipient}")
    else:
        report.add("recipient", FAIL, f"the badge was not issued to {recipient}")


_NAMES = {
    "BadgeClass": "badge class",
    "Profile": "issuer",
    "Assertion": "assertion",
    "CryptographicKey": "key",
    "RevocationList": "revocation",
}


def _own_copy(
    report: Report, fetcher: Fetcher, url: str, document: normalize.Document, cls: str
) -> tuple[str, normalize.Document]:
    """The document served at its own id. One fetched from ``url`` that declares another
    http(s) id is fetched again from that id (once), which must then declare itself."""
    declared = document.node.get("id")
    if declared == url or not objects.is_http_url(declared):
        return url, document
    name = _NAMES[cls]
    report.add(
        name,
        WARN,
        f"the {name} fetched from {url} declares its id as {declared}; the copy there is checked",
    )
    raw = _fetch(report, fetcher, str(declared), name)
    again = _read(report, raw, cls, str(declared))
    if again.node.get("id") != declared:
        raise _fail(report, name, f"the {name} at {declared} does not carry its own id")
    return str(declared), again


class _Reads:
    """Documents already read and checked, by URL and class, reused while the fetcher hands
    back the very same object (a cache upstream, or documents at hand): a district checking
    500 badges of one issuer reads its badge class, profile and key once. Anything else is
    read afresh. Report documents are shared with this cache, as fetched documents are shared
    with a fetcher's: treat them as read-only."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]] = (
            OrderedDict()
        )
        self.lock = threading.Lock()

    def get(self, url: str, cls: str, raw: dict[str, Any]) -> dict[str, Any] | None:
        with self.lock:
            hit = self.entries.get((url, cls))
            if hit is None or hit[0] is not raw:
                return None
            self.entries.move_to_end((url, cls))
            return hit[1]

    def put(self, url: str, cls: str, raw: dict[str, Any], node: dict[str, Any]) -> None:
        with self.lock:
            self.entries[(url, cls)] = (raw, node)
            self.entries.move_to_end((url, cls))
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


_READS = _Reads()


def _fetched(report: Report, fetcher: Fetcher, url: str, cls: str, name: str) -> dict[str, Any]:
    """The checked ``cls`` node served at ``url`` (its own id)."""
    raw = _fetch(report, fetcher, url, name)
    node = _READS.get(url, cls, raw)
    if node is not None:
        _show(report, node, cls)
        return node
    fetched_from, document = _own_copy(report, fetcher, url, _read(report, raw, cls, url), cls)
    node = document.node
    if node.get("id", fetched_from) != fetched_from:
        raise _fail(
            report,
            name,
            f"the {name} document at {fetched_from} carries another id ({node.get('id')})",
        )
    _show(report, node, cls)
    try:
        normalize.check(node, cls, document.version)
    except BadgeError as error:
        problem = "key" if cls == "CryptographicKey" else "structure"
        raise _fail(report, problem, error.message) from error
    if fetched_from == url:
        _READS.put(url, cls, raw, node)
    return node


def _show(report: Report, node: dict[str, Any], cls: str) -> None:
    """Echo ``node`` in the report only if it is the Open Badges object it should be."""
    types = normalize.types_of(node)
    if cls == "BadgeClass" and "BadgeClass" in types:
        report.badge_class = node
    elif cls == "Profile" and ("Issuer" in types or "Profile" in types):
        report.issuer = node
    elif cls == "CryptographicKey" and (not types or "CryptographicKey" in types):
        report.key = node
    elif cls == "RevocationList" and "RevocationList" in types:
        report.revocation_list = node


def _resolve(report: Report, fetcher: Fetcher, ref: Any, cls: str) -> dict[str, Any]:
    """The ``cls`` node ``ref`` names: fetched from its URL, or embedded.

    An embedded object with an http(s) id is only a copy: the document served at that id is
    the one checked (as the reference validator does). One without (a blank or urn:uuid id)
    is checked as it is.
    """
    name = _NAMES[cls]
    url = ref.get("id") if isinstance(ref, dict) else ref
    if not isinstance(ref, dict) or objects.is_http_url(url):
        if not objects.is_http_url(url):
            raise _fail(report, name, f"the {name} is named by {url!r}, which cannot be fetched")
        return _fetched(report, fetcher, str(url), cls, name)
    node = dict(ref)
    node.setdefault("type", [cls])
    _show(report, node, cls)
    _check(report, node, cls)
    return node


def _listed_keys(issuer: dict[str, Any]) -> list[str]:
    """The ids of the keys the issuer's profile lists (as URLs or embedded keys)."""
    keys = issuer.get("publicKey")
    listed = keys if isinstance(keys, list) else [keys]
    out = []
    for key in listed:
        key_id = key.get("id") if isinstance(key, dict) else key
        if isinstance(key_id, str):
            out.append(key_id)
    return out


def _check_signature(
    report: Report, fetcher: Fetcher, token: str, assertion: dict[str, Any], issuer: dict[str, Any]
) -> None:
    creator = assertion["verification"].get("creator")
    if isinstance(creator, dict):
        creator = creator.get("id")
    if not objects.is_http_url(creator):
        raise _fail(
            report,
            "key",
            "the signed badge does not name the key that signed it (verification.creator)",
        )
    if creator not in _listed_keys(issuer):
        raise _fail(report, "key", _unlisted_key_message(fetcher, creator, assertion, issuer))
    key = _fetched(report, fetcher, creator, "CryptographicKey", "key")
    owner = key.get("owner")
    if owner is None:
        report.add(
            "key",
            WARN,
            "the key document names no owner; it is trusted because the issuer's profile lists it",
        )
    elif owner != issuer.get("id"):
        raise _fail(
            report, "key", "the key belongs to another issuer (its owner is not this issuer)"
        )
    else:
        report.add(
            "key", PASS, "the signing key belongs to the issuer and is listed in its profile"
        )
    try:
        public_key = load_public_pem(str(key.get("publicKeyPem", "")))
        jws.check_signature(token, public_key)
    except BadgeError as error:
        raise _fail(report, "signature", error.message) from error
    report.add(
        "signature", PASS, "the RS256 signature is valid: the badge is unchanged since signing"
    )


def _unlisted_key_message(
    fetcher: Fetcher, creator: str, assertion: dict[str, Any], issuer: dict[str, Any]
) -> str:
    """Why the signing key is refused; a retired key of the same issuer says where the
    current copy is (the issuer re-signs live badges with its new key)."""
    try:
        key = normalize.read(fetcher.fetch_json(creator), "CryptographicKey").node
    except BadgeError:
        key = {}
    same_origin = _origin(creator) == _origin(str(issuer.get("id", "")))
    if same_origin and key.get("owner") == issuer.get("id") and key.get("id", creator) == creator:
        where = assertion.get("id")
        current = f"; the current copy is at {where}" if objects.is_http_url(where) else ""
        return f"signed with a retired key of this issuer ({creator}){current}"
    return f"the key {creator} is not one the issuer lists in its profile"


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def _check_hosted(
    report: Report, fetched_from: str, assertion: dict[str, Any], issuer: dict[str, Any]
) -> None:
    if assertion.get("id") != fetched_from:
        raise _fail(report, "hosted", "the assertion is not served at its own id")
    policy = issuer.get("verification") if isinstance(issuer.get("verification"), dict) else None
    starts_list = [s for s in (policy or {}).get("startsWith") or [] if isinstance(s, str)]
    origin_list = [o for o in (policy or {}).get("allowedOrigins") or [] if isinstance(o, str)]
    host = urlsplit(fetched_from).netloc
    if starts_list and not any(fetched_from.startswith(s) for s in starts_list):
        raise _fail(
            report, "hosted", "the assertion is hosted outside the issuer's verification policy"
        )
    if origin_list and host not in origin_list:
        raise _fail(
            report,
            "hosted",
            f"the assertion is hosted on {host}, not an origin the issuer allows",
        )
    if not starts_list and not origin_list and _origin(fetched_from) != _origin(str(issuer["id"])):
        raise _fail(report, "hosted", "the assertion is hosted on another origin than the issuer's")
    report.add(
        "hosted", PASS, "the assertion is served at its own id, where the issuer hosts badges"
    )


def _check_revocation(
    report: Report, fetcher: Fetcher, assertion: dict[str, Any], issuer: dict[str, Any]
) -> None:
    list_ref = issuer.get("revocationList")
    list_url = list_ref.get("id") if isinstance(list_ref, dict) else list_ref
    if not list_url:
        if report.kind == "signed":
            report.add("revocation", WARN, "the issuer publishes no revocation list")
        else:
            report.add("revocation", PASS, "the hosted assertion is not marked revoked")
        return
    revocations = _fetched(report, fetcher, str(list_url), "RevocationList", "revocation")
    for entry in revocations["revokedAssertions"]:
        entry_id = entry.get("id") if isinstance(entry, dict) else entry
        if entry_id == assertion.get("id"):
            reason = entry.get("revocationReason") if isinstance(entry, dict) else None
            raise _revoked(report, reason or "no reason given")
    report.add("revocation", PASS, "the badge is not on the issuer's revocation list")


def _check_dates(report: Report, assertion: dict[str, Any], now: datetime) -> None:
    issued = objects.parse_datetime(assertion["issuedOn"], "issuedOn")
    if issued - CLOCK_SKEW > now:
        report.add(
            "dates", FAIL, f"the badge says it was issued in the future ({assertion['issuedOn']})"
        )
        return
    expires = assertion.get("expires")
    if expires is not None:
        moment = objects.parse_datetime(expires, "expires")
        if moment < issued:
            report.add("dates", FAIL, "the badge expires before it was issued")
            return
        if moment <= now:
            report.add("dates", FAIL, f"the badge expired on {expires}")
            return
        report.add("dates", PASS, f"issued {assertion['issuedOn']}, valid until {expires}")
        return
    report.add("dates", PASS, f"issued {assertion['issuedOn']}; it does not expire")
