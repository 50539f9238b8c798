"""Benchmark: review routing on PostgreSQL, assignments per second and SQL statements each.

    DATABASE_URL=postgresql://... .venv/bin/python tests/bench/bench_routing.py [--quick]
    (part of `make bench`)

Routes 10,000 submitted attempts among 200 reviewers (800 among 40 with --quick), and, in the
same run as the baseline, 1,000 among 20 (200 among 10). Each assignment is what a request
does: load the submission, ``routing.request_review(submission, PRIMARY)``, commit. SQL
statements are counted on the engine (``before_cursor_execute``) during the timed part only;
the count per assignment must not grow with the number of reviewers or submissions, so the
last line prints the large/small ratio. After each size the result is checked: every
submission has exactly one review, assigned; no reviewer is over capacity; every reviewer's
load counter equals their assigned reviews. Exits non-zero if a check fails.

The server comes from TEST_DATABASE_URL or DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/test); the script creates its own database next to the
named one (``<name>_bench_<pid>``) and drops it at the end. Set-up (bulk inserts) is not
timed. Teachers work in one district's schools and reviewers in another's, so the
conflict-of-interest rules run but exclude nobody; each teacher has one submission (the
database allows one open attempt per teacher and credential). ``--breakdown`` also prints the
statements of one assignment of the larger size, by kind.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from flask import Flask
from sqlalchemy import event, insert, text

from app.config import Settings
from app.credentials import service as credentials
from app.db import db, utcnow
from app.models.accounts import User
from app.models.orgs import Role, RoleGrant
from app.models.reviews import ReviewerProfile, ReviewerQualification, ReviewKind
from app.models.submissions import Submission, SubmissionStatus
from app.reviews import routing
from tests.app.credentials.body import BODY
from tests.app.people import grant, make_district, make_issuer, make_user
from tests.bench.common import bench_app
from tests.database import empty_tables

FULL = ((20, 1_000), (200, 10_000))
QUICK = ((10, 200), (40, 800))
TEACHER_SCHOOLS = ("North", "South", "East", "West", "Central", "Harbour", "Mill", "Park")
REVIEWER_SCHOOLS = ("Ridge", "Valley", "Summit", "Brook")


@dataclass
class Result:
    reviewers: int
    submissions: int
    seconds: float
    statements: int
    ok: bool
    problems: list[str]
    kinds: Counter[str]

    @property
    def per_assignment(self) -> float:
        return self.statements / self.submissions

    def line(self) -> str:
        return (
            f"routing {self.submissions} submissions among {self.reviewers} reviewers: "
            f"{self.submissions / self.seconds:.1f} assignments/s, "
            f"{self.per_assignment:.2f} SQL statements per assignment, "
            f"all assigned: {'yes' if self.ok else 'no'}"
        )


def _set_up(reviewers: int, submissions: int) -> list[int]:
    """An issuer, a published credential, the reviewers' pool and the submitted attempts;
    returns the submission ids."""
    issuer = make_issuer("acme")
    teachers_district = make_district("lakeside", TEACHER_SCHOOLS)
    reviewers_district = make_district("hillview", REVIEWER_SCHOOLS)
    designer = make_user("designer@acme.test")
    grant(designer, Role.DESIGNER, issuer)
    credential = credentials.create_credential(designer, issuer, dict(BODY))
    version = credentials.publish(designer, credential)
    db.session.commit()
    issuer_id, credential_id, version_id = issuer.id, credential.id, version.id
    password_hash = designer.password_hash  # the same (valid) hash for everyone: no argon2 each
    now = utcnow()

    def people(prefix: str, count: int, schools: list[int]) -> list[int]:
        rows = [
            {
                "email": f"{prefix}{n}@bench.test",
                "name": f"{prefix.title()} {n}",
                "password_hash": password_hash,
                "email_confirmed_at": now,
                "school_id": schools[n % len(schools)],
            }
            for n in range(count)
        ]
        return list(
            db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), rows)
        )

    reviewer_ids = people("reviewer", reviewers, [s.id for s in reviewers_district.schools])
    teacher_ids = people("teacher", submissions, [s.id for s in teachers_district.schools])
    db.session.execute(
        insert(RoleGrant),
        [{"user_id": u, "role": Role.REVIEWER, "issuer_id": issuer_id} for u in reviewer_ids],
    )
    capacity = math.ceil(submissions / reviewers) + 1
    profile_ids = list(
        db.session.scalars(
            insert(ReviewerProfile).returning(ReviewerProfile.id, sort_by_parameter_order=True),
            [
                {"issuer_id": issuer_id, "user_id": u, "capacity": capacity, "open_reviews": 0}
                for u in reviewer_ids
            ],
        )
    )
    db.session.execute(
        insert(ReviewerQualification),
        [{"profile_id": p, "credential_id": credential_id} for p in profile_ids],
    )
    submission_ids = list(
        db.session.scalars(
            insert(Submission).returning(Submission.id, sort_by_parameter_order=True),
            [
                {
                    "user_id": teacher,
                    "credential_id": credential_id,
                    "version_id": version_id,
                    "attempt": 1,
                    "status": SubmissionStatus.SUBMITTED.value,
                    "content_sha256": f"{n:064x}",
                    "created_at": now,
                    "updated_at": now,
                    "submitted_at": now,
                }
                for n, teacher in enumerate(teacher_ids)
            ],
        )
    )
    db.session.commit()
    db.session.execute(text("ANALYZE"))  # the planner's statistics, as a live database has
    db.session.commit()
    db.session.expunge_all()
    return submission_ids


def _kind(statement: str) -> str:
    """A short label for a statement: its verb and the tables it names (FROM, JOIN, INTO)."""
    words = statement.replace("(", " ").replace(")", " ").split()
    if not words:
        return "?"
    verb = words[0].upper()
    if verb == "RELEASE":
        return "RELEASE SAVEPOINT"
    tables: list[str] = []
    if verb == "UPDATE" and len(words) > 1:
        tables.append(words[1])
    for before, word in itertools.pairwise(words):
        if before.upper() in ("FROM", "JOIN", "INTO") and word not in tables:
            tables.append(word)
    lock = " FOR UPDATE" if "FOR UPDATE" in statement.upper() else ""
    return f"{verb} {', '.join(tables)}{lock}".strip()


def _route(app: Flask, submission_ids: list[int]) -> tuple[float, int, Counter[str]]:
    """Route each submission in its own transaction; (seconds, statements, statements by kind
    for the last assignment)."""
    count = 0
    last: list[str] = []

    def counted(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        nonlocal count
        count += 1
        last.append(statement)

    settings: Settings = app.extensions["settings"]
    # Inside a request, as the submit that routes a submission is.
    with app.test_request_context("/", base_url=settings.public_base_url):
        event.listen(db.engine, "before_cursor_execute", counted)
        try:
            start = time.perf_counter()
            for sid in submission_ids:
                last.clear()
                submission = db.session.get(Submission, sid)
                assert submission is not None
                routing.request_review(submission, ReviewKind.PRIMARY)
                db.session.commit()
            seconds = time.perf_counter() - start
        finally:
            event.remove(db.engine, "before_cursor_execute", counted)
    return seconds, count, Counter(_kind(s) for s in last)


def _check(submissions: int) -> list[str]:
    """What is wrong with the routing's result (nothing: an empty list)."""
    problems = []
    reviews, assigned, other = db.session.execute(
        text(
            "SELECT count(*), count(*) FILTER (WHERE status = 'assigned'), "
            "count(*) FILTER (WHERE status <> 'assigned') FROM reviews"
        )
    ).one()
    not_one = db.session.scalar(
        text(
            "SELECT count(*) FROM submissions s WHERE (SELECT count(*) FROM reviews r "
            "WHERE r.submission_id = s.id AND r.status = 'assigned') <> 1"
        )
    )
    if reviews != submissions or assigned != submissions or other or not_one:
        problems.append(
            f"{reviews} reviews for {submissions} submissions, {assigned} assigned, "
            f"{other} in another state, {not_one} submissions without exactly one assigned"
        )
    over = db.session.scalar(
        text("SELECT count(*) FROM reviewer_profiles WHERE open_reviews > capacity")
    )
    if over:
        problems.append(f"{over} reviewers over capacity")
    wrong = db.session.scalar(
        text(
            "SELECT count(*) FROM reviewer_profiles p WHERE p.open_reviews <> ("
            "SELECT count(*) FROM reviews r WHERE r.issuer_id = p.issuer_id "
            "AND r.reviewer_id = p.user_id AND r.status = 'assigned')"
        )
    )
    if wrong:
        problems.append(f"{wrong} reviewers whose load counter differs from their reviews")
    db.session.rollback()
    return problems


def _run(app: Flask, reviewers: int, submissions: int) -> Result:
    empty_tables()
    submission_ids = _set_up(reviewers, submissions)
    seconds, statements, kinds = _route(app, submission_ids)
    problems = _check(submissions)
    return Result(reviewers, submissions, seconds, statements, not problems, problems, kinds)


def _measure(app: Flask, sizes: Any, results: list[Result]) -> None:
    """Run and print every size."""
    for reviewers, submissions in sizes:
        result = _run(app, reviewers, submissions)
        results.append(result)
        print(result.line(), flush=True)
        for problem in result.problems:
            print(f"  problem: {problem}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--breakdown", action="store_true", help="print one assignment's statements by kind"
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL

    results: list[Result] = []
    with bench_app("routing") as app:
        _measure(app, sizes, results)

    small, large = results[0], results[-1]
    print(
        f"statements per assignment, large/small: {large.per_assignment / small.per_assignment:.2f}"
    )
    if args.breakdown:
        print(f"one assignment ({large.submissions} among {large.reviewers}), by statement:")
        for kind, n in large.kinds.most_common():
            print(f"  {n} x {kind}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
