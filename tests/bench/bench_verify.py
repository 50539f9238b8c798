"""Benchmark: POST /api/v1/verify under concurrency vs `badges` verify in-process, same run.

    .venv/bin/python tests/bench/bench_verify.py [--quick]      (part of `make bench`)

An issuer's documents are served by a loopback HTTP server; the app runs on a threaded server
on loopback with a warm document cache. Prints requests per second at 1 and 8 concurrent
clients and the ratio to in-process verification with a warm cache.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from werkzeug.serving import make_server

from app import create_app
from app.config import Settings
from badges import keys
from badges.fetch import CachingFetcher, SafeFetcher
from badges.verify import verify
from tests.badges.conftest import DocumentServer, World


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    seconds = 0.5 if parser.parse_args(argv).quick else 3.0

    documents = DocumentServer()
    documents.thread.start()
    world = World(documents, keys.generate_private_key())
    token = world.signed()

    fetcher = CachingFetcher(SafeFetcher(allow_private=True))
    assert verify(token, fetcher=fetcher).valid
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        verify(token, fetcher=fetcher)
        count += 1
    in_process = count / (time.perf_counter() - start)

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    instance = tempfile.mkdtemp()
    settings = Settings(
        env="testing",
        database_url=f"sqlite:///{instance}/bench.sqlite3",
        instance_path=Path(instance),
        badges_allow_private_hosts=True,
        ratelimit_enabled=False,
    )
    app = create_app(settings)
    logging.getLogger().setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/api/v1/verify"
    body = json.dumps({"jws": token}).encode()

    def post() -> bool:
        request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return bool(json.loads(response.read())["valid"])

    assert post()  # warms the app's cache
    print(f"in-process verify (warm cache): {in_process:8.0f}/s")
    for clients in (1, 8):
        done = 0
        deadline = time.perf_counter() + seconds
        start = time.perf_counter()

        def worker(deadline: float = deadline) -> int:
            n = 0
            while time.perf_counter() < deadline:
                post()
                n += 1
            return n

        with ThreadPoolExecutor(clients) as pool:
            done = sum(pool.map(lambda _: worker(), range(clients)))
        rate = done / (time.perf_counter() - start)
        print(
            f"POST /api/v1/verify, {clients} client(s): {rate:8.0f}/s  "
            f"ratio {rate / in_process:.2f} of in-process ({os.cpu_count()} cores)"
        )
    server.shutdown()
    documents.httpd.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
