"""Recipient identities: salted SHA-256 hashes of a normalised e-mail, url or telephone."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from badges.errors import InvalidObject

IDENTITY_TYPES = ("email", "url", "telephone")


def normalise(identity: str, kind: str = "email") -> str:
    """E-mails are trimmed and lowercased before hashing (the spec hashes verbatim)."""
    identity = identity.strip()
    return identity.lower() if kind == "email" else identity


def hash_identity(identity: str, salt: str, kind: str = "email") -> str:
    digest = hashlib.sha256((normalise(identity, kind) + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def make_recipient(identity: str, kind: str = "email", salt: str | None = None) -> dict[str, Any]:
    """A hashed IdentityObject with a fresh random salt (one per assertion)."""
    if kind not in IDENTITY_TYPES:
        raise InvalidObject(
            f"recipient type must be one of {', '.join(IDENTITY_TYPES)}", "recipient.type"
        )
    if not identity.strip():
        raise InvalidObject("recipient identity is empty", "recipient.identity")
    salt = secrets.token_hex(16) if salt is None else salt
    return {
        "type": kind,
        "hashed": True,
        "salt": salt,
        "identity": hash_identity(identity, salt, kind),
    }


def recipient_matches(recipient: Any, identity: str) -> bool:
    """Whether a plain ``identity`` is the one ``recipient`` (an IdentityObject) names."""
    if not isinstance(recipient, dict) or not isinstance(recipient.get("identity"), str):
        return False
    kind = recipient.get("type", "email")
    kind = kind if isinstance(kind, str) else "email"
    stored: str = recipient["identity"]
    salt = recipient.get("salt") or ""
    if not isinstance(salt, str):
        return False
    if not recipient.get("hashed"):
        return normalise(stored, kind) == normalise(identity, kind)
    algorithm, _, expected = stored.partition("$")
    candidates = {identity, normalise(identity, kind)}
    for candidate in candidates:
        if algorithm.lower() == "sha256":
            actual = hashlib.sha256((candidate + salt).encode("utf-8")).hexdigest()
        elif algorithm.lower() == "md5":
            actual = hashlib.md5(
                (candidate + salt).encode("utf-8"), usedforsecurity=False
            ).hexdigest()
        else:
            return False
        if hmac.compare_digest(actual, expected.lower()):
            return True
    return False
