"""Benchmark: a district's credit ledger on PostgreSQL, the officer's progress page (response
time, SQL statements) and the CSV export (time, against a plain select of the same lines).

    DATABASE_URL=postgresql://... .venv/bin/python tests/bench/bench_credit.py [--quick]
    (part of `make bench`)

One district of 20 schools and 4 categories, one credit officer, 5,000 teachers (members with
an open renewal cycle each) and 100,000 ledger lines spread over teachers and categories; in
the same run, as the baseline, 500 teachers and 10,000 lines (--quick: 400 and 8,000, and 100
and 2,000). Through the app's test client, signed in as the officer:

- the progress page (GET /districts/<id>/credit): the median response time of 5 requests after
  one warm-up, and the SQL statements of one request (``before_cursor_execute`` on the
  engine). The count must not grow per teacher, so the last line prints the large/small ratio;
- the export (GET /districts/<id>/credit/ledger.csv): the median time of 3 requests (after one
  warm-up) to read the whole body, and its rows; as the baseline, the median time of
  ``SELECT * FROM ledger_entries WHERE district_id = ...`` fetched with the same engine (the
  ratio export/plain).

Exits non-zero if a page is not 200 or the export has the wrong rows. The server comes from
TEST_DATABASE_URL or DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test); the
script creates its own database next to the named one (``<name>_bench_<pid>``) and drops it at
the end. Set-up (bulk inserts) is not timed. ``--breakdown`` also prints the statements of one
progress page of the larger size, grouped by their text, most repeated first.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, insert, text

from app.credit.export import LEDGER_COLUMNS
from app.db import Base, db, utcnow
from app.models.accounts import User
from app.models.credit import CreditCategory, DistrictMembership, LedgerEntry, RenewalCycle
from app.models.orgs import Role
from tests.app.people import grant, make_district, make_user
from tests.bench.common import FreshContextClient, bench_app
from tests.database import empty_tables

FULL = ((500, 10_000), (5_000, 100_000))
QUICK = ((100, 2_000), (400, 8_000))
SCHOOLS = (
    "Alder",
    "Birch",
    "Cedar",
    "Elm",
    "Fir",
    "Hazel",
    "Holly",
    "Juniper",
    "Larch",
    "Laurel",
    "Linden",
    "Maple",
    "Oak",
    "Pine",
    "Poplar",
    "Rowan",
    "Spruce",
    "Sycamore",
    "Walnut",
    "Willow",
)
CATEGORIES = ("Content knowledge", "Pedagogy", "Equity", "Technology")
PAGE_REQUESTS = 5
EXPORT_REQUESTS = 3
LEDGER_BATCH = 10_000


@dataclass
class Result:
    teachers: int
    lines: int
    page_ms: float
    statements: int
    export_rows: int
    export_seconds: float
    plain_seconds: float
    problems: list[str] = field(default_factory=list)
    repeated: Counter[str] = field(default_factory=Counter)

    def lines_out(self) -> list[str]:
        size = f"credit {self.teachers} teachers, {self.lines} ledger lines"
        return [
            f"{size}: progress page {self.page_ms:.1f} ms, {self.statements} SQL statements",
            f"{size}: export {self.export_rows} rows in {self.export_seconds:.2f} s, "
            f"plain select {self.plain_seconds:.2f} s, "
            f"ratio {self.export_seconds / self.plain_seconds:.1f}",
        ]


def _set_up(teachers: int, lines: int) -> tuple[int, int]:
    """The district, its categories, the officer, the teachers with open cycles and the
    ledger; returns (district id, officer id)."""
    district = make_district("lakeside", SCHOOLS)
    cats = [
        CreditCategory(district_id=district.id, name=name, required_hours=Decimal(10))
        for name in CATEGORIES
    ]
    db.session.add_all(cats)
    officer = make_user("officer@lakeside.test", name="Olive Officer")
    grant(officer, Role.CREDIT_OFFICER, district)
    db.session.commit()
    district_id, officer_id = district.id, officer.id
    school_ids = [s.id for s in district.schools]
    cat_ids = [c.id for c in cats]
    password_hash = officer.password_hash  # one valid hash for everyone: no argon2 each
    now = utcnow()
    today = now.date()

    teacher_ids = list(
        db.session.scalars(
            insert(User).returning(User.id, sort_by_parameter_order=True),
            [
                {
                    "email": f"teacher{n}@lakeside.test",
                    "name": f"Teacher {n:05d}",
                    "password_hash": password_hash,
                    "email_confirmed_at": now,
                    "school_id": school_ids[n % len(school_ids)],
                }
                for n in range(teachers)
            ],
        )
    )
    db.session.execute(
        insert(DistrictMembership),
        [
            {"district_id": district_id, "user_id": u, "via": "invitation", "joined_at": now}
            for u in teacher_ids
        ],
    )
    cycle_ids = list(
        db.session.scalars(
            insert(RenewalCycle).returning(RenewalCycle.id, sort_by_parameter_order=True),
            [
                {
                    "district_id": district_id,
                    "user_id": u,
                    "starts_on": today - timedelta(days=n % 365),
                    "ends_on": date(today.year + 5, 6, 30) - timedelta(days=n % 365),
                    "required_hours": Decimal(150),
                    "required_by_category": {str(c): "10" for c in cat_ids},
                }
                for n, u in enumerate(teacher_ids)
            ],
        )
    )
    db.session.commit()

    # Core inserts in batches: the ledger has no ORM defaults worth running 100,000 times.
    table = Base.metadata.tables[LedgerEntry.__tablename__]
    for start in range(0, lines, LEDGER_BATCH):
        rows = []
        for n in range(start, min(start + LEDGER_BATCH, lines)):
            t = n % teachers
            rows.append(
                {
                    "district_id": district_id,
                    "user_id": teacher_ids[t],
                    "cycle_id": cycle_ids[t],
                    "kind": "grant",
                    "hours": Decimal("1.5"),
                    "category_id": cat_ids[(n // teachers) % len(cat_ids)],
                    "actor_id": officer_id if n % 3 == 0 else None,
                    "at": now - timedelta(minutes=lines - n),
                    "reason": "",
                    "assertion_url": f"https://badges.example.org/ob/assertions/{n:08x}",
                    "badge_name": f"Workshop {n % 50}",
                    "issued_on": now - timedelta(days=30),
                    "expires": None,
                    "verification_result": "valid",
                }
            )
        db.session.execute(insert(table), rows)
    db.session.commit()
    db.session.execute(text("ANALYZE"))  # the planner's statistics, as a live database has
    db.session.commit()
    db.session.expunge_all()
    return district_id, officer_id


def _signed_in_client(app: Flask, officer_id: int) -> FlaskClient:
    app.test_client_class = FreshContextClient
    client = app.test_client()
    user = db.session.get(User, officer_id)
    assert user is not None
    with client.session_transaction() as session:  # as tests/app/people.py sign_in does
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    db.session.rollback()
    return client


def _progress_page(client: FlaskClient, url: str) -> tuple[float, list[str], list[str]]:
    """(median ms, the statements of one request, problems)."""
    problems: list[str] = []
    statements: list[str] = []

    def counted(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    first = client.get(url)
    if first.status_code != 200:
        problems.append(f"progress page answered {first.status_code}")
    times = []
    for n in range(PAGE_REQUESTS):
        if n == 0:
            event.listen(db.engine, "before_cursor_execute", counted)
        try:
            start = time.perf_counter()
            response = client.get(url)
            response.get_data()
            times.append(time.perf_counter() - start)
        finally:
            if n == 0:
                event.remove(db.engine, "before_cursor_execute", counted)
        if response.status_code != 200:
            problems.append(f"progress page answered {response.status_code}")
    return statistics.median(times) * 1000, statements, problems


def _export(client: FlaskClient, url: str, lines: int) -> tuple[int, float, list[str]]:
    """(rows in the CSV, median seconds to read the whole body, problems)."""
    problems: list[str] = []
    times = []
    for _ in range(1 + EXPORT_REQUESTS):  # one warm-up
        start = time.perf_counter()
        response = client.get(url)
        body = response.get_data(as_text=True)
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times[1:])
    if response.status_code != 200:
        problems.append(f"export answered {response.status_code}")
        return 0, seconds, problems
    records = list(csv.reader(io.StringIO(body, newline="")))
    header, rows = (records[0], records[1:]) if records else ([], [])
    if tuple(header) != LEDGER_COLUMNS:
        problems.append(f"export header is {header!r}")
    if len(records) != lines + 1:
        problems.append(f"export has {len(records)} lines, not {lines} and a header")
    return len(rows), seconds, problems


def _plain_select(district_id: int, lines: int) -> float:
    """Median seconds to fetch the district's ledger lines with a plain select."""
    times = []
    with db.engine.connect() as conn:
        for _ in range(1 + EXPORT_REQUESTS):  # one warm-up
            start = time.perf_counter()
            rows = conn.execute(
                text("SELECT * FROM ledger_entries WHERE district_id = :d"), {"d": district_id}
            ).all()
            times.append(time.perf_counter() - start)
            assert len(rows) == lines
    return statistics.median(times[1:])


def _run(app: Flask, teachers: int, lines: int) -> Result:
    empty_tables()
    district_id, officer_id = _set_up(teachers, lines)
    client = _signed_in_client(app, officer_id)
    page_ms, statements, problems = _progress_page(client, f"/districts/{district_id}/credit")
    export_rows, export_seconds, export_problems = _export(
        client, f"/districts/{district_id}/credit/ledger.csv", lines
    )
    plain_seconds = _plain_select(district_id, lines)
    return Result(
        teachers,
        lines,
        page_ms,
        len(statements),
        export_rows,
        export_seconds,
        plain_seconds,
        problems + export_problems,
        Counter(" ".join(s.split()) for s in statements),
    )


def _measure(app: Flask, sizes: Any, results: list[Result]) -> None:
    """Run and print every size."""
    for teachers, lines in sizes:
        result = _run(app, teachers, lines)
        results.append(result)
        for line in result.lines_out():
            print(line, flush=True)
        for problem in result.problems:
            print(f"  problem: {problem}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="print one progress page's statements of the larger size, grouped by text",
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL

    results: list[Result] = []
    with bench_app("credit") as app:
        _measure(app, sizes, results)

    small, large = results[0], results[-1]
    print(f"progress page statements, large/small: {large.statements / small.statements:.2f}")
    if args.breakdown:
        print(f"one progress page ({large.teachers} teachers), statements by text:")
        for statement, n in large.repeated.most_common():
            print(f"  {n} x {statement}")
    return 0 if all(not r.problems for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
