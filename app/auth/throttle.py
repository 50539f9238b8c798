"""Password guessing slows down per account and address, for every way of proving a password
(the sign-in form and ``POST /api/v1/auth/token`` share it).

- The first FREE_TRIES failures for an (account, address) pair within the hour cost nothing;
  each one after that makes the next try from that address wait twice as long (2 s, 4 s, ...,
  at most MAX_WAIT). A guesser is slowed to a crawl, and nobody can lock a teacher out from
  other addresses: her own address keeps its own count.
- When an account sees ALERT_AFTER failures within the hour from all addresses together, its
  owner is told by e-mail (once an hour): someone is guessing.
- A success clears the pair's count.

Counts live in the rate limiter's storage (Redis with REDIS_URL, shared by every instance;
memory otherwise). E-mail addresses are hashed in the keys.
"""

from __future__ import annotations

import hashlib
import time

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.errors import AppError
from app.extensions import limiter
from app.links import public_url
from app.mail import send_mail
from app.models.accounts import User

FREE_TRIES = 5
MAX_WAIT = 900
ALERT_AFTER = 20
WINDOW = 3600  # seconds; whole ones, as Redis EXPIRE takes no fraction


class TooManyTries(AppError):
    status = 429
    code = "too_many_requests"

    def __init__(self, seconds: float) -> None:
        wait = max(1, round(seconds))
        super().__init__(
            ngettext(
                "Too many wrong passwords from here. Wait %(num)d second and try again, or "
                "reset your password.",
                "Too many wrong passwords from here. Wait %(num)d seconds and try again, or "
                "reset your password.",
                wait,
            )
        )
        self.retry_after = wait


def _on() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _account(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _keys(email: str, address: str) -> tuple[str, str, str, str]:
    account = _account(email)
    return (
        f"pw-fail:{account}:{address}",
        f"pw-wait:{account}:{address}",
        f"pw-account:{account}",
        f"pw-alerted:{account}",
    )


def check(email: str, address: str) -> None:
    """TooManyTries while this address must wait before its next try for this account."""
    if not _on():
        return
    _, wait_key, _, _ = _keys(email, address)
    storage = limiter.storage
    if storage.get(wait_key) > 0:
        raise TooManyTries(storage.get_expiry(wait_key) - time.time())


def failed(email: str, address: str, user: User | None) -> None:
    """Count a wrong password; slow the pair down, and alert the owner of a targeted account."""
    if not _on():
        return
    fail_key, wait_key, account_key, alerted_key = _keys(email, address)
    storage = limiter.storage
    failures = storage.incr(fail_key, WINDOW)
    if failures >= FREE_TRIES:
        storage.incr(wait_key, min(2 ** (failures - FREE_TRIES + 1), MAX_WAIT))
    if user is None:
        return
    if storage.incr(account_key, WINDOW) >= ALERT_AFTER and storage.get(alerted_key) == 0:
        storage.incr(alerted_key, WINDOW)
        send_mail(
            user.email,
            _l("Someone is trying passwords on your account"),
            "password_guessing",
            name=user.name,
            reset=public_url("auth.reset_request"),
        )


def succeeded(email: str, address: str) -> None:
    if not _on():
        return
    fail_key, wait_key, _, _ = _keys(email, address)
    limiter.storage.clear(fail_key)
    limiter.storage.clear(wait_key)
