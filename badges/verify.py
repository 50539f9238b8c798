"""Verify any Open Badges 2.0 badge: hosted URL, JWS, assertion JSON, or a baked PNG/SVG.

The result is a :class:`Report`: ``valid`` and a list of checks, each pass/fail/warn with a
message a person understands, plus the documents it resolved. Bad input never raises.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from badges import bake, jws, objects
from badges.errors import BadgeError, Gone
from badges.fetch import Fetcher
from badges.keys import load_public_pem
from badges.recipient import recipient_matches

CLOCK_SKEW = timedelta(minutes=5)
PASS, FAIL, WARN = "pass", "fail", "warn"


@dataclass(frozen=True)
class Check:
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

    @property
    def valid(self) -> bool:
        return bool(self.checks) and all(c.status != FAIL for c in self.checks)

    def add(self, name: str, status: str, message: str) -> None:
        self.checks.append(Check(name, status, message))

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
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


def verify(
    source: str | bytes | BinaryIO | dict[str, Any],
    *,
    fetcher: Fetcher,
    recipient: str | None = None,
    now: datetime | None = None,
) -> Report:
    report = Report()
    try:
        _verify(report, source, fetcher, recipient, now or datetime.now(UTC))
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


def _fetch(report: Report, fetcher: Fetcher, url: str, name: str) -> dict[str, Any]:
    try:
        return fetcher.fetch_json(url)
    except Gone as error:
        if name != "assertion":
            raise _fail(report, name, error.message) from error
        reason = error.reason or "the issuer answers 410 Gone"
        raise _fail(
            report, "revocation", f"the issuer has revoked this badge ({reason})"
        ) from error
    except BadgeError as error:
        raise _fail(report, name, error.message) from error


def _text_input(source: str | bytes | BinaryIO | dict[str, Any]) -> str | dict[str, Any]:
    if isinstance(source, dict):
        return source
    if isinstance(source, str):
        return source.strip()
    data = bake.read_limited(source)
    if bake.kind_of(data):
        return bake.unbake(data).strip()
    try:
        return data.decode("utf-8").strip()
    except UnicodeDecodeError as error:
        raise BadgeError("the input is not a badge: neither a PNG/SVG image nor text") from error


def _verify(
    report: Report,
    source: str | bytes | BinaryIO | dict[str, Any],
    fetcher: Fetcher,
    recipient: str | None,
    now: datetime,
) -> None:
    given = _text_input(source)
    token: str | None = None
    fetched_from: str | None = None
    if isinstance(given, dict):
        assertion = given
    elif jws.looks_like_jws(given):
        token = given
        try:
            _, assertion = jws.decode(token)
        except BadgeError as error:
            raise _fail(report, "signature", error.message) from error
    elif given.startswith("{"):
        try:
            assertion = json.loads(given)
        except ValueError as error:
            raise _fail(report, "input", "the input looks like JSON but cannot be read") from error
        if not isinstance(assertion, dict):
            raise _fail(report, "input", "the assertion JSON must be an object")
    elif objects.is_http_url(given):
        fetched_from = given
        assertion = _fetch(report, fetcher, given, "assertion")
    else:
        raise _fail(
            report, "input", "the input is not a badge URL, a JWS, assertion JSON or a baked image"
        )

    report.assertion = assertion
    verification = (
        assertion.get("verification") if isinstance(assertion.get("verification"), dict) else {}
    )
    vtype = verification.get("type") if isinstance(verification, dict) else None
    report.kind = "signed" if token or vtype in ("SignedBadge", "signed") else "hosted"
    if report.kind == "signed" and token is None:
        raise _fail(
            report, "signature", "a signed badge must be verified from its JWS, not its JSON alone"
        )
    if report.kind == "hosted" and fetched_from is None:
        # Trust only the copy served at the assertion's own id.
        assertion_id = assertion.get("id")
        if not objects.is_http_url(assertion_id):
            raise _fail(report, "hosted", "a hosted assertion needs an http(s) id to fetch it from")
        fetched_from = str(assertion_id)
        assertion = _fetch(report, fetcher, fetched_from, "assertion")
        report.assertion = assertion

    if assertion.get("revoked") is True:
        reason = assertion.get("revocationReason") or "no reason given"
        raise _fail(report, "revocation", f"the issuer has revoked this badge ({reason})")
    try:
        objects.assertion(assertion)
    except BadgeError as error:
        raise _fail(report, "structure", error.message) from error

    badge = assertion["badge"]
    badge_class = _fetch(report, fetcher, badge, "badge class") if isinstance(badge, str) else badge
    report.badge_class = badge_class
    try:
        objects.badge_class(badge_class)
    except BadgeError as error:
        raise _fail(report, "structure", error.message) from error
    issuer_ref = badge_class["issuer"]
    issuer = (
        _fetch(report, fetcher, issuer_ref, "issuer") if isinstance(issuer_ref, str) else issuer_ref
    )
    report.issuer = issuer
    try:
        objects.profile(issuer)
    except BadgeError as error:
        raise _fail(report, "structure", error.message) from error
    if issuer.get("id") != issuer_ref:
        raise _fail(
            report, "issuer", "the issuer document does not carry the id the badge class names"
        )
    report.add(
        "structure", PASS, "the assertion, badge class and issuer have every required property"
    )

    if report.kind == "signed":
        assert token is not None
        _check_signature(report, fetcher, token, assertion, issuer)
    else:
        assert fetched_from is not None
        _check_hosted(report, fetched_from, assertion, issuer)

    _check_revocation(report, fetcher, assertion, issuer)
    _check_dates(report, assertion, now)
    if recipient is not None:
        if recipient_matches(assertion.get("recipient"), recipient):
            report.add("recipient", PASS, f"the badge was issued to {recipient}")
        else:
            report.add("recipient", FAIL, f"the badge was not issued to {recipient}")


def _listed_keys(issuer: dict[str, Any]) -> list[str]:
    keys = issuer.get("publicKey")
    if isinstance(keys, str):
        return [keys]
    if isinstance(keys, list):
        return [k for k in keys if isinstance(k, str)]
    return []


def _check_signature(
    report: Report, fetcher: Fetcher, token: str, assertion: dict[str, Any], issuer: dict[str, Any]
) -> None:
    creator = assertion["verification"].get("creator")
    if not objects.is_http_url(creator):
        raise _fail(
            report,
            "key",
            "the signed badge does not name the key that signed it (verification.creator)",
        )
    if creator not in _listed_keys(issuer):
        raise _fail(report, "key", _unlisted_key_message(fetcher, creator, assertion, issuer))
    key = _fetch(report, fetcher, creator, "key")
    report.key = key
    if key.get("id", creator) != creator:
        raise _fail(report, "key", "the key document does not carry the id it was fetched from")
    if key.get("owner") != issuer.get("id"):
        raise _fail(
            report, "key", "the key belongs to another issuer (its owner is not this issuer)"
        )
    report.add("key", PASS, "the signing key belongs to the issuer and is listed in its profile")
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
        key = fetcher.fetch_json(creator)
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
    if policy:
        starts = policy.get("startsWith")
        starts_list = (
            [starts] if isinstance(starts, str) else starts if isinstance(starts, list) else []
        )
        origins = policy.get("allowedOrigins")
        origin_list = (
            [origins] if isinstance(origins, str) else origins if isinstance(origins, list) else []
        )
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
        if (
            not starts_list
            and not origin_list
            and _origin(fetched_from) != _origin(str(issuer["id"]))
        ):
            raise _fail(report, "hosted", "the assertion is not hosted on the issuer's own origin")
    elif _origin(fetched_from) != _origin(str(issuer["id"])):
        raise _fail(report, "hosted", "the assertion is hosted on another origin than the issuer's")
    report.add(
        "hosted", PASS, "the assertion is served at its own id, where the issuer hosts badges"
    )


def _check_revocation(
    report: Report, fetcher: Fetcher, assertion: dict[str, Any], issuer: dict[str, Any]
) -> None:
    list_url = issuer.get("revocationList")
    if not list_url:
        if report.kind == "signed":
            report.add("revocation", WARN, "the issuer publishes no revocation list")
        else:
            report.add("revocation", PASS, "the hosted assertion is not marked revoked")
        return
    revocations = _fetch(report, fetcher, str(list_url), "revocation")
    report.revocation_list = revocations
    entries = revocations.get("revokedAssertions", [])
    if not isinstance(entries, list):
        raise _fail(report, "revocation", "the revocation list is malformed")
    for entry in entries:
        entry_id = (
            entry
            if isinstance(entry, str)
            else entry.get("id")
            if isinstance(entry, dict)
            else None
        )
        if entry_id == assertion.get("id"):
            reason = entry.get("revocationReason") if isinstance(entry, dict) else None
            raise _fail(
                report,
                "revocation",
                f"the issuer has revoked this badge ({reason or 'no reason given'})",
            )
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
