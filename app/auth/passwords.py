"""Password hashing with argon2id (argon2-cffi's tuned defaults), and the list of passwords
too common to accept (ASVS 2.1.7: the 20,000 most common passwords, lowercased, that Django
ships; see ``data/NOTICE`` for where it comes from and its licence)."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10
_COMMON = Path(__file__).with_name("data") / "common-passwords.txt.gz"


def is_common(plain: str) -> bool:
    """Whether ``plain`` (any case) is on the list of common passwords."""
    return plain.strip().lower() in _common_passwords()


@cache
def _common_passwords() -> frozenset[str]:
    with gzip.open(_COMMON, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines)


def hash_password(plain: str) -> str:
    return _hasher.hash(plain)


def verify_password(stored_hash: str, plain: str) -> bool:
    try:
        return _hasher.verify(stored_hash, plain)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
