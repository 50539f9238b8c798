"""RSA keys and the signer interface (so a key held in AWS KMS can sign instead)."""

from __future__ import annotations

import functools
from typing import Protocol

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from badges.errors import BadgeError

ALLOWED_BITS = (2048, 3072, 4096)


class Signer(Protocol):
    """Signs bytes with RSASSA-PKCS1-v1_5 SHA-256 (JWS RS256)."""

    key_id: str

    def sign(self, data: bytes) -> bytes: ...


class RSASigner:
    """A Signer over an in-memory RSA private key."""

    def __init__(self, private_key: rsa.RSAPrivateKey, key_id: str) -> None:
        self.private_key = private_key
        self.key_id = key_id

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def generate_private_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    if bits not in ALLOWED_BITS:
        raise BadgeError(f"RSA keys must be {', '.join(map(str, ALLOWED_BITS))} bits, not {bits}")
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def private_pem(key: rsa.RSAPrivateKey, passphrase: bytes | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def public_pem(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> str:
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def load_private_pem(data: bytes, passphrase: bytes | None = None) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise BadgeError(f"not a readable PEM private key: {error}") from error
    if not isinstance(key, rsa.RSAPrivateKey):
        raise BadgeError("the private key is not an RSA key")
    return key


def load_public_pem(data: str | bytes) -> rsa.RSAPublicKey:
    """The RSA public key in ``data``; parsed keys are cached (verifying re-reads the same few)."""
    raw = data.encode("ascii", "replace") if isinstance(data, str) else data
    return _load_public(raw)


@functools.lru_cache(maxsize=256)
def _load_public(raw: bytes) -> rsa.RSAPublicKey:
    try:
        key = serialization.load_pem_public_key(raw)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise BadgeError(f"publicKeyPem is not a readable PEM public key: {error}") from error
    if not isinstance(key, rsa.RSAPublicKey):
        raise BadgeError("publicKeyPem is not an RSA key; Open Badges 2.0 signs with RS256")
    if key.key_size < 2048:
        raise BadgeError(f"the RSA key is too short ({key.key_size} bits; at least 2048)")
    return key
