"""JWS compact serialization, RS256 only: sign an assertion, verify and decode one.

Signing and signature checks go through PyJWT's JWS API on instances of our own (never the
module-level ``jwt`` functions, whose algorithm registry any import can change):

- ``_SIGNING`` knows one algorithm, RS256, implemented by ``_SignerAlgorithm``: the key is a
  ``Signer`` (a local RSA key or one held in KMS) and PyJWT asks it for the signature.
- ``_VERIFYING`` knows only PyJWT's own RS256 and is called with ``algorithms=["RS256"]``.

``decode`` reads a token without checking it, to find the key to check it with; its checks
also run on the header PyJWT returns, where PyJWT is laxer than we are (``crit``, ``b64``).
Every failure is a ``SignatureError`` with a message a person understands.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from typing import Any, NoReturn, cast

from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import Algorithm
from jwt.api_jws import PyJWS
from jwt.exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidKeyError,
    InvalidSignatureError,
    PyJWTError,
)

from badges.errors import SignatureError, json_object
from badges.keys import Signer

MAX_JWS_BYTES = 1024 * 1024
JWS_RE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
ALGORITHM = "RS256"
MIN_KEY_BITS = 2048
_B64URL_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_URLSAFE_TO_STANDARD = bytes.maketrans(b"-_", b"+/")


class _SignerAlgorithm(Algorithm):
    """RS256 by a ``Signer``: PyJWT builds the token, the signer (local or KMS) signs it."""

    def prepare_key(self, key: Any) -> Signer:
        if not callable(getattr(key, "sign", None)):
            raise InvalidKeyError("the signing key must be a badges.keys.Signer")
        return cast(Signer, key)

    def sign(self, msg: bytes, key: Signer) -> bytes:
        return key.sign(msg)

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        raise NotImplementedError("this algorithm only signs; _VERIFYING checks signatures")

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> NoReturn:
        raise NotImplementedError("a Signer has no JWK form")

    @staticmethod
    def from_jwk(jwk: Any) -> NoReturn:
        raise NotImplementedError("a Signer has no JWK form")


class _PyJWS(PyJWS):
    """PyJWS with its base64url segment check done in C rather than byte by byte.

    PyJWT (2.1x) checks each byte of every segment against the alphabet in a Python
    generator: about 40 us for a 1 KB badge, which alone takes offline verification below
    its benchmark goal. This applies the same rules (alphabet, padding, canonical encoding)
    with ``bytes.translate`` and a look at the last character's spare bits;
    ``tests/badges/test_jws.py`` checks it against PyJWT's own, which it overrides.
    """

    @staticmethod
    def _decode_base64url_segment(segment: bytes, name: str) -> bytes:
        stripped = segment.rstrip(b"=")
        padding = len(segment) - len(stripped)
        tail = len(stripped) % 4
        if (
            padding > 2
            or (padding and len(segment) % 4)
            or tail == 1
            or stripped.translate(None, _B64URL_ALPHABET)
            # canonical: the bits of the last character past the data are zero
            or (tail and _B64URL_ALPHABET.index(stripped[-1]) & (0b1111 if tail == 2 else 0b11))
        ):
            raise DecodeError(f"Invalid {name} padding")
        return binascii.a2b_base64(stripped.translate(_URLSAFE_TO_STANDARD) + b"=" * (-tail % 4))


_SIGNING = PyJWS(algorithms=[])
_SIGNING.register_algorithm(ALGORITHM, _SignerAlgorithm())
_VERIFYING = _PyJWS(algorithms=[ALGORITHM], options={"enforce_minimum_key_length": True})


def b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes:
    try:
        raw = text.encode("ascii")
        if raw.translate(None, _B64URL_ALPHABET):
            raise ValueError("not in the base64url alphabet")
        return binascii.a2b_base64(raw.translate(_URLSAFE_TO_STANDARD) + b"=" * (-len(raw) % 4))
    except (binascii.Error, ValueError) as error:
        raise SignatureError("the JWS is not valid base64url") from error


def looks_like_jws(text: str) -> bool:
    return len(text) <= MAX_JWS_BYTES and _is_compact(text.strip())


def _is_compact(token: str) -> bool:
    """Three non-empty base64url parts joined by dots (JWS_RE's rule, checked in C)."""
    if not token.isascii():
        return False
    raw = token.encode("ascii")
    if raw.translate(None, _B64URL_ALPHABET + b"."):
        return False
    parts = raw.split(b".")
    return len(parts) == 3 and all(parts)


def sign_assertion(assertion: dict[str, Any], signer: Signer) -> str:
    """The JWS of ``assertion``; its verification names the signer's key as creator."""
    payload = dict(assertion)
    payload["verification"] = {"type": "SignedBadge", "creator": signer.key_id}
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    # PyJWT types its keys as cryptography keys, PEM or JWK; ours is whatever
    # _SignerAlgorithm.prepare_key accepts. "typ": None drops PyJWT's default "typ":"JWT",
    # so the header stays exactly {"alg":"RS256"}.
    return _SIGNING.encode(body, cast(Any, signer), algorithm=ALGORITHM, headers={"typ": None})


def decode(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload, without checking the signature (to find the key to check with)."""
    header_b64, payload_b64, _ = _compact(token).split(".")
    return _header(header_b64), _json_object(b64decode(payload_b64), "the JWS payload")


@functools.lru_cache(maxsize=64)
def _header(header_b64: str) -> dict[str, Any]:
    """The checked header (almost every badge has the same one: read it once)."""
    header = _json_object(b64decode(header_b64), "the JWS header")
    _check_header(header)
    return header


def verify(token: str, public_key: rsa.RSAPublicKey) -> dict[str, Any]:
    """The payload if the RS256 signature verifies with ``public_key``; SignatureError if not."""
    _, payload = decode(token)
    check_signature(token, public_key)
    return payload


def check_signature(token: str, public_key: rsa.RSAPublicKey) -> None:
    """SignatureError unless the RS256 signature of an already decoded ``token`` verifies.

    The header is checked as ``decode`` checks it (RS256 only), and the algorithm comes from
    ``_VERIFYING``, which knows RS256 alone: this is what ``PyJWS.decode_complete`` does, less
    its second decoding of a payload ``decode`` has already read (a third of the time of an
    offline verification).
    """
    header_b64, payload_b64, signature_b64 = _compact(token).split(".")
    header = _header(header_b64)
    try:
        algorithm = _VERIFYING.get_algorithm_by_name(header["alg"])
        key = algorithm.prepare_key(public_key)
        if isinstance(key, rsa.RSAPublicKey) and key.key_size < MIN_KEY_BITS:
            raise InvalidKeyError(f"the RSA key is {key.key_size} bits; at least 2048")
        signature = _PyJWS._decode_base64url_segment(signature_b64.encode("ascii"), "Signature")
        if not algorithm.verify(f"{header_b64}.{payload_b64}".encode("ascii"), key, signature):
            raise InvalidSignatureError("Signature verification failed")
    except (PyJWTError, NotImplementedError, TypeError) as error:
        raise _signature_error(token, error) from error


def _compact(token: str) -> str:
    token = token.strip()
    if len(token) > MAX_JWS_BYTES:
        raise SignatureError("the JWS is larger than 1 MB")
    if not _is_compact(token):
        raise SignatureError("not a JWS compact serialization (three base64url parts)")
    return token


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        return json_object(raw, what, SignatureError)
    except RecursionError as error:
        raise SignatureError(f"{what} is JSON nested too deeply to read") from error


def _check_header(header: dict[str, Any]) -> None:
    if header.get("alg") != ALGORITHM:
        raise SignatureError(
            f"the JWS algorithm {header.get('alg')!r} is refused; only RS256 is accepted"
        )
    if "crit" in header:
        raise SignatureError(
            "the JWS has critical header parameters this verifier does not support"
        )
    if header.get("b64", True) is not True:
        raise SignatureError("the JWS has an unencoded payload (b64), which is not supported")
    if not isinstance(header.get("kid", ""), str):
        raise SignatureError("the JWS header's key id (kid) is not a string")


def _signature_error(token: str, error: Exception) -> SignatureError:
    """Why PyJWT refused ``token``, in our words: ``decode``'s reason if it has one."""
    try:
        decode(token)
    except SignatureError as reason:
        return SignatureError(reason.message)
    if isinstance(error, InvalidSignatureError):
        return SignatureError(
            "the signature does not match: the badge was changed or signed with another key"
        )
    if isinstance(error, InvalidAlgorithmError):  # decode refuses every alg PyJWT would
        return SignatureError("the JWS algorithm is refused; only RS256 is accepted")
    if isinstance(error, InvalidKeyError | TypeError):
        return SignatureError(f"the key cannot check an RS256 signature: {error}")
    if isinstance(error, DecodeError):
        return SignatureError(f"the JWS is not valid base64url ({error})")
    return SignatureError(f"the JWS is refused: {error}")
