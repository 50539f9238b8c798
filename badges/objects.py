"""Open Badges 2.0 objects as JSON-ready dicts: build them from plain data, check them.

Property names and value forms follow the specification; where the reference validator is
stricter (one ``publicKey``, a ``hashed`` flag always present) the output satisfies both.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from badges.errors import InvalidObject

CONTEXT = "https://w3id.org/openbadges/v2"
DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")


def is_http_url(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 2048 and _is_http_url(value)


@functools.lru_cache(maxsize=4096)
def _is_http_url(value: str) -> bool:
    # Cached: verifying a batch re-checks the same issuer, key and badge URLs.
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def is_iri(value: Any) -> bool:
    return is_http_url(value) or (isinstance(value, str) and value.startswith("urn:uuid:"))


def format_datetime(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise InvalidObject("datetimes must carry a time zone")
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_datetime(value: Any, field: str) -> datetime:
    if not isinstance(value, str) or not DATETIME_RE.match(value):
        raise InvalidObject(f"{field} must be an ISO 8601 date-time with a time zone", field)
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise InvalidObject(f"{field} is not a real date-time: {value}", field) from error


def _require(data: Mapping[str, Any], field: str, where: str) -> Any:
    value = data.get(field)
    if value is None or value == "" or value == []:
        raise InvalidObject(f"{where} needs {field}", f"{where}.{field}")
    return value


def _url(data: Mapping[str, Any], field: str, where: str, required: bool = True) -> str | None:
    value = data.get(field)
    if value is None and not required:
        return None
    if not is_http_url(value):
        raise InvalidObject(f"{where} {field} must be an absolute http(s) URL", f"{where}.{field}")
    return str(value)


def _text(data: Mapping[str, Any], field: str, where: str) -> str:
    value = _require(data, field, where)
    if not isinstance(value, str):
        raise InvalidObject(f"{where} {field} must be text", f"{where}.{field}")
    return value


def profile(data: Mapping[str, Any]) -> dict[str, Any]:
    """An issuer Profile: id, name, url, email; optional publicKey, revocationList, verification."""
    out: dict[str, Any] = {
        "@context": CONTEXT,
        "type": "Profile",
        "id": _url(data, "id", "Profile"),
        "name": _text(data, "name", "Profile"),
        "url": _url(data, "url", "Profile"),
        "email": _text(data, "email", "Profile"),
    }
    if not EMAIL_RE.match(out["email"]):
        raise InvalidObject("Profile email is not an e-mail address", "Profile.email")
    for field in ("description", "telephone"):
        if data.get(field):
            out[field] = str(data[field])
    for field in ("image", "publicKey", "revocationList"):
        if data.get(field) is not None:
            out[field] = _url(data, field, "Profile")
    if data.get("verification") is not None:
        out["verification"] = dict(data["verification"])
    return out


def alignment(data: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "targetName": _text(data, "targetName", "Alignment"),
        "targetUrl": _url(data, "targetUrl", "Alignment"),
    }
    for field in ("targetDescription", "targetFramework", "targetCode"):
        if data.get(field):
            out[field] = str(data[field])
    return out


def badge_class(data: Mapping[str, Any]) -> dict[str, Any]:
    """A BadgeClass: id, name, description, image, criteria, issuer; alignment and tags."""
    criteria = _require(data, "criteria", "BadgeClass")
    if isinstance(criteria, str):
        if not is_http_url(criteria):
            raise InvalidObject(
                "BadgeClass criteria must be a URL or a Criteria object", "BadgeClass.criteria"
            )
    elif isinstance(criteria, Mapping):
        if not criteria.get("narrative") and not is_http_url(criteria.get("id")):
            raise InvalidObject(
                "BadgeClass criteria needs a narrative or an id URL", "BadgeClass.criteria"
            )
        criteria = dict(criteria)
    else:
        raise InvalidObject(
            "BadgeClass criteria must be a URL or a Criteria object", "BadgeClass.criteria"
        )
    image = _require(data, "image", "BadgeClass")
    if not (
        is_http_url(image)
        or (isinstance(image, str) and image.startswith(("data:image/png", "data:image/svg+xml")))
    ):
        raise InvalidObject(
            "BadgeClass image must be a PNG or SVG URL or data URI", "BadgeClass.image"
        )
    out: dict[str, Any] = {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": _url(data, "id", "BadgeClass"),
        "name": _text(data, "name", "BadgeClass"),
        "description": _text(data, "description", "BadgeClass"),
        "image": image,
        "criteria": criteria,
        "issuer": _url(data, "issuer", "BadgeClass"),
    }
    if data.get("alignment"):
        out["alignment"] = [alignment(a) for a in data["alignment"]]
    if data.get("tags"):
        out["tags"] = [str(t) for t in data["tags"]]
    return out


def evidence(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        entry = {
            k: str(item[k])
            for k in ("id", "narrative", "name", "description", "genre", "audience")
            if item.get(k)
        }
        if "id" in entry and not is_iri(entry["id"]):
            raise InvalidObject("evidence id must be a URL", "Assertion.evidence.id")
        out.append(entry)
    return out


def assertion(data: Mapping[str, Any]) -> dict[str, Any]:
    """An Assertion: id, recipient, badge, verification, issuedOn; expires, evidence, narrative."""
    if not is_iri(data.get("id")):
        raise InvalidObject("Assertion id must be an http(s) URL or urn:uuid", "Assertion.id")
    recipient = _require(data, "recipient", "Assertion")
    if (
        not isinstance(recipient, Mapping)
        or "hashed" not in recipient
        or not recipient.get("identity")
    ):
        raise InvalidObject(
            "Assertion recipient must be an IdentityObject with identity and hashed",
            "Assertion.recipient",
        )
    verification = _require(data, "verification", "Assertion")
    if not isinstance(verification, Mapping) or verification.get("type") not in (
        "HostedBadge",
        "SignedBadge",
        "hosted",
        "signed",
    ):
        raise InvalidObject(
            "Assertion verification type must be HostedBadge or SignedBadge",
            "Assertion.verification",
        )
    issued = data.get("issuedOn")
    issued_text = format_datetime(issued) if isinstance(issued, datetime) else issued
    parse_datetime(issued_text, "Assertion.issuedOn")
    out: dict[str, Any] = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": data["id"],
        "recipient": dict(recipient),
        "badge": _url(data, "badge", "Assertion"),
        "verification": dict(verification),
        "issuedOn": issued_text,
    }
    expires = data.get("expires")
    if expires is not None:
        out["expires"] = format_datetime(expires) if isinstance(expires, datetime) else expires
        parse_datetime(out["expires"], "Assertion.expires")
    if data.get("evidence"):
        out["evidence"] = evidence(data["evidence"])
    if data.get("narrative"):
        out["narrative"] = str(data["narrative"])
    if data.get("image"):
        out["image"] = _url(data, "image", "Assertion")
    return out


def cryptographic_key(key_id: str, owner: str, public_key_pem: str) -> dict[str, Any]:
    data = {"id": key_id, "owner": owner}
    if "BEGIN PUBLIC KEY" not in public_key_pem:
        raise InvalidObject(
            "publicKeyPem must be a PEM public key", "CryptographicKey.publicKeyPem"
        )
    return {
        "@context": CONTEXT,
        "type": "CryptographicKey",
        "id": _url(data, "id", "CryptographicKey"),
        "owner": _url(data, "owner", "CryptographicKey"),
        "publicKeyPem": public_key_pem,
    }


def revocation_list(
    list_id: str, issuer: str, revoked: Iterable[tuple[str, str]]
) -> dict[str, Any]:
    """``revoked`` holds (assertion id, reason) pairs.

    JSON-LD compaction turns a one-element list into its element, and the reference validator
    (1.1.2) then iterates that object's keys and misses the revocation; so a list of exactly
    one revoked assertion also carries the assertion's bare id, which keeps it a list. Both
    entry forms are allowed by the specification and name the same assertion.
    """
    data = {"id": list_id, "issuer": issuer}
    entries: list[Any] = [
        {"id": assertion_id, "revocationReason": reason} if reason else {"id": assertion_id}
        for assertion_id, reason in revoked
    ]
    if len(entries) == 1:
        entries.append(entries[0]["id"])
    return {
        "@context": CONTEXT,
        "type": "RevocationList",
        "id": _url(data, "id", "RevocationList"),
        "issuer": _url(data, "issuer", "RevocationList"),
        "revokedAssertions": entries,
    }
