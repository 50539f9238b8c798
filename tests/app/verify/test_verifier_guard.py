"""With the default settings the verifier refuses to fetch from private addresses."""

from __future__ import annotations

from typing import Any

from tests.badges.conftest import DocumentServer


def test_private_and_metadata_addresses_are_refused(client: Any) -> None:
    for url in (
        "http://127.0.0.1:9/assertions/1",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/x",
    ):
        result = client.post("/api/v1/verify", json={"url": url}).get_json()
        assert result["valid"] is False
        assert "private or reserved address" in result["checks"][0]["message"]


def test_redirects_to_private_addresses_are_refused(client: Any) -> None:
    server = DocumentServer()
    server.thread.start()
    try:
        server.put("/go", b"http://169.254.169.254/latest/meta-data/", status=302)
        # The first hop is itself private here; the fetcher re-checks every hop the same way.
        result = client.post("/api/v1/verify", json={"url": f"{server.base}/go"}).get_json()
        assert result["valid"] is False
        assert "private or reserved" in result["checks"][0]["message"]
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def test_verification_is_rate_limited_per_address(client: Any) -> None:
    statuses = [
        client.post("/api/v1/verify", json={"jws": "not-a-badge"}).status_code for _ in range(31)
    ]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    assert client.get("/verify").status_code == 200  # reading the page is not limited


def test_our_own_urls_are_answered_in_process(app: Any, client: Any) -> None:
    """Our own Open Badges documents are read from the issuance code, not over HTTP (the
    guard would refuse http://localhost); our other URLs are no documents at all."""
    from app.db import db
    from tests.app.people import make_issuer

    make_issuer("acme")
    db.session.commit()
    result = client.post("/api/v1/verify", json={"url": "http://localhost/ob/issuers/acme"})
    report = result.get_json()
    assert report["valid"] is False  # a profile is not an assertion...
    assert "private" not in report["checks"][0]["message"]  # ...but it was read, locally
    assert "not Assertion" in report["checks"][0]["message"]
    assert app.extensions["badge_fetcher"].local_hits == 1
    for url in ("http://localhost/api/v1/credentials", "http://localhost/no/such/badge"):
        missing = client.post("/api/v1/verify", json={"url": url}).get_json()
        assert "HTTP 404" in missing["checks"][0]["message"]
        assert missing["assertion"] is None
    assert app.extensions["badge_fetcher"].local_hits == 1
