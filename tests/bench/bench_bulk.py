"""Benchmark: bulk CSV issuance on PostgreSQL, badges a second for one worker, against the raw
RSA-2048 signing rate of ``cryptography`` measured in the same run.

    .venv/bin/python tests/bench/bench_bulk.py [--quick]      (part of `make bench`)

An issuer with one published credential and its admin; a CSV of 2,000 rows (--quick: 300),
each a different teacher. The upload is checked and stored as the app does it, then the job
(``app.issuance.bulk.run``) runs in this process, as one worker: that is what is timed. Its
bake and mail jobs go to a Redis queue of their own (they are other workers' work) that is
emptied at the end. As the baseline, the same process signs with a fresh RSA-2048 key for as
long. Prints both rates, their ratio (goal >= 0.5), the SQL statements per 200-row batch, and
checks that every row was issued once and every badge carries a signature.

Needs PostgreSQL (TEST_DATABASE_URL or DATABASE_URL, default the machine's) and Redis
(REDIS_URL, default redis://127.0.0.1:6379/0); makes and drops its own database.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from sqlalchemy import event, func, select

from app.db import db
from app.issuance import bulk
from app.issuance import keys as keys_of_app
from app.models.assertions import Assertion, BulkIssuance
from badges import keys
from tests.app.reviews.world import build
from tests.bench.common import bench_app


def raw_sign_rate(seconds: float) -> float:
    """Signatures a second of a fresh RSA-2048 key over a badge-sized message."""
    private = keys.generate_private_key(2048)
    message = os.urandom(900)
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        private.sign(message, padding.PKCS1v15(), hashes.SHA256())
        count += 1
    return count / elapsed


def run(rows: int) -> tuple[float, int, list[str]]:
    """(seconds the job took, statements it sent, problems)."""
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    problems: list[str] = []
    queue_name = f"bench-bulk-{uuid.uuid4().hex[:8]}"
    with bench_app("bulk", redis_url=redis_url, queue_name=queue_name):
        world = build()
        slug = world.issuer.slug
        lines = ["email,credential,issued_on"] + [
            f"teacher{n}@district.test,exit-tickets,2025-05-01" for n in range(rows)
        ]
        from app.models.orgs import Issuer

        issuer = db.session.scalar(select(Issuer).where(Issuer.slug == slug))
        assert issuer is not None
        keys_of_app.current_key(issuer)  # an issuer that issues has its key already
        job = bulk.start(world.admin, issuer, "bench.csv", "\n".join(lines).encode())
        db.session.commit()  # queued on Redis (not run inline)
        job_id = job.id
        statements = 0

        def counted(*_: Any) -> None:
            nonlocal statements
            statements += 1

        from app.jobs import queue

        queue().connection.ping()  # a worker has its queue client loaded and connected
        db.session.remove()
        event.listen(db.engine, "before_cursor_execute", counted)
        start = time.perf_counter()
        bulk.run(job_id)
        db.session.commit()
        seconds = time.perf_counter() - start
        event.remove(db.engine, "before_cursor_execute", counted)

        done = db.session.get(BulkIssuance, job_id)
        assert done is not None
        if (done.status, done.issued, done.done) != ("done", rows, rows) or done.errors:
            problems.append(f"job ended {done.status} with {done.issued}/{rows} issued")
        signed = db.session.scalar(
            select(func.count(Assertion.id)).where(Assertion.jws.is_not(None))
        )
        if signed != rows:
            problems.append(f"{signed} signed badges, not {rows}")
        queue().empty()
        queue().delete(delete_jobs=True)
    return seconds, statements, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 rows instead of 2,000")
    rows = 300 if parser.parse_args(argv).quick else 2_000
    seconds, statements, problems = run(rows)
    ours = rows / seconds
    raw = raw_sign_rate(min(max(seconds, 1.0), 3.0))
    batches = -(-rows // bulk.BATCH)
    print(
        f"bulk issuance: {rows} rows in {seconds:.2f} s, {ours:.0f} badges/s vs raw RSA-2048 "
        f"sign {raw:.0f}/s, ratio {ours / raw:.2f} (goal >= 0.5 per worker)"
    )
    per_batch = statements / batches
    print(f"bulk issuance: {statements} SQL statements, {per_batch:.1f} per batch of {bulk.BATCH}")
    for problem in problems:
        print(f"  problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
