"""The verifier: every check passes for a good badge and fails for the matching forgery."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from badges import bake, jws, keys, objects
from badges.errors import FetchError
from badges.fetch import SafeFetcher, StaticFetcher
from badges.keys import RSASigner
from badges.verify import verify
from tests.badges.samples import make_png

ONE_PIXEL_PNG = make_png(1)


def _failed(report: Any) -> dict[str, str]:
    return {c.name: c.message for c in report.checks if c.status == "fail"}


def test_signed_badge_verifies(world: Any, fetcher: Any) -> None:
    report = verify(world.signed(), fetcher=fetcher, recipient="teacher@school.example")
    assert report.valid, report.to_dict()
    names = {c.name for c in report.checks if c.status == "pass"}
    assert {"structure", "key", "signature", "revocation", "dates", "recipient"} <= names
    assert report.issuer["id"] == world.issuer_id
    assert report.to_dict()["valid"] is True


def test_hosted_badge_verifies_from_its_url_and_from_json(world: Any, fetcher: Any) -> None:
    url = world.hosted()
    assert verify(url, fetcher=fetcher).valid
    assert verify(json.dumps(world.assertion()), fetcher=fetcher).valid


def test_tampered_payload_fails(world: Any, fetcher: Any) -> None:
    header, _, signature = world.signed().split(".")
    forged = world.assertion(issuedOn=datetime(2020, 1, 1, tzinfo=UTC))
    forged["verification"] = {"type": "SignedBadge", "creator": world.key_id}
    payload = jws.b64encode(json.dumps(forged).encode())
    report = verify(f"{header}.{payload}.{signature}", fetcher=fetcher)
    assert not report.valid
    assert "signature does not match" in _failed(report)["signature"]


def test_wrong_key_fails(world: Any, fetcher: Any, other_key: Any) -> None:
    token = world.signed(signer=RSASigner(other_key, world.key_id))
    assert "signature" in _failed(verify(token, fetcher=fetcher))


def test_key_owned_by_another_issuer_fails(world: Any, fetcher: Any, private_key: Any) -> None:
    world.server.put(
        "/keys/1",
        objects.cryptographic_key(
            world.key_id, "https://other.example.org/issuer", keys.public_pem(private_key)
        ),
    )
    assert "another issuer" in _failed(verify(world.signed(), fetcher=fetcher))["key"]


def test_key_not_listed_by_issuer_fails(world: Any, fetcher: Any, private_key: Any) -> None:
    rogue = f"{world.server.base}/keys/rogue"
    someone_else = f"{world.server.base}/issuers/someone-else"
    world.server.put(
        "/keys/rogue",
        objects.cryptographic_key(rogue, someone_else, keys.public_pem(private_key)),
    )
    token = world.signed(signer=RSASigner(private_key, rogue))
    assert "not one the issuer lists" in _failed(verify(token, fetcher=fetcher))["key"]


def test_a_retired_key_of_the_issuer_points_at_the_current_copy(
    world: Any, fetcher: Any, private_key: Any
) -> None:
    retired = f"{world.server.base}/keys/2019"
    world.server.put(
        "/keys/2019",
        objects.cryptographic_key(retired, world.issuer_id, keys.public_pem(private_key)),
    )
    token = world.signed(signer=RSASigner(private_key, retired))
    message = _failed(verify(token, fetcher=fetcher))["key"]
    assert message == (
        f"signed with a retired key of this issuer ({retired}); "
        f"the current copy is at {world.server.base}/assertions/1"
    )


def test_revoked_badge_fails(world: Any, fetcher: Any) -> None:
    world.revocations.append(
        (f"{world.server.base}/assertions/1", "Evidence was not the teacher's own")
    )
    world.publish()
    report = verify(world.signed(), fetcher=fetcher)
    assert "not the teacher's own" in _failed(report)["revocation"]
    world.server.put("/assertions/2", {**world.assertion(2), "revoked": True})
    assert (
        "revoked"
        in _failed(verify(f"{world.server.base}/assertions/2", fetcher=fetcher))["revocation"]
    )


def test_a_revocation_is_said_only_when_the_issuer_says_it(world: Any, fetcher: Any) -> None:
    world.revocations.append((f"{world.server.base}/assertions/1", "Not her own work"))
    world.publish()
    revoked = verify(world.signed(), fetcher=fetcher)
    assert revoked.revoked
    assert revoked.to_dict()["revoked"] is True
    # The issuer's revocation list out of reach (its server answers 503): the check fails,
    # but nobody may read that as a revocation.
    world.server.put("/revocations", {"error": "down"}, status=503)
    unknown = verify(world.signed(), fetcher=fetcher)
    assert not unknown.valid
    assert "revocation" in _failed(unknown)
    assert not unknown.revoked
    assert unknown.to_dict()["revoked"] is False


def test_expired_and_future_badges_fail(world: Any, fetcher: Any) -> None:
    past = datetime.now(UTC) - timedelta(days=1)
    expired = world.signed(issuedOn=past - timedelta(days=400), expires=past)
    assert "expired" in _failed(verify(expired, fetcher=fetcher))["dates"]
    future = world.signed(issuedOn=datetime.now(UTC) + timedelta(days=2), expires=None)
    assert "future" in _failed(verify(future, fetcher=fetcher))["dates"]


def test_hosted_copy_on_another_origin_is_checked_at_its_own_id(world: Any, fetcher: Any) -> None:
    """A copy found elsewhere counts only as a pointer: the one at its id is what is checked."""
    url = world.hosted()
    elsewhere = url.replace("127.0.0.1", "localhost")
    report = verify(elsewhere, fetcher=fetcher)
    assert report.valid, report.to_dict()
    notes = [c.message for c in report.checks if c.status == "warn" and c.name == "assertion"]
    assert notes
    assert url in notes[0]
    world.server.documents.pop("/assertions/1")
    assert "assertion" in _failed(verify(elsewhere, fetcher=fetcher))


def test_hosted_assertion_on_another_origin_than_its_issuer_fails(world: Any, fetcher: Any) -> None:
    document = world.assertion()
    document["id"] = document["id"].replace("127.0.0.1", "localhost")
    world.server.put("/assertions/1", document)
    report = verify(document["id"], fetcher=fetcher)
    assert "another origin" in _failed(report)["hosted"]


def test_recipient_mismatch_fails(world: Any, fetcher: Any) -> None:
    report = verify(world.signed(), fetcher=fetcher, recipient="someone.else@school.example")
    assert "not issued to" in _failed(report)["recipient"]


@pytest.mark.parametrize("alg", ["none", "HS256", "RS512"])
def test_other_algorithms_are_refused(world: Any, fetcher: Any, alg: str) -> None:
    _, payload, signature = world.signed().split(".")
    header = jws.b64encode(json.dumps({"alg": alg}).encode())
    report = verify(f"{header}.{payload}.{signature}", fetcher=fetcher)
    assert f"algorithm '{alg}' is refused" in _failed(report)["signature"]


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "not a badge",
        "{",
        "[]",
        "a.b.c",
        "eyJ9.eyJ9.x",
        "http://",
        b"\x00\x01garbage",
        ONE_PIXEL_PNG[:30],
    ],
)
def test_garbage_inputs_give_a_clear_failure(garbage: Any, fetcher: Any) -> None:
    report = verify(garbage, fetcher=fetcher)
    assert not report.valid
    assert all(c.message for c in report.checks)


def test_baked_png_and_svg_verify(world: Any, fetcher: Any) -> None:
    token = world.signed()
    assert verify(bake.bake_png(ONE_PIXEL_PNG, token), fetcher=fetcher).valid
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle r="4"/></svg>'
    assert verify(bake.bake_svg(svg, token), fetcher=fetcher).valid


def test_offline_verification_with_static_documents(world: Any) -> None:
    docs = {
        world.issuer_id: world.issuer,
        world.key_id: world.key,
        world.badge_id: world.badge_class,
    }
    docs[world.issuer["revocationList"]] = objects.revocation_list(
        world.issuer["revocationList"], world.issuer_id, []
    )
    assert verify(world.signed(), fetcher=StaticFetcher(docs)).valid


def test_safe_fetcher_refuses_private_addresses(world: Any) -> None:
    report = verify(world.signed(), fetcher=SafeFetcher())
    assert "private or reserved address" in _failed(report)["badge class"]
    for url in (
        "http://10.0.0.1/x",
        "http://169.254.169.254/latest",
        "http://[::1]/x",
        "http://localhost/x",
    ):
        with pytest.raises(FetchError, match="private or reserved"):
            SafeFetcher().fetch_json(url)


def test_fetcher_refuses_non_json_and_redirect_loops(server: Any) -> None:
    server.put("/page", b"<html></html>", kind="text/html")
    server.put("/loop", f"{server.base}/loop".encode(), status=302)
    fetcher = SafeFetcher(allow_private=True)
    with pytest.raises(FetchError, match="not JSON"):
        fetcher.fetch_json(f"{server.base}/page")
    with pytest.raises(FetchError, match="redirects more than"):
        fetcher.fetch_json(f"{server.base}/loop")


def test_issuer_verification_policy_governs_hosted_origins(world: Any, fetcher: Any) -> None:
    url = world.hosted()
    world.issuer = {
        **world.issuer,
        "verification": {"startsWith": f"{world.server.base}/assertions/"},
    }
    world.publish()
    assert verify(url, fetcher=fetcher).valid
    world.issuer = {
        **world.issuer,
        "verification": {"startsWith": f"{world.server.base}/elsewhere/"},
    }
    world.publish()
    assert "verification policy" in _failed(verify(url, fetcher=fetcher))["hosted"]


def test_hosted_copy_must_be_served_at_its_own_id(world: Any, fetcher: Any) -> None:
    world.server.put("/copies/1", world.assertion(1))
    world.server.put("/assertions/1", world.assertion(1, id=f"{world.server.base}/copies/2"))
    report = verify(f"{world.server.base}/copies/1", fetcher=fetcher)
    assert "does not carry its own id" in _failed(report)["assertion"]


def test_url_and_telephone_recipients(world: Any, fetcher: Any) -> None:
    from badges.recipient import make_recipient

    token = world.signed(recipient=make_recipient("+16175551212", kind="telephone"))
    assert verify(token, fetcher=fetcher, recipient="+16175551212").valid
    assert not verify(token, fetcher=fetcher, recipient="+16175550000").valid
    site = make_recipient("https://teacher.example.org/", kind="url")
    assert site["type"] == "url"


def test_caching_fetcher_fetches_each_document_once(world: Any) -> None:
    from badges.fetch import CachingFetcher

    cached = CachingFetcher(SafeFetcher(allow_private=True), ttl=60, max_entries=2)
    for number in range(1, 4):
        assert verify(world.signed(number), fetcher=cached).valid
    # Four documents per badge (class, issuer, key, revocation list) but room for two: refetched.
    assert cached.misses > 4
    roomy = CachingFetcher(SafeFetcher(allow_private=True), ttl=60)
    for number in range(1, 6):
        assert verify(world.signed(number), fetcher=roomy).valid
    # Class, issuer and key once; the revocation list every time (never cached).
    assert roomy.misses == 3 + 5
    expired = CachingFetcher(SafeFetcher(allow_private=True), ttl=0)
    verify(world.signed(), fetcher=expired)
    verify(world.signed(), fetcher=expired)
    assert expired.misses == 8
    assert all(doc["type"] != "RevocationList" for _, doc in roomy.cache.values())


def test_redirect_from_an_allowed_host_to_a_private_address_is_refused(server: Any) -> None:
    host = server.base.removeprefix("http://")
    server.put("/go", b"http://169.254.169.254/latest/meta-data/", status=302)
    server.put("/doc", {"ok": True})
    fetcher = SafeFetcher(allow_hosts=frozenset({host}))
    assert fetcher.fetch_json(f"{server.base}/doc") == {"ok": True}
    with pytest.raises(FetchError, match="private or reserved address"):
        fetcher.fetch_json(f"{server.base}/go")
