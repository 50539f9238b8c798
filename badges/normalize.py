"""One reading of every shape Open Badges allows, then one set of checks on that reading.

A document from the wider world may say the same thing many ways: a single value or an array,
an IRI or an embedded object, ``verify`` for ``verification``, ``hosted`` for ``HostedBadge``,
``obi:badge`` or a full IRI for ``badge``; it may be Open Badges 1.0 or 1.1 rather than 2.0.
:func:`read` expands what the Open Badges v2 JSON-LD context says into one shape (the context's
own terms as keys; many-valued properties always lists; single-valued ones a single value;
class names canonical) and upgrades 1.x documents the way the 1EdTech reference validator does.
:func:`check` then applies the class rules of the specification to that shape. Nothing here
fetches: the verifier decides what to fetch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from badges.errors import InvalidObject
from badges.objects import DATETIME_RE, EMAIL_RE, is_http_url

V2 = "2.0"
V1_1 = "1.1"
V1_0 = "1.0"

V2_CONTEXTS = frozenset(
    {
        "https://w3id.org/openbadges/v2",
        "http://w3id.org/openbadges/v2",
        "https://openbadgespec.org/v2/context.json",
        "https://w3id.org/openbadges/v2/context.json",
    }
)
V1_CONTEXTS = frozenset(
    {
        "https://w3id.org/openbadges/v1",
        "http://w3id.org/openbadges/v1",
        "https://openbadgespec.org/v1/context.json",
        "https://w3id.org/openbadges/v1/context.json",
    }
)

PREFIXES = {
    "obi": "https://w3id.org/openbadges#",
    "extensions": "https://w3id.org/openbadges/extensions#",
    "cred": "https://w3id.org/credentials#",
    "dc": "http://purl.org/dc/terms/",
    "schema": "http://schema.org/",
    "sec": "https://w3id.org/security#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

# Property terms of the v2 context and the IRIs they stand for (the context's own table).
PROPERTY_TERMS = {
    "author": "schema:author",
    "caption": "schema:caption",
    "claim": "cred:claim",
    "created": "dc:created",
    "creator": "dc:creator",
    "description": "schema:description",
    "email": "schema:email",
    "endorsement": "cred:credential",
    "expires": "sec:expiration",
    "genre": "schema:genre",
    "image": "schema:image",
    "name": "schema:name",
    "owner": "sec:owner",
    "publicKey": "sec:publicKey",
    "publicKeyPem": "sec:publicKeyPem",
    "related": "dc:relation",
    "startsWith": "http://purl.org/dqm-vocabulary/v1/dqm#startsWith",
    "tags": "schema:keywords",
    "targetDescription": "schema:targetDescription",
    "targetFramework": "schema:targetFramework",
    "targetName": "schema:targetName",
    "targetUrl": "schema:targetUrl",
    "telephone": "schema:telephone",
    "url": "schema:url",
    "version": "schema:version",
    "alignment": "obi:alignment",
    "allowedOrigins": "obi:allowedOrigins",
    "audience": "obi:audience",
    "badge": "obi:badge",
    "criteria": "obi:criteria",
    "endorsementComment": "obi:endorsementComment",
    "evidence": "obi:evidence",
    "hashed": "obi:hashed",
    "identity": "obi:identityHash",
    "issuedOn": "obi:issueDate",
    "issuer": "obi:issuer",
    "narrative": "obi:narrative",
    "recipient": "obi:recipient",
    "revocationList": "obi:revocationList",
    "revocationReason": "obi:revocationReason",
    "revoked": "obi:revoked",
    "salt": "obi:salt",
    "targetCode": "obi:targetCode",
    "uid": "obi:uid",
    "validation": "obi:validation",
    "verification": "obi:verify",
    "verificationProperty": "obi:verificationProperty",
}
PROPERTY_ALIASES = {"verify": "verification", "@id": "id", "@type": "type"}

# Class terms; several names may stand for one class (``hosted`` is ``HostedBadge``).
CLASS_TERMS = {
    "AlignmentObject": "schema:AlignmentObject",
    "CryptographicKey": "sec:Key",
    "Endorsement": "cred:Credential",
    "Assertion": "obi:Assertion",
    "BadgeClass": "obi:BadgeClass",
    "Criteria": "obi:Criteria",
    "Evidence": "obi:Evidence",
    "Extension": "obi:Extension",
    "IdentityObject": "obi:IdentityObject",
    "Image": "obi:Image",
    "HostedBadge": "obi:HostedBadge",
    "Issuer": "obi:Issuer",
    "Profile": "obi:Profile",
    "RevocationList": "obi:RevocationList",
    "SignedBadge": "obi:SignedBadge",
    "VerificationObject": "obi:VerificationObject",
}
CLASS_ALIASES = {"hosted": "HostedBadge", "signed": "SignedBadge"}

# Properties that may hold many values (always a list after reading); the rest hold one.
MANY = frozenset(
    {
        "alignment",
        "allowedOrigins",
        "endorsement",
        "evidence",
        "related",
        "revokedAssertions",
        "startsWith",
        "tags",
        "type",
    }
)
MAX_DEPTH = 16

# The terms the Open Badges v1 context defines. A 1.0 or 1.1 document means only these (the
# reference validator compacts it with that context): ``verification`` there is no term, and
# says nothing; ``verify`` is the 1.x name.
V1_TERMS = frozenset(
    [
        "about",
        "alignment",
        "badge",
        "badgeOffer",
        "badgeTemplate",
        "criteria",
        "evidence",
        "issued",
        "issuer",
        "recipient",
        "recipientEmail",
        "recipientPassword",
        "tag",
        "address",
        "addressCountry",
        "addressLocality",
        "addressRegion",
        "comment",
        "created",
        "creator",
        "description",
        "email",
        "familyName",
        "givenName",
        "image",
        "label",
        "name",
        "postalCode",
        "streetAddress",
        "title",
        "url",
        "identityService",
        "credential",
        "cipherAlgorithm",
        "cipherData",
        "cipherKey",
        "claim",
        "digestAlgorithm",
        "digestValue",
        "domain",
        "expires",
        "initializationVector",
        "nonce",
        "normalizationAlgorithm",
        "owner",
        "password",
        "privateKey",
        "privateKeyPem",
        "publicKey",
        "publicKeyPem",
        "publicKeyService",
        "revoked",
        "signature",
        "signatureAlgorithm",
        "signatureValue",
        "uid",
        "hashed",
        "salt",
        "identity",
        "issuedOn",
        "verify",
        "tags",
        "revocationList",
        "validatesType",
        "validationSchema",
        "validationFrame",
        "validation",
        "id",
        "type",
        "@id",
        "@type",
    ]
)


def _expand(name: str) -> str | None:
    """The absolute IRI a compact IRI (``obi:badge``) or absolute IRI stands for."""
    prefix, sep, rest = name.partition(":")
    if not sep:
        return None
    if prefix in PREFIXES and not rest.startswith("//"):
        return PREFIXES[prefix] + rest
    if prefix in ("http", "https"):
        return name
    return None


def _reverse(terms: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for term, iri in terms.items():
        out.setdefault(_expand(iri) or iri, term)
    return out


_PROPERTY_BY_IRI = _reverse(PROPERTY_TERMS)
_CLASS_BY_IRI = _reverse(CLASS_TERMS)
# Quick look-ups for names that are already terms (most of them, in practice).
_TERM = {term: term for term in (*PROPERTY_TERMS, "id", "type", "revokedAssertions")}
_CLASS = {name: name for name in CLASS_TERMS}


def property_name(key: str) -> str:
    """The context term for ``key`` (itself when it is already a term or unknown)."""
    if key in PROPERTY_TERMS or key in ("id", "type", "@context", "revokedAssertions"):
        return key
    if key in PROPERTY_ALIASES:
        return PROPERTY_ALIASES[key]
    iri = _expand(key)
    if iri is not None:
        if iri == PREFIXES["obi"] + "revoked":
            return "revoked"
        return _PROPERTY_BY_IRI.get(iri, key)
    return key


def class_name(value: str) -> str:
    """The canonical class term for a ``type`` value (``hosted`` -> ``HostedBadge``)."""
    if value in CLASS_TERMS:
        return value
    if value in CLASS_ALIASES:
        return CLASS_ALIASES[value]
    iri = _expand(value)
    if iri is not None:
        return _CLASS_BY_IRI.get(iri, value)
    return value


def _is_known_type(value: str) -> bool:
    return value in CLASS_TERMS or value in PROPERTY_TERMS or _expand(value) is not None


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """A document read into the one shape :func:`check` expects."""

    node: dict[str, Any]
    version: str  # "2.0", "1.1" or "1.0": what the document was written as


def detect_version(raw: Mapping[str, Any]) -> str:
    """2.0, 1.1 or 1.0 from ``@context``; InvalidObject naming ``@context`` otherwise."""
    context = raw.get("@context")
    if type(context) is str and context in V2_CONTEXTS:  # the usual case, at once
        return V2
    if context is None:
        if isinstance(raw.get("recipient"), str):
            raise InvalidObject(
                "this is an Open Badges 0.5 badge (its recipient is a plain string); "
                "versions before 1.0 cannot be verified",
                "@context",
            )
        return V1_0
    entries = context if isinstance(context, list) else [context]
    urls = {entry.rstrip("/") for entry in entries if isinstance(entry, str)}
    if urls & V2_CONTEXTS:
        return V2
    if urls & V1_CONTEXTS:
        return V1_1
    if isinstance(context, str):
        shown = context if len(context) <= 80 else context[:77] + "..."
        raise InvalidObject(
            f"@context is {shown!r}, not the Open Badges context (https://w3id.org/openbadges/v2)",
            "@context",
        )
    raise InvalidObject(
        "@context must be the Open Badges context (https://w3id.org/openbadges/v2), "
        "or a list that contains it",
        "@context",
    )


def read(raw: Mapping[str, Any], expected: str, *, source: str | None = None) -> Document:
    """``raw`` (one JSON document) as a ``expected`` node ("Assertion", "BadgeClass",
    "Profile", "CryptographicKey", "RevocationList") in the one shape; 1.x upgraded.

    ``source`` is the URL the document was fetched from, if it was: an Open Badges 1.0
    document has no ``id`` of its own, and takes that URL as its id.
    """
    if not isinstance(raw, Mapping):
        raise InvalidObject(f"the {_label(expected)} must be a JSON object")
    version = detect_version(raw)
    if version == V1_0 and expected == "Assertion" and not {"recipient", "badge"} <= set(raw):
        raise InvalidObject(
            "this is not an Open Badges assertion: it has no @context, and no recipient and "
            "badge as a 1.0 assertion would",
            "@context",
        )
    data = dict(raw)
    data.pop("@context", None)
    if version != V2:
        data = _upgrade(_v1_terms(data, 0), expected, version, source)
    return Document(_node(data, 0), version)


def _v1_terms(data: Mapping[str, Any], depth: int) -> dict[str, Any]:
    """Only what the v1 context gives a meaning to (terms, compact and absolute IRIs)."""
    if depth > MAX_DEPTH:
        raise InvalidObject(f"the document nests objects more than {MAX_DEPTH} levels deep")
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in V1_TERMS and _expand(key) is None:
            continue
        if isinstance(value, Mapping):
            value = _v1_terms(value, depth + 1)
        elif isinstance(value, list):
            value = [_v1_terms(v, depth + 1) if isinstance(v, Mapping) else v for v in value]
        out[key] = value
    return out


def _node(data: Mapping[str, Any], depth: int) -> dict[str, Any]:
    if depth > MAX_DEPTH:
        raise InvalidObject(f"the document nests objects more than {MAX_DEPTH} levels deep")
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "@context":
            continue
        name = _TERM.get(key) or property_name(key)
        if name in out:
            raise InvalidObject(
                f"the property {name} is given twice (as {key} and under another name)", name
            )
        if type(value) is str and name != "type":  # the common case, kept quick
            out[name] = [value] if name in MANY else value
        else:
            out[name] = _value(name, value, depth)
    return out


def _value(name: str, value: Any, depth: int) -> Any:
    values = value if isinstance(value, list) else [value]
    items = []
    for item in values:
        if isinstance(item, dict):
            if len(item) == 1 and isinstance(item.get("id", item.get("@id")), str):
                item = item.get("id", item.get("@id"))  # {"id": x} says the same as x
            else:
                item = _node(item, depth + 1)
        elif name == "type" and isinstance(item, str):
            item = _CLASS.get(item) or class_name(item)
        items.append(item)
    if name in MANY:
        return items
    if len(items) == 1:
        return items[0]
    if not items:
        return None
    raise InvalidObject(f"{name} has more than the single value it may have", name)


def _label(kind: str) -> str:
    return {
        "Assertion": "assertion",
        "BadgeClass": "badge class",
        "Profile": "issuer profile",
        "CryptographicKey": "key document",
        "RevocationList": "revocation list",
    }.get(kind, kind)


# --- Open Badges 1.0 and 1.1 -------------------------------------------------------------------

_UPGRADED_TYPE = {"Profile": "Issuer"}


def _upgrade(
    data: dict[str, Any], expected: str, version: str, source: str | None
) -> dict[str, Any]:
    """A 1.0/1.1 document as 2.0 says it, the way the reference validator upgrades one."""
    verify = data.get("verify") if isinstance(data.get("verify"), Mapping) else None
    if version == V1_0:
        if data.get("id") is None:
            node_id = source
            if node_id is None and verify and verify.get("type") == "hosted":
                node_id = verify.get("url")
            if node_id is None:
                raise InvalidObject(
                    f"this Open Badges 1.0 {_label(expected)} has no id and no hosted url"
                )
            data["id"] = node_id
        data["type"] = _UPGRADED_TYPE.get(expected, expected)
    if expected == "Assertion":
        for field in ("issuedOn", "expires"):
            if data.get(field) is not None:
                data[field] = _upgrade_datetime(data[field], field)
    if expected == "BadgeClass" and data.get("alignment"):
        items = data["alignment"] if isinstance(data["alignment"], list) else [data["alignment"]]
        renamed = []
        for item in items:
            entry = dict(item) if isinstance(item, Mapping) else item
            if isinstance(entry, dict):
                for old, new in (
                    ("url", "targetUrl"),
                    ("name", "targetName"),
                    ("description", "targetDescription"),
                ):
                    if entry.get(old) and not entry.get(new):
                        entry[new] = entry.pop(old)
            renamed.append(entry)
        data["alignment"] = renamed
    return data


def _upgrade_datetime(value: Any, field: str) -> Any:
    """1.x dates: a Unix timestamp, a date, or a date-time without zone (read as UTC)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        try:
            moment = datetime.fromtimestamp(float(value), UTC)
        except (OverflowError, OSError, ValueError) as error:
            raise InvalidObject(f"{field} {value!r} is not a timestamp", field) from error
        return moment.isoformat()
    if isinstance(value, str) and not DATETIME_RE.match(value):
        try:
            if len(value) == 10:
                day = date.fromisoformat(value)
                return datetime(day.year, day.month, day.day, tzinfo=UTC).isoformat()
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value  # left for the check to refuse with its own message
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.isoformat()
    return value


# --- checking ----------------------------------------------------------------------------------

URN_UUID_RE = re.compile(
    r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.I
)
HASH_RE = re.compile(r"^(md5\$[\da-fA-F]{32}|sha256\$[\da-fA-F]{64})$")
TELEPHONE_RE = re.compile(r"^\+?[1-9]\d{1,14}(;ext=\d+)?$")
DATA_URI_RE = re.compile(r"^data:(?P<kind>[^,;]*)(;[^,]*)?,", re.I)


def is_iri(value: Any) -> bool:
    """An http(s) URL, a urn:uuid or a blank node id: the ids Open Badges allows."""
    return isinstance(value, str) and (
        is_http_url(value) or bool(URN_UUID_RE.match(value)) or value.startswith("_:")
    )


def is_data_uri(value: Any, kinds: tuple[str, ...] = ("image/png", "image/svg+xml")) -> bool:
    match = DATA_URI_RE.match(value) if isinstance(value, str) else None
    return bool(match) and match is not None and match.group("kind").lower() in kinds


def types_of(node: Mapping[str, Any]) -> list[Any]:
    """The node's type values (a list after :func:`read`; its items are checked by
    :func:`check`)."""
    value = node.get("type")
    return value if type(value) is list else []


def _where(cls: str, node: Mapping[str, Any]) -> str:
    node_id = node.get("id")
    label = _label(cls)
    return f"the {label} {node_id}" if isinstance(node_id, str) and node_id else f"the {label}"


def _present(node: Mapping[str, Any], name: str) -> bool:
    value = node.get(name)
    return value is not None and value != "" and value != []


def _need(node: Mapping[str, Any], cls: str, *names: str) -> None:
    for name in names:
        if not _present(node, name):
            raise InvalidObject(f"{_where(cls, node)} needs {name}", f"{cls}.{name}")


def _text(node: Mapping[str, Any], cls: str, *names: str) -> None:
    for name in names:
        values = node.get(name)
        for value in values if isinstance(values, list) else [values]:
            if value is not None and not isinstance(value, str):
                raise InvalidObject(f"{_where(cls, node)}: {name} must be text", f"{cls}.{name}")


def _types(node: Mapping[str, Any], cls: str, allowed: tuple[str, ...], default: bool) -> None:
    types = types_of(node)
    if not types:
        if default:
            return
        raise InvalidObject(f"{_where(cls, node)} needs type", f"{cls}.type")
    for value in types:
        if not isinstance(value, str) or not _is_known_type(value):
            raise InvalidObject(
                f"{_where(cls, node)}: type {value!r} is not a term of the Open Badges context",
                f"{cls}.type",
            )
    if allowed and not set(types) & set(allowed):
        raise InvalidObject(
            f"{_where(cls, node)} has type {', '.join(types)}, not {' or '.join(allowed)}",
            f"{cls}.type",
        )


def _datetime(node: Mapping[str, Any], cls: str, name: str) -> None:
    value = node.get(name)
    if value is None:
        return
    if not isinstance(value, str) or not DATETIME_RE.match(value):
        raise InvalidObject(
            f"{_where(cls, node)}: {name} must be an ISO 8601 date-time with a time zone",
            f"{cls}.{name}",
        )
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise InvalidObject(
            f"{_where(cls, node)}: {name} is not a real date-time ({value})", f"{cls}.{name}"
        ) from error


def _ref(node: Mapping[str, Any], cls: str, name: str, *, data_uri: bool = False) -> None:
    """Each value of ``name`` is an IRI (or, if allowed, a data URI) or an embedded object."""
    values = node.get(name)
    for value in values if isinstance(values, list) else [values]:
        if value is None or isinstance(value, dict):
            continue
        if is_iri(value) or (data_uri and is_data_uri(value)):
            continue
        kind = "a URL, a PNG/SVG data URI" if data_uri else "a URL"
        raise InvalidObject(
            f"{_where(cls, node)}: {name} must be {kind} or an embedded object", f"{cls}.{name}"
        )


def _embedded(node: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    values = node.get(name)
    return [v for v in (values if isinstance(values, list) else [values]) if isinstance(v, dict)]


def check(node: Mapping[str, Any], cls: str, version: str = V2) -> None:
    """InvalidObject unless ``node`` (read by :func:`read`) is a well-formed ``cls``.

    The rules are the specification's class tables (required properties, value types, one or
    many values), as the reference validator applies them. An issuer written as Open Badges
    1.0 or 1.1 (``version``) may lack the e-mail address those versions did not require.
    """
    if cls == "Profile" and version != V2 and not _present(node, "email"):
        node = {**node, "email": "unknown@invalid"}
    _CHECKS[cls](node)


def _check_assertion(node: Mapping[str, Any]) -> None:
    cls = "Assertion"
    _types(node, cls, ("Assertion",), default=False)
    _need(node, cls, "id", "recipient", "badge", "verification", "issuedOn")
    if not is_iri(node["id"]):
        raise InvalidObject("the assertion id must be an http(s) URL or a urn:uuid", "Assertion.id")
    _types(node, cls, ("Assertion",), default=False)
    _check_identity(node["recipient"])
    _ref(node, cls, "badge")
    verification = node["verification"]
    if not isinstance(verification, dict):
        raise InvalidObject(
            "the assertion's verification must be an object with a type", "Assertion.verification"
        )
    vtypes = types_of(verification)
    if len(vtypes) != 1 or vtypes[0] not in ("HostedBadge", "SignedBadge"):
        raise InvalidObject(
            "the assertion's verification type must be HostedBadge or SignedBadge",
            "Assertion.verification",
        )
    _ref(verification, "VerificationObject", "creator")
    _datetime(node, cls, "issuedOn")
    _datetime(node, cls, "expires")
    _text(node, cls, "narrative")
    _ref(node, cls, "image")
    if isinstance(node.get("image"), dict):
        _check_image(node["image"])
    _ref(node, cls, "evidence")
    for item in _embedded(node, "evidence"):
        _check_evidence(item)
    _check_primary(node, cls)


def _check_identity(recipient: Any) -> None:
    where = "Assertion.recipient"
    if not isinstance(recipient, dict):
        raise InvalidObject(
            "the assertion's recipient must be an IdentityObject (type, identity, hashed)", where
        )
    for name in ("type", "identity", "hashed"):
        if recipient.get(name) is None or recipient.get(name) == "":
            raise InvalidObject(f"the assertion's recipient needs {name}", where)
    kinds = types_of(recipient)
    if len(kinds) != 1 or kinds[0] not in ("id", "email", "url", "telephone"):
        raise InvalidObject("the recipient type must be one of email, url, telephone or id", where)
    identity, hashed = recipient["identity"], recipient["hashed"]
    if not isinstance(identity, str) or not isinstance(hashed, bool):
        raise InvalidObject("the recipient identity must be text and hashed true or false", where)
    if hashed != bool(HASH_RE.match(identity)):
        raise InvalidObject(
            "the recipient identity must be a sha256$ or md5$ hash exactly when hashed is true",
            where,
        )
    if not hashed and kinds[0] == "email" and not EMAIL_RE.match(identity):
        raise InvalidObject("the recipient's e-mail address is not an e-mail address", where)
    if recipient.get("salt") is not None and not isinstance(recipient["salt"], str):
        raise InvalidObject("the recipient salt must be text", where)


def _check_evidence(node: Mapping[str, Any]) -> None:
    cls = "Evidence"
    _types(node, cls, (), default=True)
    if node.get("id") is not None and not is_iri(node["id"]):
        raise InvalidObject("an evidence id must be a URL", "Evidence.id")
    _text(node, cls, "narrative", "name", "description", "genre", "audience")


def _check_image(node: Mapping[str, Any]) -> None:
    if not (is_http_url(node.get("id")) or is_data_uri(node.get("id"))):
        raise InvalidObject(
            "an image object needs an id: the image's URL or a PNG/SVG data URI", "Image.id"
        )
    _text(node, "Image", "caption")


def _check_primary(node: Mapping[str, Any], cls: str) -> None:
    """What every primary object may also carry: version, related, endorsement."""
    version = node.get("version")
    if version is not None and not isinstance(version, str | int | float):
        raise InvalidObject(f"{_where(cls, node)}: version must be text or a number")
    _ref(node, cls, "related")
    _ref(node, cls, "endorsement")
    for item in _embedded(node, "endorsement"):
        _check_endorsement(item)


def _check_endorsement(node: Mapping[str, Any]) -> None:
    cls = "Endorsement"
    _need(node, cls, "id", "type", "claim", "issuedOn", "issuer")
    _types(node, cls, ("Endorsement",), default=False)
    _datetime(node, cls, "issuedOn")
    _ref(node, cls, "issuer")


def _check_badge_class(node: Mapping[str, Any]) -> None:
    cls = "BadgeClass"
    _types(node, cls, ("BadgeClass",), default=False)
    _need(node, cls, "id", "issuer", "name", "description", "criteria", "image")
    if not is_iri(node["id"]):
        raise InvalidObject("the badge class id must be a URL or urn:uuid", "BadgeClass.id")
    _types(node, cls, ("BadgeClass",), default=False)
    _text(node, cls, "name", "description", "tags")
    _ref(node, cls, "issuer")
    _ref(node, cls, "image", data_uri=True)
    image = node["image"]
    if isinstance(image, dict):
        _check_image(image)
    _ref(node, cls, "criteria")
    criteria = node["criteria"]
    if isinstance(criteria, dict):
        _types(criteria, "Criteria", (), default=True)
        _text(criteria, "Criteria", "narrative")
        criteria_id = criteria.get("id")
        if criteria_id is not None and not is_iri(criteria_id):
            raise InvalidObject("the criteria id must be a URL", "BadgeClass.criteria")
        if not criteria.get("narrative") and not is_http_url(criteria_id):
            raise InvalidObject(
                "the badge class criteria needs a narrative or a URL", "BadgeClass.criteria"
            )
    for item in _embedded(node, "alignment"):
        _need(item, "AlignmentObject", "targetName", "targetUrl")
        _text(item, "AlignmentObject", "targetName", "targetDescription", "targetCode")
        if not is_http_url(item["targetUrl"]):
            raise InvalidObject("an alignment's targetUrl must be a URL", "Alignment.targetUrl")
    for item in node.get("alignment") or []:
        if not isinstance(item, dict):
            raise InvalidObject(
                "an alignment must be an AlignmentObject (targetName, targetUrl)",
                "BadgeClass.alignment",
            )
    _check_primary(node, cls)


def _check_profile(node: Mapping[str, Any]) -> None:
    cls = "Profile"
    _types(node, cls, ("Issuer", "Profile"), default=False)
    _need(node, cls, "id", "name", "url", "email")
    if not is_iri(node["id"]):
        raise InvalidObject("the issuer id must be a URL", "Profile.id")
    _types(node, cls, ("Issuer", "Profile"), default=False)
    _text(node, cls, "name", "description", "email", "telephone")
    if not is_http_url(node["url"]):
        raise InvalidObject(f"{_where(cls, node)}: url must be a URL", "Profile.url")
    if not EMAIL_RE.match(node["email"]):
        raise InvalidObject(f"{_where(cls, node)}: email is not an e-mail address")
    if node.get("telephone") is not None and not TELEPHONE_RE.match(node["telephone"]):
        raise InvalidObject(
            f"{_where(cls, node)}: telephone must be an E.164 number such as +16175551212"
        )
    _ref(node, cls, "image", data_uri=True)
    _ref(node, cls, "publicKey")
    _ref(node, cls, "revocationList")
    policy = node.get("verification")
    if policy is not None:
        if not isinstance(policy, dict):
            raise InvalidObject(f"{_where(cls, node)}: verification must be an object")
        for start in policy.get("startsWith") or []:
            if not is_http_url(start):
                raise InvalidObject(f"{_where(cls, node)}: verification startsWith must be a URL")
        _text(policy, cls, "allowedOrigins")
    _check_primary(node, cls)


def _check_key(node: Mapping[str, Any]) -> None:
    cls = "CryptographicKey"
    _types(node, cls, ("CryptographicKey",), default=True)
    _text(node, cls, "publicKeyPem")
    if node.get("owner") is not None and not is_iri(node["owner"]):
        raise InvalidObject("the key's owner must be the issuer's URL", "CryptographicKey.owner")


def _check_revocation_list(node: Mapping[str, Any]) -> None:
    cls = "RevocationList"
    _need(node, cls, "type")
    _types(node, cls, ("RevocationList",), default=False)
    if "revokedAssertions" not in node:
        raise InvalidObject(f"{_where(cls, node)} needs revokedAssertions")
    for entry in node["revokedAssertions"]:
        if isinstance(entry, str) and is_iri(entry):
            continue
        if isinstance(entry, dict) and (
            is_iri(entry.get("id")) or ("id" not in entry and isinstance(entry.get("uid"), str))
        ):
            continue
        raise InvalidObject(
            f"{_where(cls, node)} has an entry that is neither an assertion id nor an object "
            "with one"
        )


_CHECKS = {
    "Assertion": _check_assertion,
    "BadgeClass": _check_badge_class,
    "Profile": _check_profile,
    "CryptographicKey": _check_key,
    "RevocationList": _check_revocation_list,
}
