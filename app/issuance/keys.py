"""Issuers' signing keys: generated on demand, private halves encrypted at rest, rotated.

A local key's private PEM is encrypted with Fernet under MASTER_KEY before it is stored; it
is decrypted only in memory, to sign. With KMS_SIGNING on, new keys are asymmetric RSA_2048
keys in AWS KMS and only their public half is stored here; signing calls KMS. Either way the
issuer Profile lists exactly one ``publicKey`` (the reference validator refuses a list): the
current key. Retired keys stay published, so an old copy can be explained.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections import OrderedDict
from typing import Any

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.config import Settings
from app.db import db, utcnow
from app.models.assertions import IssuerKey
from app.models.orgs import Issuer
from badges import keys as badge_keys
from badges.keys import RSASigner, Signer


def _fernet() -> Fernet:
    settings: Settings = current_app.extensions["settings"]
    return Fernet(settings.master_key.encode())


_KMS_CLIENTS: dict[str | None, Any] = {}
_PRIVATE_KEYS: OrderedDict[tuple[str, bytes], rsa.RSAPrivateKey] = OrderedDict()
_CACHE_LOCK = threading.Lock()
PRIVATE_KEY_CACHE_SIZE = 64


def _kms() -> Any:
    """One KMS client per endpoint and process (boto3 clients are thread-safe; making one
    costs far more than a signature)."""
    import boto3

    settings: Settings = current_app.extensions["settings"]
    endpoint = settings.kms_endpoint_url or None
    with _CACHE_LOCK:
        client = _KMS_CLIENTS.get(endpoint)
        if client is None:
            client = _KMS_CLIENTS[endpoint] = boto3.client("kms", endpoint_url=endpoint)
    return client


def current_key(issuer: Issuer) -> IssuerKey:
    """The issuer's current key, made now if it has none (two requests racing make one)."""
    key = db.session.scalar(
        select(IssuerKey).where(IssuerKey.issuer_id == issuer.id, IssuerKey.retired_at.is_(None))
    )
    if key is not None:
        return key
    try:
        with db.session.begin_nested():
            key = _new_key(issuer)
    except IntegrityError:
        key = db.session.scalars(
            select(IssuerKey).where(
                IssuerKey.issuer_id == issuer.id, IssuerKey.retired_at.is_(None)
            )
        ).one()
    return key


def _new_key(issuer: Issuer) -> IssuerKey:
    settings: Settings = current_app.extensions["settings"]
    if settings.kms_signing:
        kms = _kms()
        created = kms.create_key(
            KeyUsage="SIGN_VERIFY",
            KeySpec="RSA_2048",
            Description=f"Open Badges signing key of {issuer.name}",
        )
        key_id = created["KeyMetadata"]["KeyId"]
        der = kms.get_public_key(KeyId=key_id)["PublicKey"]
        public = badge_keys.public_pem(_load_der_public(der))
        key = IssuerKey(issuer_id=issuer.id, kid=uuid.uuid4().hex, public_pem=public)
        key.kms_key_id = key_id
    else:
        private = badge_keys.generate_private_key()
        key = IssuerKey(
            issuer_id=issuer.id,
            kid=uuid.uuid4().hex,
            public_pem=badge_keys.public_pem(private),
            private_encrypted=_fernet().encrypt(badge_keys.private_pem(private)),
        )
    db.session.add(key)
    db.session.flush()
    return key


def _load_der_public(der: bytes) -> Any:
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    return load_der_public_key(der)


class KMSSigner:
    """RS256 through an AWS KMS asymmetric key (RSASSA_PKCS1_V1_5_SHA_256)."""

    def __init__(self, client: Any, kms_key_id: str, key_id: str) -> None:
        self.client = client
        self.kms_key_id = kms_key_id
        self.key_id = key_id

    def sign(self, data: bytes) -> bytes:
        response = self.client.sign(
            KeyId=self.kms_key_id,
            Message=data,
            MessageType="RAW",
            SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256",
        )
        signature: bytes = response["Signature"]
        return signature


def signer(key: IssuerKey, key_url: str) -> Signer:
    """Something that signs with ``key``; ``key_url`` is its public id (the JWS creator)."""
    if key.kms_key_id:
        return KMSSigner(_kms(), key.kms_key_id, key_url)
    return RSASigner(_private_key(key), key_url)


def _private_key(key: IssuerKey) -> rsa.RSAPrivateKey:
    """The key's parsed private half, decrypted once per process and kept in a small LRU.

    Decrypting and parsing a PEM costs about 150 signatures; a bulk issuance or a re-signing
    job signs thousands with one key. Entries are keyed by the key's id and its ciphertext, so
    a rotated (new) key or a re-encrypted one is never confused with another; a retired key
    simply ages out. The plain key lives only in this process's memory, as while signing.
    """
    assert key.private_encrypted is not None
    cache_key = (key.kid, hashlib.sha256(key.private_encrypted).digest())
    with _CACHE_LOCK:
        private = _PRIVATE_KEYS.get(cache_key)
        if private is not None:
            _PRIVATE_KEYS.move_to_end(cache_key)
            return private
    private = badge_keys.load_private_pem(_fernet().decrypt(key.private_encrypted))
    with _CACHE_LOCK:
        _PRIVATE_KEYS[cache_key] = private
        while len(_PRIVATE_KEYS) > PRIVATE_KEY_CACHE_SIZE:
            _PRIVATE_KEYS.popitem(last=False)
    return private


def rotate(issuer: Issuer) -> IssuerKey:
    """Retire the current key and make a new one current. The caller re-signs live badges."""
    old = db.session.scalar(
        select(IssuerKey)
        .where(IssuerKey.issuer_id == issuer.id, IssuerKey.retired_at.is_(None))
        .with_for_update()
    )
    if old is not None:
        old.retired_at = utcnow()
        db.session.flush()
        forget(old)
    return current_key(issuer)


def forget(key: IssuerKey) -> None:
    """Drop ``key``'s private half from this process's cache (it signs no more)."""
    with _CACHE_LOCK:
        for cached in [k for k in _PRIVATE_KEYS if k[0] == key.kid]:
            del _PRIVATE_KEYS[cached]


def keys_of(issuer: Issuer) -> list[IssuerKey]:
    return list(
        db.session.scalars(
            select(IssuerKey).where(IssuerKey.issuer_id == issuer.id).order_by(IssuerKey.id)
        )
    )
