"""A badge world for the verifier: keys, issuer documents, and a real HTTP server on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from badges import keys, objects
from badges.keys import RSASigner
from badges.recipient import make_recipient


class DocumentServer:
    """Serves ``documents`` (path -> (content type, bytes, status)) on 127.0.0.1."""

    def __init__(self) -> None:
        self.documents: dict[str, tuple[str, bytes, int]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                kind, body, status = server.documents.get(
                    self.path, ("text/plain", b"not found", 404)
                )
                self.send_response(status)
                if status in (301, 302):
                    self.send_header("Location", body.decode())
                    body = b""
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def put(
        self, path: str, document: Any, kind: str = "application/ld+json", status: int = 200
    ) -> str:
        body = document if isinstance(document, bytes) else json.dumps(document).encode()
        self.documents[path] = (kind, body, status)
        return self.base + path


@pytest.fixture(scope="session")
def private_key() -> rsa.RSAPrivateKey:
    return keys.generate_private_key()


@pytest.fixture(scope="session")
def other_key() -> rsa.RSAPrivateKey:
    return keys.generate_private_key()


@pytest.fixture
def server() -> Iterator[DocumentServer]:
    srv = DocumentServer()
    srv.thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


class World:
    """An issuer with one key and a revocation list, a badge class, and a way to issue."""

    def __init__(self, server: DocumentServer, private_key: rsa.RSAPrivateKey) -> None:
        self.server = server
        base = server.base
        self.issuer_id = f"{base}/issuer"
        self.key_id = f"{base}/keys/1"
        self.badge_id = f"{base}/badges/exit-tickets"
        self.revocations: list[tuple[str, str]] = []
        self.signer = RSASigner(private_key, self.key_id)
        self.issuer = objects.profile(
            {
                "id": self.issuer_id,
                "name": "Riverbend",
                "url": "https://riverbend.example.org",
                "email": "badges@riverbend.example.org",
                "publicKey": self.key_id,
                "revocationList": f"{base}/revocations",
            }
        )
        self.key = objects.cryptographic_key(
            self.key_id, self.issuer_id, keys.public_pem(private_key)
        )
        self.badge_class = objects.badge_class(
            {
                "id": self.badge_id,
                "name": "Exit tickets",
                "description": "Uses exit tickets to adjust teaching.",
                "image": f"{base}/badges/exit-tickets/image",
                "criteria": {"narrative": "Pass the rubric."},
                "issuer": self.issuer_id,
                "alignment": [
                    {"targetName": "Assessment", "targetUrl": "https://example.org/intasc/6"}
                ],
                "tags": ["assessment"],
            }
        )
        self.publish()

    def publish(self) -> None:
        self.server.put("/issuer", self.issuer)
        self.server.put("/keys/1", self.key)
        self.server.put("/badges/exit-tickets", self.badge_class)
        self.server.put(
            "/revocations",
            objects.revocation_list(
                f"{self.server.base}/revocations", self.issuer_id, self.revocations
            ),
        )

    def assertion(self, number: int = 1, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": f"{self.server.base}/assertions/{number}",
            "recipient": make_recipient("Teacher@School.example"),
            "badge": self.badge_id,
            "verification": {"type": "HostedBadge"},
            "issuedOn": datetime.now(UTC) - timedelta(days=1),
            "expires": datetime.now(UTC) + timedelta(days=365),
            "evidence": [
                {"id": "https://example.org/evidence/1", "narrative": "Scored Proficient."}
            ],
        }
        data.update(changes)
        return objects.assertion(data)

    def signed(self, number: int = 1, signer: Any = None, **changes: Any) -> str:
        from badges.jws import sign_assertion

        return sign_assertion(self.assertion(number, **changes), signer or self.signer)

    def hosted(self, number: int = 1, **changes: Any) -> str:
        document = self.assertion(number, **changes)
        return self.server.put(f"/assertions/{number}", document)


@pytest.fixture
def world(server: DocumentServer, private_key: rsa.RSAPrivateKey) -> World:
    return World(server, private_key)


@pytest.fixture
def fetcher() -> Any:
    from badges.fetch import SafeFetcher

    return SafeFetcher(allow_private=True)
