"""Benchmark: an evidence-file upload through the app vs a plain copy to the same storage.

    .venv/bin/python tests/bench/bench_upload.py [--quick]      (part of `make bench`)

The app runs in its own process (a threaded werkzeug server on loopback) so that its memory
can be read alone. A 100 MB MP4 video (10 MB with --quick) is streamed from disk as a multipart
POST /api/v1/submissions/<id>/files: a video streams into storage untouched, where a PDF or
an Office document is spooled and rewritten without its metadata (not what this measures).
The baselines, in the same run, are `LocalStorage.put` of the same file into the same
evidence folder (a streamed copy that hashes) and `shutil.copyfile` to the same disk. Prints
MB/s for each, the ratios, and the app process's peak resident memory (VmHWM) before and
after the upload.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import flask_migrate

from app import create_app
from app.config import Settings
from app.credentials import service as credentials
from app.db import db, dispose_engines
from app.models.orgs import Role
from app.storage import LocalStorage
from tests.app.credentials.body import BODY
from tests.app.people import PASSWORD, grant, make_issuer, make_user

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
CHUNK = MB
PROMPT_MAX_MB = 200
TEACHER = "teacher@school.test"
BOUNDARY = "bench-upload-boundary-7d3f1c0a9e"

# The server process: the same app, same settings, on a threaded werkzeug server.
SERVE = """
import sys
sys.path.insert(0, sys.argv[1])
from tests.bench.bench_upload import serve
serve(sys.argv[2])
"""


def settings_for(tmp: str) -> Settings:
    return Settings(
        env="testing",
        database_url=f"sqlite:///{tmp}/bench.sqlite3",
        instance_path=Path(tmp) / "instance",
        public_base_url="http://127.0.0.1",
        ratelimit_enabled=False,
        max_evidence_mb=PROMPT_MAX_MB,
    )


def serve(tmp: str) -> None:
    """Run in the server process: print the port, then serve until terminated."""
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    app = create_app(settings_for(tmp))
    logging.getLogger().setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(server.server_port, flush=True)
    server.serve_forever()


def _prepare(settings: Settings) -> int:
    """Migrate, make the people and a published credential; returns the credential id."""
    app = create_app(settings)
    with app.app_context():
        flask_migrate.upgrade()
        issuer = make_issuer("acme")
        designer = make_user("designer@acme.test")
        grant(designer, Role.DESIGNER, issuer)
        make_user(TEACHER)
        data = dict(BODY.items())
        data["prompts"] = [
            {**p, "allowed_kinds": ["mp4"], "max_mb": PROMPT_MAX_MB} if p["kind"] == "file" else p
            for p in BODY["prompts"]
        ]
        credential = credentials.create_credential(designer, issuer, data)
        credentials.publish(designer, credential)
        db.session.commit()
        credential_id = credential.id
        db.session.remove()
        dispose_engines()
    return int(credential_id)


def _make_file(path: Path, size: int) -> str:
    """An MP4-looking file of ``size`` bytes (random after the header); returns its sha256."""
    digest = hashlib.sha256()
    with path.open("wb") as out:
        head = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
        first = head + os.urandom(min(CHUNK, size) - len(head))
        out.write(first)
        digest.update(first)
        left = size - len(first)
        while left > 0:
            part = os.urandom(min(CHUNK, left))
            out.write(part)
            digest.update(part)
            left -= len(part)
    return digest.hexdigest()


def _json(port: int, method: str, path: str, body: Any = None, token: str = "") -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        payload = None if body is None else json.dumps(body).encode()
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


def _upload(port: int, token: str, sid: int, prompt_id: int, path: Path) -> tuple[int, Any]:
    """POST the file as multipart, streamed from disk in 1 MB chunks (never whole in memory)."""
    preamble = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="prompt_id"\r\n\r\n'
        f"{prompt_id}\r\n"
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    epilogue = f"\r\n--{BOUNDARY}--\r\n".encode()
    length = len(preamble) + path.stat().st_size + len(epilogue)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        connection.putrequest("POST", f"/api/v1/submissions/{sid}/files")
        connection.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
        connection.putheader("Content-Length", str(length))
        connection.putheader("Authorization", f"Bearer {token}")
        connection.endheaders()
        connection.send(preamble)
        with path.open("rb") as source:
            while chunk := source.read(CHUNK):
                connection.send(chunk)
        connection.send(epilogue)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


def _memory_mb(pid: int) -> dict[str, float]:
    """VmHWM (peak resident) and VmRSS (resident now) of ``pid``, in MB."""
    found: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            found[name] = int(value.split()[0]) / 1024  # kB
    return found


def _reset_peak(pid: int) -> bool:
    """Reset ``pid``'s VmHWM to its current VmRSS (Linux clear_refs); False if not allowed.

    Signing in hashes the password with argon2id (64 MiB), which leaves a peak far above the
    app's steady state; without the reset that peak would hide the upload's own.
    """
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class _RssSampler(threading.Thread):
    """The largest VmRSS of ``pid`` seen every few milliseconds (a cross-check of VmHWM)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0.0
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, _memory_mb(self.pid)["VmRSS"])
            time.sleep(0.005)

    def stop(self) -> float:
        self.running = False
        self.join()
        return self.peak


def _start_server(tmp: str, log: Path) -> tuple[subprocess.Popen[str], int]:
    with log.open("w") as errors:
        server = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(ROOT), tmp],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
    assert server.stdout is not None
    line = server.stdout.readline().strip()
    if not line.isdigit():
        server.kill()
        server.wait()
        raise SystemExit(f"the server did not start:\n{log.read_text()[-3000:]}")
    port = int(line)
    deadline = time.monotonic() + 30
    while True:  # wait until it answers
        try:
            _json(port, "GET", "/api/v1/credentials")
            return server, port
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(
                    f"the server does not answer:\n{log.read_text()[-3000:]}"
                ) from None
            time.sleep(0.05)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    size_mb = 10 if parser.parse_args(argv).quick else 100
    size = size_mb * MB

    logging.getLogger().setLevel(logging.WARNING)
    tmp = tempfile.mkdtemp(prefix="bench-upload-")
    server: subprocess.Popen[str] | None = None
    try:
        settings = settings_for(tmp)
        credential_id = _prepare(settings)
        source = Path(tmp) / "evidence.mp4"
        sha256 = _make_file(source, size)

        server, port = _start_server(tmp, Path(tmp) / "server.log")
        status, body = _json(
            port, "POST", "/api/v1/auth/token", {"email": TEACHER, "password": PASSWORD}
        )
        assert status in (200, 201), (status, body)
        token = body["token"]
        status, shown = _json(port, "GET", f"/api/v1/credentials/{credential_id}")
        assert status == 200, (status, shown)
        prompt_id = next(p["id"] for p in shown["prompts"] if p["kind"] == "file")
        status, body = _json(
            port, "POST", "/api/v1/submissions", {"credential_id": credential_id}, token
        )
        assert status == 201, (status, body)
        sid = body["id"]

        # Warm the upload path (multipart parser, storage) with a small file first, so that
        # "before" is the app's steady state and the peak below is the big upload's own.
        small = Path(tmp) / "warm.mp4"
        _make_file(small, 64 * 1024)
        status, body = _upload(port, token, sid, prompt_id, small)
        assert status == 201, (status, body)
        before = _memory_mb(server.pid)
        reset = _reset_peak(server.pid)
        sampler = _RssSampler(server.pid)
        sampler.start()

        start = time.perf_counter()
        status, body = _upload(port, token, sid, prompt_id, source)
        app_seconds = time.perf_counter() - start
        sampled = sampler.stop()
        after = _memory_mb(server.pid)
        # Without the reset, VmHWM still holds the sign-in's peak: use the sampled RSS.
        peak = after["VmHWM"] if reset else max(sampled, after["VmRSS"])
        if status != 201:
            raise SystemExit(f"upload answered {status}: {body}")
        recorded = body["files"][-1]
        if recorded["sha256"] != sha256 or recorded["size"] != size:
            raise SystemExit(f"recorded {recorded}, expected sha256 {sha256} size {size}")

        evidence = LocalStorage(settings.instance_path / "evidence")
        start = time.perf_counter()
        with source.open("rb") as stream:
            stored = evidence.put(
                "bench/baseline.mp4",
                stream,
                limit=PROMPT_MAX_MB * MB,
                content_type="video/mp4",
            )
        put_seconds = time.perf_counter() - start
        assert stored.sha256 == sha256

        start = time.perf_counter()
        shutil.copyfile(source, evidence.root / "bench" / "copy.mp4")
        copy_seconds = time.perf_counter() - start

        app_rate = size_mb / app_seconds
        put_rate = size_mb / put_seconds
        copy_rate = size_mb / copy_seconds
        print(f"upload through the app: {size_mb} MB in {app_seconds:.2f} s, {app_rate:.1f} MB/s")
        print(
            f"storage put (baseline): {size_mb} MB in {put_seconds:.2f} s, {put_rate:.1f} MB/s, "
            f"ratio app/put {app_rate / put_rate:.2f}"
        )
        print(
            f"plain copy (reference): {size_mb} MB in {copy_seconds:.2f} s, {copy_rate:.1f} MB/s, "
            f"ratio app/copy {app_rate / copy_rate:.2f}"
        )
        print(
            f"app peak memory: before {before['VmRSS']:.1f} MB, "
            f"peak during upload {peak:.1f} MB (file {size_mb} MB); "
            f"{'VmHWM reset before the upload' if reset else 'VmHWM not resettable'}, "
            f"sampled RSS peak {sampled:.1f} MB, resident after {after['VmRSS']:.1f} MB, "
            f"VmHWM before (sign-in's argon2) {before['VmHWM']:.1f} MB"
        )
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            if server.stdout is not None:
                server.stdout.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
