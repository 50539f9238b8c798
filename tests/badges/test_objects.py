"""Objects follow the spec and what the 1EdTech reference validator enforces (OPEN_BADGES_2.md)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from badges import objects
from badges.errors import InvalidObject
from badges.jws import decode
from badges.recipient import hash_identity, make_recipient, recipient_matches

VALIDATOR_DATETIME = re.compile(r"(Z|[+-]\d{2}(:?\d{2})?)$")


def test_signed_output_meets_the_reference_validator_rules(world: Any) -> None:
    _, payload = decode(world.signed())
    assert payload["@context"] == "https://w3id.org/openbadges/v2"
    assert payload["type"] == "Assertion"
    assert payload["verification"]["creator"] == world.key_id  # creator is needed in practice
    assert payload["recipient"]["hashed"] is True
    assert re.fullmatch(r"sha256\$[0-9a-f]{64}", payload["recipient"]["identity"])
    assert VALIDATOR_DATETIME.search(payload["issuedOn"])
    assert VALIDATOR_DATETIME.search(payload["expires"])
    assert isinstance(world.issuer["publicKey"], str)  # exactly one key per Profile
    assert re.fullmatch(r"[^@\s]+@[^@\s]+", world.issuer["email"])
    assert world.key["owner"] == world.issuer["id"]
    assert world.key["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert set(world.badge_class) >= {
        "id",
        "type",
        "name",
        "description",
        "image",
        "criteria",
        "issuer",
    }
    assert world.badge_class["alignment"][0] == {
        "targetName": "Assessment",
        "targetUrl": "https://example.org/intasc/6",
    }


def test_recipient_hash_follows_the_spec_example() -> None:
    assert hash_identity("mayze", "") == (
        "sha256$7a1a1b3f7d40552e4299180e346e3add12bf9a751a43d9c4ca4518febc2c60c6"
    )
    salted = make_recipient("  Teacher@Example.org ", salt="s1")
    assert salted["identity"] == "sha256$" + hashlib.sha256(b"teacher@example.orgs1").hexdigest()
    assert recipient_matches(salted, "teacher@example.org")
    assert recipient_matches(salted, "TEACHER@example.org ")
    assert not recipient_matches(salted, "other@example.org")
    assert not recipient_matches({"identity": "md5$zz", "hashed": True}, "x")
    plain = {"type": "email", "hashed": False, "identity": "a@b.org"}
    assert recipient_matches(plain, "A@B.org")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id": "not a url"}, "Assertion.id"),
        ({"badge": "ftp://x/y"}, "Assertion.badge"),
        ({"issuedOn": "2024-01-01"}, "Assertion.issuedOn"),
        ({"recipient": {"identity": "x"}}, "Assertion.recipient"),
        ({"verification": {"type": "Magic"}}, "Assertion.verification"),
        ({"expires": "tomorrow"}, "Assertion.expires"),
    ],
)
def test_malformed_assertions_name_the_field(changes: dict[str, Any], field: str) -> None:
    data: dict[str, Any] = {
        "id": "https://example.org/a/1",
        "recipient": make_recipient("t@example.org"),
        "badge": "https://example.org/b/1",
        "verification": {"type": "HostedBadge"},
        "issuedOn": datetime(2024, 1, 1, tzinfo=UTC),
    }
    data.update(changes)
    with pytest.raises(InvalidObject) as caught:
        objects.assertion(data)
    assert caught.value.field == field


def test_missing_profile_and_badge_fields_are_named() -> None:
    with pytest.raises(InvalidObject, match="Profile needs email"):
        objects.profile({"id": "https://e.org/i", "name": "E", "url": "https://e.org"})
    with pytest.raises(InvalidObject, match="criteria"):
        objects.badge_class(
            {
                "id": "https://e.org/b",
                "name": "B",
                "description": "D",
                "image": "https://e.org/b.png",
                "criteria": {},
                "issuer": "https://e.org/i",
            }
        )
    with pytest.raises(InvalidObject, match="time zone"):
        objects.format_datetime(datetime(2024, 1, 1))  # noqa: DTZ001 - the error under test
