"""The failed-job page (/admin/jobs) on a real Redis: pages of RQ's failed registry in a
stable order, a capped size, and the same number of Redis round trips and SQL statements
for 3 failed jobs as for 30."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from app import jobs
from app.config import Settings
from app.db import db
from tests.app.ops.test_ops import _work, make_app, redis_settings  # noqa: F401 - fixtures
from tests.app.people import make_user, sign_in
from tests.queries import count_statements

ROW = re.compile(r'<th scope="row">test-broken\((\d+),\)</th>')


@jobs.job("test-broken")
def broken(number: int) -> None:
    raise RuntimeError(f"broken number {number}")


@pytest.fixture
def admin_app(redis_settings: Settings, make_app: Any) -> Iterator[Any]:  # noqa: F811
    from tests.conftest import FreshContextClient

    app = make_app(redis_settings.with_changes(job_retry_intervals=(0,)))
    app.test_client_class = FreshContextClient  # each request its own session, as in production
    with app.app_context():
        make_user("root@platform.test", admin=True)
        db.session.commit()
        yield app
        from tests.database import empty_tables

        db.session.remove()
        empty_tables()


def _fail(app: Any, numbers: range) -> None:
    with app.app_context():
        for n in numbers:
            jobs.enqueue("test-broken", n)
        db.session.commit()
    _work(app)


@pytest.fixture
def http(admin_app: Any) -> Any:
    from app.models.accounts import User

    client = admin_app.test_client()
    admin = db.session.scalar(db.select(User).where(User.is_platform_admin.is_(True)))
    sign_in(client, admin)
    return client


class RedisCalls:
    """Round trips to Redis: single commands, plus one per pipeline sent."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from redis.client import Pipeline, Redis

        self.count = 0
        command, execute = Redis.execute_command, Pipeline.execute

        def counted_command(client: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return command(client, *args, **kwargs)

        def counted_execute(pipe: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return execute(pipe, *args, **kwargs)

        monkeypatch.setattr(Redis, "execute_command", counted_command)
        monkeypatch.setattr(Pipeline, "execute", counted_execute)


def _page(http: Any, monkeypatch: pytest.MonkeyPatch, query: str = "") -> tuple[int, int, str]:
    with monkeypatch.context() as patch:
        calls = RedisCalls(patch)
        with count_statements(db.engine) as seen:
            response = http.get(f"/admin/jobs{query}")
    assert response.status_code == 200
    return calls.count, seen.count, response.get_data(as_text=True)


def test_the_page_costs_the_same_for_few_and_many_failures(
    admin_app: Any, http: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail(admin_app, range(3))
    redis_few, sql_few, html = _page(http, monkeypatch)
    assert len(ROW.findall(html)) == 3
    assert "broken number 2" in html
    _fail(admin_app, range(3, 33))
    redis_many, sql_many, html = _page(http, monkeypatch, "?per_page=30")
    assert len(ROW.findall(html)) == 30
    assert (redis_many, sql_many) == (redis_few, sql_few)


def test_pages_are_stable_and_do_not_overlap(admin_app: Any, http: Any) -> None:
    _fail(admin_app, range(25))
    seen: list[str] = []
    for number in (1, 2, 3):
        seen += ROW.findall(http.get(f"/admin/jobs?page={number}&per_page=10").get_data(True))
    assert sorted(seen, key=int) == [str(n) for n in range(25)]
    assert len(set(seen)) == 25
    again = ROW.findall(http.get("/admin/jobs?page=2&per_page=10").get_data(as_text=True))
    assert again == seen[10:20]
    first = http.get("/admin/jobs").get_data(as_text=True)
    assert "1&ndash;20 of 25" in first
    assert 'href="/admin/jobs?page=2"' in first


def test_page_size_is_capped_and_a_bad_page_is_422(admin_app: Any, http: Any) -> None:
    _fail(admin_app, range(3))
    assert http.get("/admin/jobs?per_page=100000").status_code == 200
    for query in ("page=0", "page=last", "per_page=ten"):
        assert http.get(f"/admin/jobs?{query}").status_code == 422, query


def test_only_platform_admins_see_failed_jobs(admin_app: Any) -> None:
    _fail(admin_app, range(2))
    client = admin_app.test_client()
    teacher = make_user("teacher@school.test")
    db.session.commit()
    sign_in(client, teacher)
    assert client.get("/admin/jobs").status_code == 403
