"""JWS compact serialization, RS256 only: sign an assertion, verify and decode one."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from badges.errors import SignatureError, json_object
from badges.keys import Signer

MAX_JWS_BYTES = 1024 * 1024
JWS_RE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


def b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise SignatureError("the JWS is not valid base64url") from error


def looks_like_jws(text: str) -> bool:
    return len(text) <= MAX_JWS_BYTES and bool(JWS_RE.match(text.strip()))


def sign_assertion(assertion: dict[str, Any], signer: Signer) -> str:
    """The JWS of ``assertion``; its verification names the signer's key as creator."""
    payload = dict(assertion)
    payload["verification"] = {"type": "SignedBadge", "creator": signer.key_id}
    header = b64encode(json.dumps({"alg": "RS256"}, separators=(",", ":")).encode())
    body = b64encode(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    signing_input = f"{header}.{body}".encode("ascii")
    return f"{header}.{body}.{b64encode(signer.sign(signing_input))}"


def decode(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload, without checking the signature (to find the key to check with)."""
    token = token.strip()
    if len(token) > MAX_JWS_BYTES:
        raise SignatureError("the JWS is larger than 1 MB")
    if not JWS_RE.match(token):
        raise SignatureError("not a JWS compact serialization (three base64url parts)")
    header_b64, payload_b64, _ = token.split(".")
    header = json_object(b64decode(header_b64), "the JWS header", SignatureError)
    if header.get("alg") != "RS256":
        raise SignatureError(
            f"the JWS algorithm {header.get('alg')!r} is refused; only RS256 is accepted"
        )
    if "crit" in header:
        raise SignatureError(
            "the JWS has critical header parameters this verifier does not support"
        )
    return header, json_object(b64decode(payload_b64), "the JWS payload", SignatureError)


def verify(token: str, public_key: rsa.RSAPublicKey) -> dict[str, Any]:
    """The payload if the RS256 signature verifies with ``public_key``; SignatureError if not."""
    _, payload = decode(token)
    check_signature(token, public_key)
    return payload


def check_signature(token: str, public_key: rsa.RSAPublicKey) -> None:
    """SignatureError unless the RS256 signature of an already decoded ``token`` verifies."""
    header_b64, payload_b64, signature_b64 = token.strip().split(".")
    try:
        public_key.verify(
            b64decode(signature_b64),
            f"{header_b64}.{payload_b64}".encode("ascii"),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except InvalidSignature as error:
        raise SignatureError(
            "the signature does not match: the badge was changed or signed with another key"
        ) from error
