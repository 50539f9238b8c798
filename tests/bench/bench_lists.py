"""Benchmark: the app's big lists on PostgreSQL (the reviewer's queue, the teacher's badges, the
catalog, the home page and the credentials API), each at a small and a large size measured in
the same run: SQL statements per request and response times.

    DATABASE_URL=postgresql://... .venv/bin/python tests/bench/bench_lists.py [--quick]
    (part of `make bench`)

Sizes (small, large): published credentials 20 and 2,000, open reviews of one reviewer 10 and
10,000, badges of one teacher 5 and 500 (--quick: 20 and 200, 10 and 500, 5 and 100). Each
credential has 3 prompts and 3 criteria of 4 levels, from one of 5 issuers; words, tags and
grade bands vary so searches match a fifth of them. The reviews are assigned or in progress,
spread over the credentials and a few teachers, due over several weeks (some overdue); the
badges come from the credentials, a third of them public and a few revoked.

Through the app's test client (pages signed in with the session, the API with a bearer token,
the catalog, home page and credentials API anonymous), for each list: the median response
time of several requests after one warm-up, and the SQL statements of one request
(``before_cursor_execute`` on the engine). One line per list:

    reviewer queue page: 10 vs 10000 open reviews: 5 vs 5 SQL statements, 12.3 vs 20.1 ms,
    ratio 1.63 (goal: same SQL, < 3x)

(on one line; the ratio is large/small time). Exits non-zero if a request does not answer 200
or a list shows the wrong number of items; times are only printed (the machine may be busy).
``--breakdown`` also prints, for the larger size, each list's statements with their times.

The server comes from TEST_DATABASE_URL or DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/test); the script creates ``<name>_bench_<pid>`` next to
it and drops it at the end. Set-up (Core bulk inserts) is not timed.
"""

from __future__ import annotations

import argparse
import math
import re
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, insert, text

from app.auth.tokens import issue_token
from app.db import db, utcnow
from app.models.accounts import User
from app.models.assertions import Assertion
from app.models.credentials import (
    Credential,
    CredentialVersion,
    Criterion,
    Level,
    Prompt,
    criterion_prompts,
)
from app.models.orgs import Issuer, Role
from app.models.reviews import Review, ReviewerProfile, ReviewKind, ReviewStatus
from app.models.submissions import Submission, SubmissionStatus
from tests.app.people import grant, make_user
from tests.bench.common import FreshContextClient, bench_app
from tests.database import empty_tables

REQUESTS = 11  # timed, after one warm-up; the median is printed
BATCH = 5_000
ISSUERS = 5
TOPICS = (
    ("Morning Meeting", "Leads a daily meeting that builds community."),
    ("Exit Tickets", "Uses quick formative checks to adjust the next lesson."),
    ("Facilitating a PLC", "Guides colleagues to look at student work together."),
    ("Student-led Conferences", "Students present their portfolio to families."),
    ("Think-Pair-Share", "Structures discussion so every student speaks."),
)
TAGS = ("routines", "assessment", "community", "collaboration", "discussion")
BANDS = ("PreK-2", "3-5", "6-8", "9-12", "Adult")
CATALOG_PER_PAGE = 12  # app/catalog/views.py
FEATURED = 3  # templates/main/home.html
API_PER_PAGE = 20  # app/pagination.py DEFAULT_PER_PAGE
CARD = re.compile(r'class="card credential-card"')
QUEUE_ROW = re.compile(r'<th scope="row"><a href="/reviews/\d+">')
BADGE_CARD = re.compile(r'class="card badge-card"')


@dataclass(frozen=True)
class Sizes:
    credentials: int
    reviews: int
    badges: int


FULL = (Sizes(20, 10, 5), Sizes(2_000, 10_000, 500))
QUICK = (Sizes(20, 10, 5), Sizes(200, 500, 100))


@dataclass(frozen=True)
class Figure:
    """One list: where it is, who asks, what grows, the goal, and how many items it shows."""

    name: str
    url: str
    who: str  # "reviewer", "teacher" or "" (anonymous)
    api: bool  # a bearer token, not the session
    things: str
    size: Callable[[Sizes], int]
    goal: str
    items: Callable[[Any, int], str | None]  # (response, size) -> a problem or None


def _on_page(total: int, per_page: int, page: int = 1) -> int:
    return max(0, min(per_page, total - (page - 1) * per_page))


def _html(pattern: re.Pattern[str], expected: Callable[[int], int]) -> Callable[[Any, int], Any]:
    def check(response: Any, size: int) -> str | None:
        found = len(pattern.findall(response.get_data(as_text=True)))
        want = expected(size)
        return None if found == want else f"shows {found} items, not {want}"

    return check


def _json(key: str, total: Callable[[int], int]) -> Callable[[Any, int], Any]:
    def check(response: Any, size: int) -> str | None:
        body = response.get_json()
        want = total(size)
        got = (len(body[key]), body["total"])
        expected = (_on_page(want, API_PER_PAGE), want)
        return None if got == expected else f"answers (items, total) {got}, not {expected}"

    return check


def _fifth(n: int) -> int:
    """The credentials a search of one topic with its tag or grade band matches."""
    return len(range(0, n, 5))


FIGURES = (
    Figure(
        "reviewer queue page",
        "/reviews",
        "reviewer",
        False,
        "open reviews",
        lambda s: s.reviews,
        "same SQL, < 3x",
        _html(QUEUE_ROW, lambda n: _on_page(n, API_PER_PAGE)),
    ),
    Figure(
        "reviewer queue API",
        "/api/v1/reviews",
        "reviewer",
        True,
        "open reviews",
        lambda s: s.reviews,
        "same SQL, < 3x",
        _json("reviews", lambda n: n),
    ),
    Figure(
        "badges page",
        "/badges",
        "teacher",
        False,
        "badges",
        lambda s: s.badges,
        "same SQL, < 3x",
        _html(BADGE_CARD, lambda n: _on_page(n, API_PER_PAGE)),
    ),
    Figure(
        "badges API",
        "/api/v1/me/badges",
        "teacher",
        True,
        "badges",
        lambda s: s.badges,
        "same SQL, < 3x",
        _json("badges", lambda n: n),
    ),
    Figure(
        "credentials API",
        "/api/v1/credentials",
        "",
        True,
        "published credentials",
        lambda s: s.credentials,
        "same SQL, < 15 SQL",
        _json("credentials", lambda n: n),
    ),
    Figure(
        "credentials API search",
        "/api/v1/credentials?q=formative+checks&grade_band=3-5",
        "",
        True,
        "published credentials",
        lambda s: s.credentials,
        "same SQL, < 15 SQL",
        _json("credentials", lambda n: len(range(1, n, 5))),
    ),
    Figure(
        "catalog page",
        "/catalog",
        "",
        False,
        "published credentials",
        lambda s: s.credentials,
        "same SQL, < 2x",
        _html(CARD, lambda n: _on_page(n, CATALOG_PER_PAGE)),
    ),
    Figure(
        "catalog search",
        "/catalog?q=meetings&tag=routines",
        "",
        False,
        "published credentials",
        lambda s: s.credentials,
        "same SQL, < 2x",
        _html(CARD, lambda n: _on_page(_fifth(n), CATALOG_PER_PAGE)),
    ),
    Figure(
        "catalog page 2",
        "/catalog?page=2",
        "",
        False,
        "published credentials",
        lambda s: s.credentials,
        "same SQL, < 2x",
        _html(CARD, lambda n: _on_page(n, CATALOG_PER_PAGE, 2)),
    ),
    Figure(
        "home page",
        "/",
        "",
        False,
        "published credentials",
        lambda s: s.credentials,
        "same SQL, < 2x",
        _html(CARD, lambda n: min(n, FEATURED)),
    ),
)


@dataclass(frozen=True)
class Measured:
    ms: float
    sql: list[tuple[float, str]]  # one request's statements: (ms, text)

    @property
    def statements(self) -> int:
        return len(self.sql)


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _catalog(count: int) -> None:
    """``count`` published credentials (ids 1..count) with their rubrics, from issuers 1..5."""
    now = utcnow()
    db.session.execute(
        insert(Issuer),
        [
            {
                "id": n + 1,
                "slug": f"issuer-{n}",
                "name": f"Issuer {n}",
                "url": "https://issuer.example.org",
                "email": "badges@issuer.example.org",
                "description": "",
                "created_at": now,
            }
            for n in range(ISSUERS)
        ],
    )
    credentials, versions, prompts, criteria, levels, links = [], [], [], [], [], []
    for n in range(count):
        title, competency = TOPICS[n % len(TOPICS)]
        cid = n + 1
        credentials.append(
            {"id": cid, "issuer_id": n % ISSUERS + 1, "slug": f"credential-{n}", "created_at": now}
        )
        versions.append(
            {
                "id": cid,
                "credential_id": cid,
                "number": 1,
                "status": "published",
                "title": f"{title} {n:04d}",
                "competency": competency,
                "key_method": "A method.",
                "method_components": "One\nTwo",
                "research_resources": [],
                "alignments": [],
                "tags": [TAGS[n % len(TAGS)], TAGS[(n // 5) % len(TAGS)]],
                "grade_bands": [BANDS[n % len(BANDS)], BANDS[(n + 2) % len(BANDS)]],
                "estimated_hours": 6,
                "pass_min_level": 2,
                "review_days": 7,
                "second_opinion_percent": 0,
                "second_opinion_first_n": 0,
                "avoid_previous_reviewer": False,
                "created_at": now,
                "published_at": now,
            }
        )
        for p in range(3):
            pid = cid * 3 + p
            prompts.append(
                {
                    "id": pid,
                    "version_id": cid,
                    "position": p,
                    "kind": "text",
                    "label": f"Prompt {p + 1}",
                    "guidance": "Describe it.",
                    "allowed_kinds": [],
                }
            )
            criteria.append(
                {
                    "id": pid,
                    "version_id": cid,
                    "position": p,
                    "title": f"Criterion {p + 1}",
                    "description": "",
                }
            )
            links.append({"criterion_id": pid, "prompt_id": pid})
            for lv in range(4):
                levels.append(
                    {
                        "criterion_id": pid,
                        "position": lv,
                        "name": f"Level {lv}",
                        "descriptor": "",
                        "points": lv,
                    }
                )
    for table, rows in (
        (Credential, credentials),
        (CredentialVersion, versions),
        (Prompt, prompts),
        (Criterion, criteria),
        (Level, levels),
    ):
        for batch in _batches(iter(rows)):
            db.session.execute(insert(table), batch)
    for batch in _batches(iter(links)):
        db.session.execute(insert(criterion_prompts), batch)
    db.session.commit()


def _teachers(count: int, password_hash: str) -> list[int]:
    now = utcnow()
    return list(
        db.session.scalars(
            insert(User).returning(User.id, sort_by_parameter_order=True),
            [
                {
                    "email": f"teacher{n}@lakeside.test",
                    "name": f"Teacher {n:05d}",
                    "password_hash": password_hash,
                    "email_confirmed_at": now,
                }
                for n in range(count)
            ],
        )
    )


def _queue(reviewer: User, reviews: int, credentials: int) -> None:
    """``reviews`` open reviews for ``reviewer``, each of its own submission: teacher
    ``n // credentials`` on credential ``n % credentials`` (one open attempt per pair)."""
    now = utcnow()
    teacher_ids = _teachers(math.ceil(reviews / credentials), reviewer.password_hash)
    for start in range(0, reviews, BATCH):
        numbers = range(start, min(start + BATCH, reviews))
        submission_ids = list(
            db.session.scalars(
                insert(Submission).returning(Submission.id, sort_by_parameter_order=True),
                [
                    {
                        "user_id": teacher_ids[n // credentials],
                        "credential_id": n % credentials + 1,
                        "version_id": n % credentials + 1,
                        "attempt": 1,
                        "evidence_public": False,
                        "status": SubmissionStatus.IN_REVIEW.value,
                        "content_sha256": f"{n:064x}",
                        "created_at": now - timedelta(days=3),
                        "updated_at": now - timedelta(days=2),
                        "submitted_at": now - timedelta(days=2),
                    }
                    for n in numbers
                ],
            )
        )
        db.session.execute(
            insert(Review),
            [
                {
                    "submission_id": sid,
                    "issuer_id": (n % credentials) % ISSUERS + 1,
                    "credential_id": n % credentials + 1,
                    "kind": ReviewKind.PRIMARY.value,
                    "status": (
                        ReviewStatus.IN_PROGRESS.value
                        if n % 4 == 0
                        else ReviewStatus.ASSIGNED.value
                    ),
                    "reviewer_id": reviewer.id,
                    "created_at": now - timedelta(days=2),
                    "assigned_at": now - timedelta(days=2),
                    "due_at": now + timedelta(hours=(n * 7) % (24 * 40) - 24 * 5),
                    "started_at": now - timedelta(days=1) if n % 4 == 0 else None,
                    "release_reason": "",
                    "comment": "",
                    "deciding": False,
                }
                for n, sid in zip(numbers, submission_ids, strict=True)
            ],
        )
    # The reviewer's pool places, their load counted as routing counts it (within capacity).
    per_issuer = [0] * ISSUERS
    for n in range(reviews):
        per_issuer[(n % credentials) % ISSUERS] += 1
    db.session.execute(
        insert(ReviewerProfile),
        [
            {
                "issuer_id": i + 1,
                "user_id": reviewer.id,
                "capacity": reviews,
                "open_reviews": load,
                "paused": False,
                "senior": False,
                "decisions": 0,
                "created_at": now,
            }
            for i, load in enumerate(per_issuer)
        ],
    )
    db.session.commit()


def _badges(teacher: User, badges: int, credentials: int) -> None:
    """``badges`` assertions for ``teacher``, newest every day: a third public, a few revoked."""
    now = utcnow()
    for batch in _batches(
        {
            "uid": uuid.uuid4().hex,
            "issuer_id": (n % credentials) % ISSUERS + 1,
            "credential_id": n % credentials + 1,
            "version_id": n % credentials + 1,
            "user_id": teacher.id,
            "recipient_email": teacher.email,
            "salt": f"{n:032x}",
            "identity": f"sha256${n:064x}",
            "issued_on": now - timedelta(days=n),
            "expires": now + timedelta(days=365 * 5) if n % 2 else None,
            "evidence_narrative": "",
            "jws": "x" * 2_000,
            "signed_at": now - timedelta(days=n),
            "revoked_at": now if n % 50 == 7 else None,
            "revocation_reason": "Issued in error." if n % 50 == 7 else "",
            "public": n % 3 == 0,
            "created_at": now - timedelta(days=n),
        }
        for n in range(badges)
    ):
        db.session.execute(insert(Assertion), batch)
    db.session.commit()


def _set_up(app: Flask, sizes: Sizes) -> dict[str, tuple[FlaskClient, str]]:
    """Empty the database, fill it to ``sizes``; returns each user's (signed-in client,
    bearer token), "" for an anonymous client."""
    empty_tables()
    _catalog(sizes.credentials)
    reviewer = make_user("reviewer@issuer.test", name="Rita Reviewer")
    for issuer_id in range(1, ISSUERS + 1):
        issuer = db.session.get(Issuer, issuer_id)
        assert issuer is not None
        grant(reviewer, Role.REVIEWER, issuer)
    teacher = make_user("badged@lakeside.test", name="Bea Badged")
    db.session.commit()
    _queue(reviewer, sizes.reviews, sizes.credentials)
    _badges(teacher, sizes.badges, sizes.credentials)
    people = {"reviewer": reviewer.id, "teacher": teacher.id}
    clients: dict[str, tuple[FlaskClient, str]] = {}
    app.test_client_class = FreshContextClient
    for who, user_id in people.items():
        user = db.session.get(User, user_id)
        assert user is not None
        _, secret = issue_token(user, "bench")
        client = app.test_client()
        with client.session_transaction() as session:  # as tests/app/people.py sign_in does
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        clients[who] = (client, secret)
    clients[""] = (app.test_client(), "")
    db.session.commit()
    db.session.execute(text("ANALYZE"))  # the planner's statistics, as a live database has
    db.session.commit()
    db.session.expunge_all()
    return clients


def _request(client: FlaskClient, url: str, token: str) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.get(url, headers=headers)
    response.get_data()
    return response


def _time(figure: Figure, client: FlaskClient, token: str, size: int) -> tuple[Measured, list[str]]:
    """The median time of REQUESTS requests after a warm-up, the statements of the first."""
    statements: list[tuple[float, str]] = []
    started: list[float] = []

    def before(*_: Any) -> None:
        started.append(time.perf_counter())

    def after(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(((time.perf_counter() - started.pop()) * 1000, statement))

    problems = []
    where = f"{figure.url} with {size} {figure.things}"
    warm = _request(client, figure.url, token)
    if warm.status_code == 200 and (wrong := figure.items(warm, size)):
        problems.append(f"{where} {wrong}")
    times = []
    for n in range(REQUESTS):
        if n == 0:
            event.listen(db.engine, "before_cursor_execute", before)
            event.listen(db.engine, "after_cursor_execute", after)
        try:
            start = time.perf_counter()
            response = _request(client, figure.url, token)
            times.append(time.perf_counter() - start)
        finally:
            if n == 0:
                event.remove(db.engine, "before_cursor_execute", before)
                event.remove(db.engine, "after_cursor_execute", after)
        if response.status_code != 200:
            problems.append(f"{where} answered {response.status_code}")
    return Measured(statistics.median(times) * 1000, statements), problems


def _measure(app: Flask, sizes: Sizes) -> tuple[list[Measured], list[str]]:
    clients = _set_up(app, sizes)
    results, problems = [], []
    for figure in FIGURES:
        client, token = clients[figure.who]
        measured, found = _time(figure, client, token if figure.api else "", figure.size(sizes))
        results.append(measured)
        problems += found
    return results, problems


def line(figure: Figure, small: Sizes, large: Sizes, few: Measured, many: Measured) -> str:
    return (
        f"{figure.name}: {figure.size(small)} vs {figure.size(large)} {figure.things}: "
        f"{few.statements} vs {many.statements} SQL statements, "
        f"{few.ms:.1f} vs {many.ms:.1f} ms, ratio {many.ms / few.ms:.2f} (goal: {figure.goal})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="print each list's statements of the larger size with their times",
    )
    args = parser.parse_args(argv)
    small, large = QUICK if args.quick else FULL
    problems: list[str] = []
    with bench_app("lists") as app:
        few, found = _measure(app, small)
        problems += found
        many, found = _measure(app, large)
        problems += found
    for figure, a, b in zip(FIGURES, few, many, strict=True):
        print(line(figure, small, large, a, b), flush=True)
    if args.breakdown:
        for figure, measured in zip(FIGURES, many, strict=True):
            print(f"{figure.name} ({figure.size(large)} {figure.things}), statements:")
            for ms, statement in measured.sql:
                print(f"  {ms:6.1f} ms  {' '.join(statement.split())[:120]}")
    for problem in problems:
        print(f"  problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
