"""Load check: two gunicorn instances on loopback, PostgreSQL, demo data, locust headless.

    make load                     (defaults: 30 s, 16 users)
    .venv/bin/python tests/load/run_load.py --seconds 10 --users 8

Prints throughput, p50/p99 latency and the error count for the mix (hosted assertion GETs,
verify POSTs, catalog pages, a teacher's badge list and a reviewer's queue over the API, and
/healthz as the baseline), then per request kind. Rate limits are off for the run: it
measures the app, not the limiter. Everything runs on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LOCUST = ROOT / ".venv-load" / "bin" / "locust"
sys.path.insert(0, str(ROOT))

from tests.net import free_port  # noqa: E402 (needs ROOT on sys.path first)


def _token(base: str, email: str) -> str:
    """An API token of a demo account (its password is the demo one)."""
    import json

    body = json.dumps({"email": email, "password": "demo-password-1", "name": "load"}).encode()
    request = urllib.request.Request(  # noqa: S310 - our own server on loopback
        f"{base}/api/v1/auth/token", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        return str(json.loads(answer.read())["token"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--users", type=int, default=16)
    args = parser.parse_args(argv)
    if not LOCUST.exists():
        print("locust is not installed: `make load` installs it into .venv-load", file=sys.stderr)
        return 2

    from tests.pgdb import server_url, throwaway_database

    with throwaway_database(server_url(), f"load_{os.getpid()}_{uuid.uuid4().hex[:6]}") as database:
        return _run(args, database)


def _run(args: argparse.Namespace, database: str) -> int:
    from sqlalchemy import create_engine, text

    from app.config import DEV_MASTER_KEY

    work = Path(tempfile.mkdtemp(prefix="microcred-load-"))
    ports = [free_port(), free_port()]
    targets = [f"http://127.0.0.1:{p}" for p in ports]
    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": "load-test-secret-key-for-both-instances",
        "MASTER_KEY": DEV_MASTER_KEY,
        "PUBLIC_BASE_URL": targets[0],
        "DATABASE_URL": database,
        "RATELIMIT_ENABLED": "0",
        "INSTANCE_PATH": str(work / "instance"),
        "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics"),
        "LOG_FORMAT": "json",
    }
    env.pop("REDIS_URL", None)
    (work / "metrics").mkdir()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        flask = [str(BIN / "flask"), "--app", "app"]
        for command in (["db", "upgrade"], ["seed-demo"]):
            subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)
        engine = create_engine(database)
        with engine.connect() as conn:
            uid, jws = conn.execute(text("SELECT uid, jws FROM assertions LIMIT 1")).one()
        engine.dispose()
        for port in ports:
            with (work / f"web-{port}.log").open("ab") as log:
                processes.append(
                    subprocess.Popen(
                        [str(BIN / "gunicorn"), "-c", "infra/gunicorn.conf.py", "app:create_app()"],
                        cwd=ROOT,
                        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"},
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        for target in targets:
            for _ in range(120):
                try:
                    with urllib.request.urlopen(f"{target}/readyz", timeout=2) as answer:  # noqa: S310
                        if answer.status == 200:
                            break
                except OSError:
                    time.sleep(0.25)
        tokens = {who: _token(targets[0], f"{who}@demo.test") for who in ("teacher", "reviewer1")}
        stats = work / "locust"
        subprocess.run(
            [
                str(LOCUST),
                "-f",
                str(ROOT / "tests" / "load" / "locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(args.users),
                "-t",
                f"{args.seconds}s",
                "--host",
                targets[0],
                "--csv",
                str(stats),
                "--only-summary",
                "--loglevel",
                "ERROR",
            ],
            cwd=ROOT,
            env={
                **env,
                "LOAD_TARGETS": ",".join(targets),
                "LOAD_ASSERTION": f"/ob/assertions/{uid}",
                "LOAD_JWS": jws,
                "LOAD_TEACHER_TOKEN": tokens["teacher"],
                "LOAD_REVIEWER_TOKEN": tokens["reviewer1"],
            },
            check=False,
            capture_output=True,
            timeout=args.seconds + 120,
        )
        with (work / "locust_stats.csv").open() as handle:
            rows = list(csv.DictReader(handle))
        total = next(r for r in rows if r["Name"] == "Aggregated")
        print(
            f"load: {args.seconds} s, {args.users} users, two instances: "
            f"{float(total['Requests/s']):.1f} requests/s, p50 {total['50%']} ms, "
            f"p99 {total['99%']} ms, errors {total['Failure Count']} of {total['Request Count']}"
        )
        for row in rows:
            if row["Name"] != "Aggregated":
                print(
                    f"  {row['Name']}: {float(row['Requests/s']):.1f}/s, p50 {row['50%']} ms, "
                    f"p99 {row['99%']} ms, errors {row['Failure Count']}"
                )
        return 0 if int(total["Failure Count"]) == 0 else 1
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    sys.exit(main())
