"""Health, readiness, metrics, JSON logs, and background jobs on a real Redis with RQ."""

from __future__ import annotations

import json
import logging
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from app import create_app
from app.config import Settings
from app.db import db, dispose_engines
from app.logs import JsonFormatter, redact
from tests.app.people import make_user, sign_in
from tests.net import csrf_token_in, free_port

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def make_app() -> Iterator[Any]:
    """Apps built by a test, their database pools closed afterwards (no leaked connections)."""
    made: list[Any] = []

    def build(settings: Settings) -> Any:
        made.append(create_app(settings))
        return made[-1]

    yield build
    for app in made:
        with app.app_context():
            db.session.remove()
            dispose_engines()


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_healthz_and_readyz_answer_for_load_balancers(app: Any, client: Any) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.get_json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "storage", "redis"}
    assert body["checks"]["database"]["status"] == "ok"


def test_readyz_is_503_while_the_database_is_unreachable(settings: Settings, make_app: Any) -> None:
    dead_port = free_port()
    broken = make_app(
        settings.with_changes(database_url=f"postgresql://nobody@127.0.0.1:{dead_port}/none")
    )
    response = broken.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"]["status"] == "failing"
    assert broken.test_client().get("/healthz").status_code == 200  # alive, not ready


def test_metrics_are_for_allowed_callers_only(
    app: Any, client: Any, settings: Settings, make_app: Any
) -> None:
    client.get("/catalog")
    allowed = client.get("/metrics")
    assert allowed.status_code == 200
    text = allowed.get_data(as_text=True)
    assert (
        'microcred_http_requests_total{endpoint="catalog.index",method="GET",status="200"}' in text
    )
    assert "microcred_http_request_seconds_bucket" in text
    assert "microcred_reviews_waiting 0.0" in text
    assert "microcred_badges_issued_total" in text
    outside = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert outside.status_code == 403
    with_token = make_app(settings.with_changes(metrics_token="s3cret-metrics"))
    http = with_token.test_client()
    assert http.get("/metrics").status_code == 403  # a token set: the address is not enough
    assert (
        http.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics"}).status_code == 200
    )


def test_json_logs_carry_the_request_id_and_hide_email_addresses(
    settings: Settings, capfd: pytest.CaptureFixture[str], make_app: Any
) -> None:
    app = make_app(settings.with_changes(log_format="json"))
    with app.app_context():
        response = app.test_client().get(
            "/catalog?q=teacher@school.test", headers={"X-Request-ID": "abc123"}
        )
        logging.getLogger("app.test").warning("mail to jordan.quill@lake.test failed")
    assert response.headers["X-Request-ID"] == "abc123"
    lines = [
        json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")
    ]
    access = next(line for line in lines if line["logger"] == "app.access")
    assert access["request_id"] == "abc123"
    assert access["path"] == "/catalog"  # the query string (and any address in it) is not logged
    assert access["status"] == 200
    assert isinstance(access["ms"], float)
    warning = next(line for line in lines if line["logger"] == "app.test")
    assert "jordan.quill@lake.test" not in warning["message"]
    assert "<email:" in warning["message"]
    assert redact("A@B.org and a@b.org") == redact("a@b.org and a@b.org")  # one tag per address
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    assert json.loads(JsonFormatter().format(record))["message"] == "hello"


@pytest.fixture
def redis_settings(settings: Settings) -> Iterator[Settings]:
    if not _redis_up():
        pytest.fail("Redis is not running on 127.0.0.1:6379 (this machine kind starts it)")
    name = f"test-{uuid.uuid4().hex[:8]}"
    yield settings.with_changes(redis_url=REDIS, queue_name=name, job_retry_intervals=(0, 0))
    from redis import Redis

    connection = Redis.from_url(REDIS)
    keys = connection.keys(f"*{name}*")
    if keys:
        connection.delete(*keys)


def _work(app: Any) -> None:
    """An RQ worker (as `flask worker` runs it) until the queue is empty."""
    from rq import SimpleWorker

    from app.jobs import queue

    with app.app_context():
        SimpleWorker([queue(app)], connection=queue(app).connection).work(burst=True)


def test_jobs_go_through_redis_to_a_worker_and_failures_can_be_retried(
    redis_settings: Settings, mailbox: Any, make_app: Any
) -> None:
    from app import jobs

    app = make_app(redis_settings)
    calls: list[str] = []

    @jobs.job("test-flaky")
    def flaky(word: str) -> None:
        calls.append(word)
        raise RuntimeError("the partner service is down")

    with app.app_context():
        from app.mail import send_mail

        send_mail(
            "someone@lake.test",
            "Hello from the queue",
            "decision",
            passed=True,
            title="T",
            link="x",
        )
        jobs.enqueue("test-flaky", "again")
        db.session.commit()
        assert jobs.depths()["queued"] == 2  # nothing ran in the request: both wait in Redis
        assert mailbox.to("someone@lake.test") == []
    _work(app)
    assert len(mailbox.to("someone@lake.test")) == 1  # the worker sent it
    assert calls == ["again", "again", "again"]  # tried, then retried twice (intervals 0, 0)
    with app.app_context():
        failed = jobs.failed_jobs()
        assert [j.description for j in failed] == ["test-flaky('again',)"]
        admin = make_user("root@platform.test", admin=True)
        db.session.commit()
        http = app.test_client()
        sign_in(http, admin)
        page = http.get("/admin/jobs").get_data(as_text=True)
        assert "test-flaky" in page
        assert "the partner service is down" in page
        token = _csrf(http, "/admin/jobs")
        http.post(f"/admin/jobs/{failed[0].id}/retry", data={"csrf_token": token})
        assert jobs.depths()["failed"] == 0
        assert jobs.depths()["queued"] == 1
        from tests.database import empty_tables

        db.session.remove()
        empty_tables()


def _csrf(http: Any, page: str) -> str:
    return csrf_token_in(http.get(page).get_data(as_text=True))
