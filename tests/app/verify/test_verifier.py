"""The public verifier, page and API, against another issuer served on loopback.

The private-address guard is relaxed here (the issuer lives on 127.0.0.1); the guard itself is
tested in test_verifier_guard.py with the default settings.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.config import Settings
from badges import bake, keys
from badges.jws import b64encode
from tests.badges.conftest import DocumentServer, World
from tests.badges.samples import SVG, make_png


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_changes(badges_allow_private_hosts=True)


@pytest.fixture(scope="module")
def signing_key() -> Any:
    return keys.generate_private_key()


@pytest.fixture
def world(signing_key: Any) -> Iterator[World]:
    server = DocumentServer()
    server.thread.start()
    yield World(server, signing_key)
    server.httpd.shutdown()
    server.httpd.server_close()


def _verdict(client: Any, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/verify", json=body)
    assert response.status_code == 200, response.get_json()
    result: dict[str, Any] = response.get_json()
    return result


def test_api_verifies_signed_hosted_and_json_badges(client: Any, world: World) -> None:
    signed = _verdict(client, jws=world.signed(), recipient="teacher@school.example")
    assert signed["valid"] is True
    assert signed["verdict"] == "Valid"
    assert signed["issuer"]["name"] == "Riverbend"
    assert _verdict(client, url=world.hosted(2))["valid"] is True
    assert _verdict(client, assertion=world.assertion(2))["valid"] is True


def test_api_verifies_baked_png_and_svg(client: Any, world: World) -> None:
    for image in (bake.bake_png(make_png(6), world.signed()), bake.bake_svg(SVG, world.signed())):
        response = client.post("/api/v1/verify", data={"file": (io.BytesIO(image), "badge")})
        assert response.get_json()["valid"] is True


def test_api_reports_forgeries_revocation_expiry_and_mismatch(client: Any, world: World) -> None:
    header, _payload, signature = world.signed(5).split(".")
    tampered = _verdict(client, jws=f"{header}.{b64encode(b'{}')}.{signature}")
    assert tampered["verdict"] == "Not valid"
    past = datetime.now(UTC) - timedelta(days=1)
    expired = _verdict(client, jws=world.signed(6, issuedOn=past - timedelta(days=9), expires=past))
    assert expired["verdict"] == "Expired"
    mismatch = _verdict(client, jws=world.signed(7), recipient="someone@else.example")
    assert mismatch["valid"] is False
    assert any(c["name"] == "recipient" and c["status"] == "fail" for c in mismatch["checks"])


def test_api_reports_revocation(client: Any, world: World) -> None:
    world.revocations.append((f"{world.server.base}/assertions/8", "Plagiarised evidence"))
    world.publish()
    revoked = _verdict(client, jws=world.signed(8))
    assert revoked["verdict"] == "Revoked"


def test_a_revocation_list_out_of_reach_is_not_called_a_revocation(
    client: Any, world: World
) -> None:
    world.server.put("/revocations", {"error": "down"}, status=503)
    result = _verdict(client, jws=world.signed())
    assert result["valid"] is False
    assert result["verdict"] == "Not valid"  # we could not check: never "Revoked"
    assert result["revoked"] is False
    page = client.submit("/verify", {"badge": world.signed()}).get_data(as_text=True)
    assert ">Not valid</h2>" in page
    assert "Revoked" not in page


def test_api_refuses_bad_requests_clearly(client: Any) -> None:
    assert (
        client.post("/api/v1/verify", data="{", content_type="application/json").status_code == 400
    )
    both = client.post("/api/v1/verify", json={"url": "https://a.example/x", "jws": "a.b.c"})
    assert both.status_code == 422
    garbage = _verdict(client, jws="not-a-badge")
    assert garbage["valid"] is False
    assert garbage["checks"][0]["message"]
    # A pre-encoded body: werkzeug's test builder leaks its spool file for large uploads.
    boundary = "xyzzy"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="b.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + b"\x89PNG"
        + bytes(6 * 1024 * 1024)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    big = client.post(
        "/api/v1/verify", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert big.status_code == 413
    assert "larger than 5 MB" in big.get_json()["error"]["message"]


def test_page_shows_a_verdict_and_a_share_link(client: Any, world: World) -> None:
    url = world.hosted(3)
    page = client.get("/verify", query_string={"url": url})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert ">Valid</h2>" in html
    assert "Exit tickets" in html
    assert "Link to this result" in html
    posted = client.submit(
        "/verify", {"badge": world.signed(4), "recipient": "teacher@school.example"}
    )
    assert ">Valid</h2>" in posted.get_data(as_text=True)
    upload = client.post(
        "/verify",
        data={
            "file": (io.BytesIO(bake.bake_png(make_png(4), world.signed(4))), "badge.png"),
            "csrf_token": client.csrf_token("/verify"),
        },
        content_type="multipart/form-data",
    )
    assert ">Valid</h2>" in upload.get_data(as_text=True)


def test_page_escapes_what_the_badge_says(client: Any, world: World) -> None:
    world.badge_class = {**world.badge_class, "name": "<script>alert(1)</script>"}
    world.publish()
    html = client.submit("/verify", {"badge": world.signed(9)}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_documents_are_fetched_once_for_many_badges(app: Any, client: Any, world: World) -> None:
    for number in range(10, 20):
        assert _verdict(client, jws=world.signed(number))["valid"] is True
    # Badge class, issuer and key once; the revocation list on every check.
    assert app.extensions["badge_fetcher"].inner.misses == 3 + 10


def test_a_revocation_shows_on_the_very_next_check(client: Any, world: World) -> None:
    token = world.signed(30)
    assert _verdict(client, jws=token)["verdict"] == "Valid"
    world.revocations.append((f"{world.server.base}/assertions/30", "Issued in error"))
    world.publish()
    assert _verdict(client, jws=token)["verdict"] == "Revoked"


DEEP = '{"a":' * 100_000 + "1" + "}" * 100_000


def test_api_answers_json_nested_100000_levels_with_a_clear_400(client: Any) -> None:
    response = client.post("/api/v1/verify", data=DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "levels deep" in response.get_json()["error"]["message"]
    inner = '{"assertion": ' + DEEP + "}"
    response = client.post("/api/v1/verify", data=inner, content_type="application/json")
    assert response.status_code == 400
    deep_jws = _verdict(client, jws=f"{b64encode(b'{}')}.{b64encode(DEEP.encode())}.c2ln")
    assert deep_jws["valid"] is False


def test_api_and_page_tell_a_json_file_named_png_that_it_is_no_image(
    client: Any, world: World
) -> None:
    data = json.dumps(world.assertion()).encode()
    response = client.post("/api/v1/verify", data={"file": (io.BytesIO(data), "badge.png")})
    result = response.get_json()
    assert result["valid"] is False
    assert "badge.png is not a PNG image" in result["checks"][0]["message"]
    page = client.post(
        "/verify",
        data={"file": (io.BytesIO(data), "badge.png"), "csrf_token": client.csrf_token("/verify")},
        content_type="multipart/form-data",
    )
    assert "badge.png is not a PNG image" in page.get_data(as_text=True)


def test_the_verifier_is_no_proxy_for_other_json(client: Any, world: World) -> None:
    url = world.server.put("/internal.json", {"salary": 123456, "type": "Payslip"})
    result = _verdict(client, url=url)
    assert result["valid"] is False
    assert "123456" not in json.dumps(result)
    url = world.server.put(
        "/v2.json", {"@context": "https://w3id.org/openbadges/v2", "type": "Payslip", "pay": 9}
    )
    result = _verdict(client, url=url)
    assert result["valid"] is False
    assert result["assertion"] is None
