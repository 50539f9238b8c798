"""Benchmark: the app under gunicorn as shipped (infra/gunicorn.conf.py), PostgreSQL, demo data;
each figure a ratio to /healthz measured on the same server in the same run.

    .venv/bin/python tests/bench/bench_http.py [--quick]        (part of `make bench`)

- hosted assertion GET (``Accept: application/ld+json``) against /healthz, 8 clients; and at
  50 clients, with its p99 (goal: >= 0.7, p99 < 50 ms at 50 clients);
- ``POST /api/v1/verify`` of one of our own hosted badges against /healthz, 8 clients (goal
  >= 0.3): the verifier reads our documents in process, without HTTP;
- /healthz under the shipped configuration (preloaded app, no worker recycling) against the
  old one (no preload, a worker recycled every 2,000 requests), 8 clients.

The clients are threads with keep-alive connections, each sending its next request when the
last is answered, for a fixed time (5 s each; --quick 1 s). They run on the same machine as
the server, as every figure here does, so only the ratios mean much. Rate limits are off.
Needs PostgreSQL (TEST_DATABASE_URL or DATABASE_URL, default the machine's); makes and drops
its own database; stops every process it starts.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from tests.net import free_port  # noqa: E402 (needs ROOT on sys.path first)


@dataclass
class Figure:
    rate: float  # requests a second
    p50: float  # ms
    p99: float  # ms
    errors: int


def hammer(
    port: int, method: str, path: str, clients: int, seconds: float, body: bytes | None = None
) -> Figure:
    """``clients`` threads sending ``method path`` back to back for ``seconds``."""
    headers = {"Accept": "application/ld+json"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client() -> None:
        nonlocal errors
        mine: list[float] = []
        failed = 0
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop:
            start = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - start)
        connection.close()
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    ordered = sorted(latencies) or [0.0]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return Figure(len(latencies) / elapsed, statistics.median(ordered) * 1000, p99 * 1000, errors)


class Server:
    """gunicorn with infra/gunicorn.conf.py on a port of its own."""

    def __init__(self, env: dict[str, str], work: Path, port: int = 0, **overrides: str) -> None:
        self.port = port or free_port()
        log = (work / f"gunicorn-{self.port}.log").open("ab")
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "infra/gunicorn.conf.py", "app:create_app()"],
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", **overrides},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(240):
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/readyz", timeout=2
                ) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.25)
        raise RuntimeError("gunicorn did not get ready")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def line(name: str, ours: Figure, base: Figure, goal: str) -> str:
    return (
        f"{name}: {ours.rate:.0f}/s (p50 {ours.p50:.1f} ms, p99 {ours.p99:.1f} ms) vs /healthz "
        f"{base.rate:.0f}/s (p99 {base.p99:.1f} ms), ratio {ours.rate / base.rate:.2f} ({goal})"
        + (f", errors {ours.errors}" if ours.errors else "")
    )


def run(database: str, seconds: float) -> int:
    from app.config import DEV_MASTER_KEY

    work = Path(tempfile.mkdtemp(prefix="bench-http-"))
    (work / "metrics").mkdir()
    port = free_port()
    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": "bench-secret-key-for-this-run-only",
        "MASTER_KEY": DEV_MASTER_KEY,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": database,
        "RATELIMIT_ENABLED": "0",
        "INSTANCE_PATH": str(work / "instance"),
        "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics"),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    flask = [str(BIN / "flask"), "--app", "app"]
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)
    from sqlalchemy import create_engine, text

    engine = create_engine(database)
    with engine.connect() as conn:
        uid = conn.execute(text("SELECT uid FROM assertions LIMIT 1")).scalar_one()
    engine.dispose()
    assertion = f"/ob/assertions/{uid}"
    verify_body = json.dumps({"url": f"http://127.0.0.1:{port}{assertion}"}).encode()

    problems = 0
    server = Server(env, work, port)
    try:
        hammer(port, "GET", "/healthz", 8, min(seconds, 1.0))  # warm every worker
        hammer(port, "GET", assertion, 8, min(seconds, 1.0))
        base8 = hammer(port, "GET", "/healthz", 8, seconds)
        hosted8 = hammer(port, "GET", assertion, 8, seconds)
        base50 = hammer(port, "GET", "/healthz", 50, seconds)
        hosted50 = hammer(port, "GET", assertion, 50, seconds)
        verify8 = hammer(port, "POST", "/api/v1/verify", 8, seconds, verify_body)
    finally:
        server.stop()
    print(line("hosted assertion, 8 clients", hosted8, base8, "goal >= 0.7"))
    print(line("hosted assertion, 50 clients", hosted50, base50, "goal p99 < 50 ms"))
    print(line("verify our hosted badge, 8 clients", verify8, base8, "goal >= 0.3"))
    problems += hosted8.errors + hosted50.errors + verify8.errors

    old = Server(env, work, GUNICORN_PRELOAD="0", GUNICORN_MAX_REQUESTS="2000")
    try:
        hammer(old.port, "GET", "/healthz", 8, min(seconds, 1.0))
        before = hammer(old.port, "GET", "/healthz", 8, seconds)
    finally:
        old.stop()
    print(
        f"/healthz as shipped (preloaded, no recycling): {base8.rate:.0f}/s, p99 "
        f"{base8.p99:.1f} ms vs the old configuration (no preload, recycled every 2,000 "
        f"requests): {before.rate:.0f}/s, p99 {before.p99:.1f} ms, ratio "
        f"{base8.rate / before.rate:.2f}"
    )
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 s per figure instead of 5 s")
    seconds = 1.0 if parser.parse_args(argv).quick else 5.0
    from tests.pgdb import is_postgres, server_url, throwaway_database

    base = server_url()
    if not is_postgres(base):
        raise SystemExit(f"this benchmark needs PostgreSQL; DATABASE_URL is {base!r}")
    with throwaway_database(base, f"bench_http_{os.getpid()}_{uuid.uuid4().hex[:6]}") as database:
        return run(database, seconds)


if __name__ == "__main__":
    sys.exit(main())
