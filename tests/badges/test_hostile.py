"""A hostile world: servers that trickle, too many documents, DNS that could change between
check and connect, JSON nested 100,000 levels deep. Real sockets on loopback throughout."""

from __future__ import annotations

import datetime as dt
import json
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from badges.errors import FetchError
from badges.fetch import DOCUMENT_SECONDS, SafeFetcher
from badges.verify import verify

BADGES_CLI = Path(sys.executable).parent / "badges"
DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 100_000 + "1" + "}" * 100_000


class Trickler:
    """Answers every connection with ``prefix`` and then one byte every ``every`` seconds."""

    def __init__(self, prefix: bytes, every: float = 2.0) -> None:
        self.prefix = prefix
        self.every = every
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/badge.json"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(self.prefix)
                while not self.stop.wait(self.every):
                    conn.sendall(b" ")
            except OSError:
                return  # the client gave up: what we want

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2)
        self.listener.close()


@pytest.fixture
def trickle_headers() -> Iterator[Trickler]:
    server = Trickler(b"HTTP/1.1 200 OK\r\n")  # then header bytes, forever
    yield server
    server.close()


@pytest.fixture
def trickle_body() -> Iterator[Trickler]:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 900\r\n\r\n{"
    server = Trickler(head)
    yield server
    server.close()


@pytest.mark.parametrize("fixture", ["trickle_headers", "trickle_body"])
def test_a_trickling_server_is_cut_off_at_the_document_deadline(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    server: Trickler = request.getfixturevalue(fixture)
    start = time.monotonic()
    report = verify(server.url, fetcher=SafeFetcher(allow_private=True))
    elapsed = time.monotonic() - start
    assert not report.valid
    assert elapsed < DOCUMENT_SECONDS + 1.5, elapsed
    message = report.checks[0].message
    assert f"did not answer within {DOCUMENT_SECONDS:g} s" in message, message


def test_the_verification_deadline_bounds_every_document_together(
    trickle_body: Trickler,
) -> None:
    start = time.monotonic()
    report = verify(trickle_body.url, fetcher=SafeFetcher(allow_private=True), seconds=1.5)
    assert time.monotonic() - start < 3
    assert "time ran out" in report.checks[0].message


class SlowHandler(BaseHTTPRequestHandler):
    """Every document takes 0.4 s; the badge's documents are served by the world fixture."""

    documents: dict[str, bytes] = {}

    def do_GET(self) -> None:
        time.sleep(0.4)
        body = self.documents.get(self.path, b"{}")
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return


def test_a_verification_stops_after_its_total_time(world: Any) -> None:
    """Each document arrives in time, but all of them together do not."""
    documents = {path: body for path, (_, body, _) in world.server.documents.items()}
    SlowHandler.documents = documents
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), SlowHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        slow_base = f"http://127.0.0.1:{httpd.server_address[1]}"
        token = world.signed()
        report = verify(
            token,
            fetcher=_Rebase(world.server.base, slow_base),
            seconds=1.0,
        )
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert not report.valid
    failed = [c.message for c in report.checks if c.status == "fail"]
    assert any("time ran out" in m or "took longer than 1 s" in m for m in failed), failed


class _Rebase:
    """Fetches the world's URLs from another (slow) server holding the same documents."""

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new
        self.inner = SafeFetcher(allow_private=True)

    def fetch_json(self, url: str, *, deadline: float | None = None) -> dict[str, Any]:
        return self.inner.fetch_json(url.replace(self.old, self.new), deadline=deadline)


def test_a_verification_fetches_a_bounded_number_of_documents(world: Any, fetcher: Any) -> None:
    token = world.signed()
    assert verify(token, fetcher=fetcher).valid
    report = verify(token, fetcher=fetcher, max_documents=2)
    assert not report.valid
    failed = " ".join(c.message for c in report.checks if c.status == "fail")
    assert "more than 2 documents" in failed


class PinnedFetcher(SafeFetcher):
    """Vets ``badges.invalid`` (a name no DNS answers) as 127.0.0.1: the fetch only works if
    the connection goes to the vetted address rather than a second lookup of the name."""

    def check_address(self, host: str, port: int) -> str:
        if host == "badges.invalid":
            return "127.0.0.1"
        return super().check_address(host, port)


class JSONHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"host": self.headers["Host"], "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return


def _certificate(tmp_path: Path) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "badges.invalid")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("badges.invalid")]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_the_connection_goes_to_the_vetted_address(scheme: str, tmp_path: Path) -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), JSONHandler)
    fetcher = PinnedFetcher(allow_private=True)
    if scheme == "https":
        cert, key = _certificate(tmp_path)
        server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_tls.load_cert_chain(cert, key)
        httpd.socket = server_tls.wrap_socket(httpd.socket, server_side=True)
        fetcher.tls = ssl.create_default_context(cafile=str(cert))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    port = httpd.server_address[1]
    try:
        document = fetcher.fetch_json(f"{scheme}://badges.invalid:{port}/issuer")
        assert document == {"host": f"badges.invalid:{port}", "path": "/issuer"}
        if scheme == "https":  # the certificate is still checked against the host name
            with pytest.raises(FetchError):
                PinnedFetcher(allow_private=True).fetch_json(f"https://badges.invalid:{port}/x")
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("text", [DEEP, DEEP_OBJECT, '{"recipient":' + DEEP + "}"])
def test_json_nested_100000_levels_is_not_valid_with_a_clear_message(text: str) -> None:
    report = verify(text, fetcher=SafeFetcher())
    assert not report.valid
    message = report.checks[0].message
    assert "levels deep" in message or "not a badge" in message, message


def test_a_deep_jws_payload_is_not_valid(world: Any, fetcher: Any) -> None:
    from badges import jws

    header = jws.b64encode(b'{"alg":"RS256"}')
    body = jws.b64encode(DEEP_OBJECT.encode())
    report = verify(f"{header}.{body}.c2ln", fetcher=fetcher)
    assert not report.valid
    assert "levels deep" in report.checks[0].message


def test_a_deep_document_from_a_server_is_not_valid(server: Any, fetcher: Any) -> None:
    url = server.put("/deep.json", DEEP_OBJECT.encode())
    report = verify(url, fetcher=fetcher)
    assert not report.valid
    assert "levels deep" in report.checks[0].message


def test_the_cli_says_not_valid_for_deep_json(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text(DEEP_OBJECT)
    result = subprocess.run(
        [str(BADGES_CLI), "verify", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "NOT VALID" in result.stdout
    assert "levels deep" in result.stdout
    assert "Traceback" not in result.stderr
