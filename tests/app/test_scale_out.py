"""Scale-out on this machine: two gunicorn instances on different loopback ports and an RQ
worker, sharing a PostgreSQL server of the test's own (initdb/pg_ctl in a temporary folder:
the machine's shared server is never stopped), the machine's Redis and an S3-speaking server
on loopback.

The whole journey runs across them (submit on one, review on the other, the badge's images
baked by the worker, verified on either); the worker is killed with SIGKILL during an
8,000-row bulk issuance and a new one finishes it, every row issued exactly once; and the
PostgreSQL server is restarted: /readyz answers 503 while it is down and the app recovers by
itself, with no submission lost.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
import requests
from sqlalchemy import func, select

from app import create_app
from app.config import DEV_MASTER_KEY, Settings
from app.db import db, dispose_engines
from app.models.assertions import Assertion, BulkIssuance
from app.models.submissions import Submission
from badges.bake import unbake
from tests.app.people import PASSWORD
from tests.app.reviews.world import PDF, WORDS, build
from tests.net import csrf_token_in, free_port
from tests.pgcluster import Cluster, private_cluster
from tests.servers import S3TestServer, SMTPTestServer

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LEASE_SECONDS = 4  # BULK_LEASE_SECONDS of every process here: a dead worker's job is free after it


def _wait(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
        except requests.RequestException:
            result = None
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


class Stack:
    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.ports = [free_port(), free_port()]
        self.urls = [f"http://127.0.0.1:{p}" for p in self.ports]
        self.env["PUBLIC_BASE_URL"] = self.urls[0]  # the load balancer's address, in effect
        self.processes: list[subprocess.Popen[bytes]] = []
        self.worker: subprocess.Popen[bytes] | None = None

    def _spawn(self, args: list[str], name: str, **extra: str) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("ab") as log:  # the child keeps its own copy
            process = subprocess.Popen(
                args, cwd=ROOT, env={**self.env, **extra}, stdout=log, stderr=subprocess.STDOUT
            )
        self.processes.append(process)
        return process

    def start(self) -> None:
        for n, port in enumerate(self.ports):
            self._spawn(
                [str(BIN / "gunicorn"), "-c", "infra/gunicorn.conf.py", "app:create_app()"],
                f"web{n}",
                GUNICORN_BIND=f"127.0.0.1:{port}",
                WEB_CONCURRENCY="2",
            )
        self.start_worker()
        for url in self.urls:
            _wait(lambda u=url: requests.get(f"{u}/readyz", timeout=5).ok, 60, f"{url}/readyz")

    def start_worker(self) -> None:
        self.worker = self._spawn(
            [str(BIN / "flask"), "--app", "app", "worker"], f"worker-{len(self.processes)}"
        )

    def flask(self, *args: str) -> str:
        result = subprocess.run(
            [str(BIN / "flask"), "--app", "app", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return result.stdout

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def own_database(app: Any, settings: Settings) -> Iterator[Cluster]:
    """A PostgreSQL server of this test's own, with the schema, and the test's app on it for
    the test's duration (the test stops and starts it; the shared server is never touched)."""
    with private_cluster() as cluster:
        twin = create_app(settings.with_changes(database_url=cluster.url))
        with twin.app_context():
            flask_migrate.upgrade()
            try:
                yield cluster
            finally:
                db.session.remove()
                dispose_engines()


@pytest.fixture
def stack(own_database: Cluster, smtp_server: SMTPTestServer, tmp_path: Path) -> Iterator[Stack]:
    database_url = own_database.url
    s3 = S3TestServer()
    s3.start()
    bucket = f"evidence-{uuid.uuid4().hex[:8]}"
    queue = f"scale-{uuid.uuid4().hex[:8]}"
    aws = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    aws["AWS_DEFAULT_REGION"] = "us-east-1"
    s3.client().create_bucket(Bucket=bucket)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "APP_ENV": "production",
        "SECRET_KEY": "scale-out-test-secret-key-shared-by-every-instance",
        "MASTER_KEY": DEV_MASTER_KEY,
        "DATABASE_URL": database_url,
        "REDIS_URL": "redis://127.0.0.1:6379/14",
        "QUEUE_NAME": queue,
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": s3.endpoint,
        "SMTP_HOST": smtp_server.host,
        "SMTP_PORT": str(smtp_server.port),
        "BADGES_ALLOW_PRIVATE_HOSTS": "1",
        "RATELIMIT_ENABLED": "0",
        "BULK_LEASE_SECONDS": str(LEASE_SECONDS),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        **aws,
    }
    running = Stack(env, tmp_path)
    (tmp_path / "metrics").mkdir()
    try:
        yield running
    finally:
        running.stop()
        s3.stop()
        # Nothing the stack started lives on: not even the scheduler child of the worker
        # that was killed with SIGKILL (it dies with its parent).
        _wait(lambda: not _processes_with(f"QUEUE_NAME={queue}"), 15, "every process to end")
        from redis import Redis

        connection = Redis.from_url("redis://127.0.0.1:6379/14")
        keys = connection.keys(f"*{queue}*")
        if keys:
            connection.delete(*keys)
        db.session.remove()


def _processes_with(marker: str) -> list[int]:
    """The pids of live processes whose environment holds ``marker`` (a NAME=value pair)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().split(") ", 1)[1][:1]
        except OSError:
            continue
        if marker.encode() in environ and state != "Z":
            found.append(int(entry.name))
    return found


def _token(base: str, email: str) -> dict[str, str]:
    answer = requests.post(
        f"{base}/api/v1/auth/token", json={"email": email, "password": PASSWORD}, timeout=10
    )
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def _sign_in(base: str, email: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/auth/login", timeout=10).text
    token = csrf_token_in(page)
    done = session.post(
        f"{base}/auth/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        timeout=10,
        allow_redirects=False,
    )
    assert done.status_code in (302, 303), done.text[:300]
    return session


def test_two_instances_and_a_worker_share_the_work(stack: Stack, own_database: Cluster) -> None:
    world = build()
    world.reviewer("rev@hill.test", capacity=50)
    world.teacher("jordan@lake.test")
    slug = world.issuer.slug
    db.session.commit()
    stack.start()
    a, b = stack.urls

    # The journey across instances: submit on one, review on the other.
    mine = _token(a, "jordan@lake.test")
    cid = world.credential_id
    sid = requests.post(
        f"{a}/api/v1/submissions", json={"credential_id": cid}, headers=mine, timeout=10
    ).json()["id"]
    prompts = requests.get(f"{b}/api/v1/credentials/{cid}", timeout=10).json()["prompts"]
    for prompt in prompts:
        if prompt["kind"] == "file":
            sent = requests.post(
                f"{a}/api/v1/submissions/{sid}/files",
                data={"prompt_id": str(prompt["id"])},
                files={"file": ("work.pdf", io.BytesIO(PDF))},
                headers=mine,
                timeout=10,
            )
        else:
            sent = requests.put(
                f"{b}/api/v1/submissions/{sid}/answers/{prompt['id']}",
                json={"text": WORDS},
                headers=mine,
                timeout=10,
            )
        assert sent.ok, sent.text
    submitted = requests.post(f"{b}/api/v1/submissions/{sid}/submit", headers=mine, timeout=10)
    assert submitted.json()["status"] == "submitted"
    reviewer = _token(b, "rev@hill.test")
    queue = requests.get(f"{b}/api/v1/reviews", headers=reviewer, timeout=10).json()["reviews"]
    detail = requests.get(f"{a}/api/v1/reviews/{queue[0]['id']}", headers=reviewer, timeout=10)
    scores = [
        {"criterion_id": c["id"], "level_id": c["levels"][-1]["id"], "comment": "Strong."}
        for c in detail.json()["rubric"]
    ]
    decided = requests.post(
        f"{a}/api/v1/reviews/{queue[0]['id']}/scores",
        json={"scores": scores, "comment": "Exemplary work."},
        headers=reviewer,
        timeout=20,
    )
    assert decided.json()["decision"] == "pass", decided.text
    badge = _wait(
        lambda: requests.get(f"{b}/api/v1/me/badges", headers=mine, timeout=10).json()["badges"],
        20,
        "the badge",
    )[0]
    uid = badge["assertion_id"].rsplit("/", 1)[-1]
    s3 = S3TestServer.client_for(stack.env["S3_ENDPOINT_URL"])
    _wait(
        lambda: (
            s3.list_objects_v2(Bucket=stack.env["S3_BUCKET"], Prefix=f"badges/{uid}/").get(
                "KeyCount"
            )
            == 2
        ),
        60,
        "the worker to bake the PNG and SVG",
    )
    for base in (a, b):
        report = requests.post(
            f"{base}/api/v1/verify", json={"url": badge["assertion_id"]}, timeout=20
        ).json()
        assert report["valid"] is True, report
    browser = _sign_in(a, "jordan@lake.test")  # a session made on one instance ...
    png = browser.get(f"{b}/badges/{uid}/download/png", timeout=20)  # ... works on the other
    assert png.status_code == 200
    with stack_app_context():
        item = db.session.scalar(select(Assertion).where(Assertion.uid == uid))
        assert unbake(png.content) == item.jws

    # A bulk issuance survives its worker being killed with SIGKILL half-way (enough rows that
    # the kill lands mid-way: a worker issues about a thousand a second in batches of 200).
    total = 8000
    rows = "\n".join(f"bulk{n}@district.test,{cid},2025-05-01" for n in range(total))
    admin = _sign_in(a, "admin@acme.test")
    page = admin.get(f"{a}/issuers/{slug}/badges", timeout=10).text
    started = admin.post(
        f"{a}/issuers/{slug}/bulk",
        data={"csrf_token": csrf_token_in(page)},
        files={"file": ("awards.csv", f"email,credential,issued_on\n{rows}\n".encode())},
        timeout=30,
        allow_redirects=False,
    )
    status_url = started.headers["Location"]
    if status_url.startswith("/"):
        status_url = a + status_url

    def progress() -> dict[str, Any]:
        answer = admin.get(status_url, headers={"Accept": "application/json"}, timeout=10)
        return dict(answer.json())

    _wait(lambda: progress()["done"] >= 100, 120, "the bulk job to get going")
    assert stack.worker is not None
    os.kill(stack.worker.pid, signal.SIGKILL)
    stack.worker.wait(timeout=10)
    halted = progress()
    assert 100 <= halted["done"] < total, halted
    time.sleep(LEASE_SECONDS + 1)  # the dead worker's lease on the job runs out
    stack.start_worker()
    recovered = stack.flask("recover-jobs", "--stale", str(LEASE_SECONDS))
    assert "1 bulk issuance(s) queued again" in recovered
    finished = _wait(
        lambda: (p := progress())["status"] == "done" and p, 240, "the bulk job to finish"
    )
    assert finished["total"] == finished["done"] == total
    assert finished["issued"] + finished["skipped"] == total
    assert finished["errors"] == []
    with stack_app_context():
        issued = db.session.scalar(
            select(func.count(Assertion.id)).where(Assertion.bulk_key.is_not(None))
        )
        emails = db.session.scalar(
            select(func.count(func.distinct(Assertion.recipient_email))).where(
                Assertion.bulk_key.is_not(None)
            )
        )
        assert issued == emails == total  # every row exactly once
        assert db.session.scalar(select(BulkIssuance.status)) == "done"

    # The database restarts under the running instances.
    before = _count_submissions()
    own_database.stop()
    try:
        down = requests.get(f"{a}/readyz", timeout=15)
        assert down.status_code == 503
        assert down.json()["checks"]["database"]["status"] == "failing"
        assert requests.get(f"{b}/healthz", timeout=5).status_code == 200
    finally:
        own_database.start()
    for base in (a, b):
        _wait(lambda u=base: requests.get(f"{u}/readyz", timeout=5).ok, 60, f"{base} recovered")
    again = requests.post(
        f"{b}/api/v1/submissions",
        json={"credential_id": cid},
        headers=_token(b, "jordan@lake.test"),
        timeout=10,
    )
    assert again.status_code in (201, 409), again.text  # answered, not broken
    assert _count_submissions() >= before  # nothing lost


def stack_app_context() -> Any:
    """Read what the instances wrote, with a fresh session of the test's app."""
    db.session.remove()
    return _Fresh()


class _Fresh:
    def __enter__(self) -> None:
        db.session.expire_all()

    def __exit__(self, *exc: Any) -> None:
        db.session.remove()


def _count_submissions() -> int:
    with stack_app_context():
        return int(db.session.scalar(select(func.count(Submission.id))) or 0)
