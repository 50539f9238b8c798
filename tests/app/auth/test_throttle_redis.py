"""Password throttling with its counts in Redis, as production keeps them (REDIS_URL).

The other throttling tests use the limiter's memory storage; Redis's EXPIRE takes whole
seconds only, which memory never checked.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest
from redis import Redis

from app.config import Settings
from app.db import db
from tests.app.people import PASSWORD, make_user

REDIS = "redis://127.0.0.1:6379/14"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The usual test settings, with the rate limiter's storage on the machine's Redis."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            pass
    except OSError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (this machine kind starts it)")
    return settings.with_changes(ratelimit_storage_url=REDIS)


def test_wrong_passwords_are_counted_in_redis_and_slow_the_guesser(
    app: Any, client: Any, mailbox: Any
) -> None:
    make_user("redis-throttle@school.test")
    db.session.commit()
    for _ in range(5):
        wrong = client.submit(
            "/auth/login", {"email": "redis-throttle@school.test", "password": "wrong-guess"}
        )
        assert wrong.status_code == 401
    slowed = client.submit(
        "/auth/login", {"email": "redis-throttle@school.test", "password": PASSWORD}
    )
    assert slowed.status_code == 429
    assert "Wait" in slowed.get_data(as_text=True)
    with Redis.from_url(REDIS) as redis:
        counted = redis.keys("*pw-fail:*")
        assert len(counted) == 1
        assert 3500 < redis.ttl(counted[0]) <= 3600  # the hour's window, as whole seconds
