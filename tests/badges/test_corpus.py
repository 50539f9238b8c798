"""Real-world Open Badges, checked by our verifier and by the 1EdTech reference validator.

Every case in ``tests/badges/corpus/cases/<name>/case.json`` (see ``corpus/README.md``) names
documents by their original URLs. Here each original origin is rewritten to a path on a loopback
HTTP server (``http://127.0.0.1:PORT/c/<case>/<host>``), signed cases are re-signed with a key
made for this session, baked images are re-baked, and then the reference validator (one
process, ``--batch``) and ``badges.verify.verify`` judge every case. Our verdict must equal the
reference's unless ``case.json`` documents the disagreement (and then both verdicts must be the
documented ones, so a stale note fails too).
"""

from __future__ import annotations

import base64
import io
import json
import subprocess
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import openbadges_bakery
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = CORPUS / "cases"
SHARED_IMAGE = CORPUS / "heart.png"
VALIDATOR = ROOT / ".venv-validator" / "bin" / "python"
RUNNER = ROOT / "tests" / "validator" / "run_validator.py"
HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "RS256": hashes.SHA256,
    "RS384": hashes.SHA384,
    "RS512": hashes.SHA512,
}
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "case.json").exists())


# ---------------------------------------------------------------- loopback server


class Server:
    """Serves ``documents`` (path -> (content type, bytes, status)) on 127.0.0.1."""

    def __init__(self) -> None:
        self.documents: dict[str, tuple[str, bytes, int]] = {}
        documents = self.documents

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                kind, body, status = documents.get(self.path, ("text/plain", b"not found", 404))
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def put(self, url: str, kind: str, body: bytes, status: int = 200) -> None:
        assert url.startswith(self.base), url
        self.documents[url[len(self.base) :]] = (kind, body, status)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# ---------------------------------------------------------------- JWS, independent of badges.jws


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(payload: dict[str, Any], header: dict[str, Any], key: rsa.RSAPrivateKey) -> str:
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    digest = HASHES[header.get("alg", "RS256")]()
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), digest)
    return f"{signing_input}.{b64url(signature)}"


def looks_like_jws(text: str) -> bool:
    parts = text.strip().split(".")
    return len(parts) == 3 and all(parts) and not text.strip().startswith(("{", "http"))


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


# ---------------------------------------------------------------- building a case's world


@dataclass
class Built:
    name: str
    spec: dict[str, Any]
    source: str | bytes  # what our verifier gets
    reference_source: str  # what the reference validator gets (URL, JWS, JSON text or @file)
    ours: bool | None = None
    our_checks: list[str] = field(default_factory=list)
    reference: bool | None = None
    reference_messages: list[str] = field(default_factory=list)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class CaseWorld:
    """One case: its origins mapped onto loopback, its documents served, its input built."""

    def __init__(
        self,
        name: str,
        servers: tuple[Server, Server],
        keys: dict[str, rsa.RSAPrivateKey],
        workdir: Path,
    ) -> None:
        self.name = name
        self.dir = CASES / name
        self.spec: dict[str, Any] = json.loads((self.dir / "case.json").read_text())
        self.servers = servers
        self.keys = keys
        self.workdir = workdir
        urls = list(self.spec.get("documents", {}))
        if self.spec["input"]["kind"] == "url":
            urls.append(self.spec["input"]["value"])
        if self.spec.get("sign"):
            urls.append(self.spec["sign"]["key"])
        second = set(self.spec.get("second_origin") or [])
        self.origins: dict[str, str] = {}
        for url in urls:
            old = origin(url)
            server = servers[1] if old in second else servers[0]
            host = urlsplit(url).netloc.replace(":", "_")
            self.origins[old] = f"{server.base}/c/{name}/{host}"

    def rewrite(self, text: str) -> str:
        for old in sorted(self.origins, key=len, reverse=True):
            text = text.replace(old, self.origins[old])
        return text

    def url(self, original: str) -> str:
        return self.rewrite(original)

    def document(self, file_name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.rewrite((self.dir / file_name).read_text()))
        if data.get("type") == "CryptographicKey":
            data["publicKeyPem"] = public_pem(self.keys["main"])
        return data

    def serve(self) -> None:
        for original, entry in self.spec.get("documents", {}).items():
            entry = {"file": entry} if isinstance(entry, str) else entry
            status = entry.get("status", 200)
            url = self.url(original)
            server = next(s for s in self.servers if url.startswith(s.base))
            if entry["file"] == "@image":
                server.put(url, "image/png", SHARED_IMAGE.read_bytes(), status)
            elif entry["file"].endswith(".json"):
                body = json.dumps(self.document(entry["file"])).encode()
                server.put(url, entry.get("content_type", "application/ld+json"), body, status)
            else:
                kind = "image/svg+xml" if entry["file"].endswith(".svg") else "image/png"
                server.put(url, kind, (self.dir / entry["file"]).read_bytes(), status)

    def token(self, payload: dict[str, Any] | None = None) -> str:
        """The case's document (or ``payload``), signed as ``sign`` says."""
        spec = self.spec["sign"]
        document = payload if payload is not None else self.document(spec["document"])
        key = self.keys[spec.get("signing_key", "main")]
        token = sign(document, spec.get("header", {"alg": "RS256"}), key)
        if spec.get("tamper"):
            changes = json.loads(self.rewrite(json.dumps(spec["tamper"])))
            header, _, signature = token.split(".")
            tampered = b64url(json.dumps({**document, **changes}).encode())
            token = f"{header}.{tampered}.{signature}"
        return token

    def rewrite_baked(self, text: str) -> str:
        """A string found in a baked image, with origins rewritten (and re-signed if a JWS)."""
        if looks_like_jws(text):
            payload = json.loads(self.rewrite(b64url_decode(text.split(".")[1]).decode()))
            return self.token(payload)
        return self.rewrite(text)

    def bake(self, image: bytes, text: str) -> bytes:
        with warnings.catch_warnings():  # the bakery calls a deprecated rfc3986 helper
            warnings.simplefilter("ignore", DeprecationWarning)
            baked = openbadges_bakery.bake(io.BytesIO(image), text)
        data: bytes = baked.read()
        baked.close()
        return data

    def build(self) -> Built:
        self.serve()
        kind, value = self.spec["input"]["kind"], self.spec["input"]["value"]
        if kind == "url":
            url = self.url(value)
            return Built(self.name, self.spec, url, url)
        if kind == "jws":
            token = self.token()
            return Built(self.name, self.spec, token, token)
        bake = self.spec.get("bake")
        if bake:
            image_path = SHARED_IMAGE if bake["image"] == "@image" else self.dir / bake["image"]
            document = self.document(bake["document"])
            text = {
                "json": lambda: json.dumps(document),
                "url": lambda: str(document["id"]),
                "jws": lambda: self.token(document),
            }[bake["payload"]]()
            data = self.bake(image_path.read_bytes(), text)
        elif value.endswith(".svg"):
            data = self.rewrite((self.dir / value).read_text()).encode()
        elif value.endswith(".png"):
            raw = (self.dir / value).read_bytes()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                found = openbadges_bakery.unbake(io.BytesIO(raw))
            found = found.decode() if isinstance(found, bytes) else found
            data = self.bake(raw, self.rewrite_baked(found))
        else:  # JSON text
            text = self.rewrite((self.dir / value).read_text())
            return Built(self.name, self.spec, text, text)
        path = self.workdir / f"{self.name}-{value}"
        path.write_bytes(data)
        return Built(self.name, self.spec, data, f"@{path}")


# ---------------------------------------------------------------- running both verifiers


def run_reference(cases: list[Built], workdir: Path) -> dict[str, dict[str, Any]]:
    if not VALIDATOR.exists():
        pytest.fail("the reference validator is not installed: `make validator` installs it")
    inputs = workdir / "inputs.json"
    inputs.write_text(json.dumps([{"id": c.name, "source": c.reference_source} for c in cases]))
    result = subprocess.run(
        [str(VALIDATOR), str(RUNNER), "--batch", str(inputs)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    reports = json.loads(result.stdout.strip().splitlines()[-1])
    return {item["id"]: item["report"] for item in reports}


def run_ours(case: Built) -> None:
    from badges.fetch import SafeFetcher
    from badges.verify import verify

    report = verify(case.source, fetcher=SafeFetcher(allow_private=True))
    case.ours = report.valid
    case.our_checks = [f"{c.status}: {c.name}: {c.message}" for c in report.checks]


@pytest.fixture(scope="module")
def corpus() -> Iterator[dict[str, Built]]:
    servers = (Server(), Server())
    keys = {
        "main": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "other": rsa.generate_private_key(public_exponent=65537, key_size=2048),
    }
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        built = [CaseWorld(name, servers, keys, workdir).build() for name in CASE_NAMES]
        with ThreadPoolExecutor(max_workers=1) as pool:
            reference = pool.submit(run_reference, built, workdir)
            for case in built:
                run_ours(case)
            reports = reference.result()
        for case in built:
            report = reports[case.name]
            case.reference = bool(report.get("valid"))
            case.reference_messages = [
                f"{m.get('messageLevel')}: {m.get('name', '')}: {m.get('result')}"
                for m in report.get("messages", [])
            ]
        yield {case.name: case for case in built}
    for server in servers:
        server.close()


def verdict(valid: bool | None) -> str:
    return "valid" if valid else "invalid"


def explain(case: Built) -> str:
    ours_failed = [c for c in case.our_checks if not c.startswith("pass")]
    return "\n".join(
        [
            f"corpus case {case.name!r}: {case.spec['description']}",
            f"  source: {case.spec['source']}",
            f"  ours: {verdict(case.ours)}; reference: {verdict(case.reference)}; "
            f"case expects: {case.spec.get('expected')}",
            "  our failing/warning checks:",
            *[f"    {c}" for c in ours_failed or ["(none)"]],
            "  reference messages:",
            *[f"    {m}" for m in case.reference_messages or ["(none)"]],
        ]
    )


def agrees(case: Built) -> bool:
    note = case.spec.get("disagreement")
    if note:
        return verdict(case.ours) == note["ours"] and verdict(case.reference) == note["reference"]
    return case.ours == case.reference


def test_corpus_summary(corpus: dict[str, Built], capsys: pytest.CaptureFixture[str]) -> None:
    cases = list(corpus.values())
    same = sum(1 for c in cases if c.ours == c.reference)
    documented = sum(1 for c in cases if c.spec.get("disagreement") and agrees(c))
    failing = [c.name for c in cases if not agrees(c)]
    with capsys.disabled():
        print(
            f"\ncorpus: {len(cases)} cases, {same} agree with the reference validator, "
            f"{documented} documented disagreements, {len(failing)} undocumented "
            f"disagreements{': ' + ', '.join(failing) if failing else ''}"
        )
    assert len(cases) >= 30


@pytest.mark.parametrize("name", CASE_NAMES)
def test_corpus_case(corpus: dict[str, Built], name: str) -> None:
    case = corpus[name]
    note = case.spec.get("disagreement")
    if note and not agrees(case):
        pytest.fail("stale or wrong disagreement note:\n" + explain(case), pytrace=False)
    if not note and case.ours != case.reference:
        pytest.fail(explain(case), pytrace=False)
