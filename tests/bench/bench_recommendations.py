"""Benchmark: a teacher's recommendations on PostgreSQL (GET /api/v1/recommendations), at a
small and a large size measured in the same run: SQL statements per request and time.

    DATABASE_URL=postgresql://... .venv/bin/python tests/bench/bench_recommendations.py [--quick]
    (part of `make bench`)

Sizes (small, large): published credentials 5 and 200, past assessments 2 and 50 (each a
self-assessment of all 20 competencies and a pre-assessment of one; --quick: 5 and 60, 2 and
15). One issuer publishes the credentials and a framework of 4 domains and 20 competencies,
each competency linking an equal share of the credentials and carrying 4 multiple-choice
questions. The teacher holds a badge of one credential (never suggested) and has a draft of
another ("continue your draft"). Her district lists as many outside programs as there are
credentials, linked the same way (issue 18); she brought the badge of one of them for credit
(never suggested).

Through the app's test client with a bearer token: the median response time of 7 requests
after one warm-up, and the SQL statements of one request (``before_cursor_execute`` on the
engine). One line:

    recommendations API: 5 vs 200 credentials, 2 vs 50 past assessments: 9 vs 9 SQL
    statements, 9.1 vs 24.0 ms, ratio 2.64 (goal: same SQL)

(on one line; the ratio is large/small time). Exits non-zero if the request does not answer
200, the counts differ, or a held badge is suggested; times are only printed. The server comes
from TEST_DATABASE_URL or DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test); the
script creates ``<name>_bench_recommendations_<pid>`` next to it and drops it at the end.
Set-up (through the services, as people would) is not timed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from flask import Flask
from sqlalchemy import event

from app.auth.tokens import issue_token
from app.credentials import service as credential_service
from app.credit import memberships, policies
from app.credit import requests as credit_requests
from app.db import db, utcnow
from app.issuance import live
from app.issuance import service as issuance
from app.learning import assessments, frameworks
from app.links import public_url
from app.models.credentials import Credential, CredentialVersion, VersionStatus
from app.models.orgs import Role
from app.programs import service as programs
from app.submissions import service as submissions
from tests.app.credentials.body import BODY
from tests.app.people import grant, make_district, make_issuer, make_user
from tests.bench.common import FreshContextClient, bench_app
from tests.database import empty_tables

FULL = ((5, 2), (200, 50))
QUICK = ((5, 2), (60, 15))
DOMAINS, PER_DOMAIN = 4, 5
REQUESTS = 7


def _set_up(credentials_count: int, takes: int) -> tuple[str, set[int], set[int]]:
    """The issuer, credentials, framework, the district's outside programs and the teacher's
    takes; her token and the credential and program ids she must never be offered."""
    issuer = make_issuer("bench")
    designer = make_user("designer@bench.test")
    grant(designer, Role.DESIGNER, issuer)
    grant(designer, Role.ISSUER_ADMIN, issuer)
    # One credential with a rubric (a draft needs its prompts); the rest bare published rows.
    full = credential_service.create_credential(designer, issuer, {**BODY, "slug": "c-000"})
    credential_service.publish(designer, full)
    ids = [full.id]
    now = utcnow()
    for n in range(1, credentials_count):
        credential = Credential(issuer=issuer, slug=f"c-{n:03}")
        credential.versions.append(
            CredentialVersion(
                number=1,
                status=VersionStatus.PUBLISHED.value,
                title=f"Credential {n:03}",
                published_at=now,
            )
        )
        db.session.add(credential)
        db.session.flush()
        ids.append(credential.id)
    competencies = DOMAINS * PER_DOMAIN
    share = -(-len(ids) // competencies)
    question = {"kind": "choice", "prompt": "?", "options": ["a", "b", "c"], "correct": 0}
    data: dict[str, Any] = {
        "slug": "bench",
        "title": "Bench framework",
        "domains": [
            {
                "title": f"Domain {d}",
                "competencies": [
                    {
                        "title": f"Competency {d}.{c}",
                        "credentials": ids[
                            (d * PER_DOMAIN + c) * share : (d * PER_DOMAIN + c + 1) * share
                        ],
                        "questions": [question] * 4,
                    }
                    for c in range(PER_DOMAIN)
                ],
            }
            for d in range(DOMAINS)
        ],
    }
    framework = frameworks.create_framework(designer, issuer, data)
    frameworks.publish(designer, framework)
    teacher = make_user("teacher@bench.test")
    held = ids[-1]
    version = db.session.get(Credential, held).published_version
    issuance.issue(version, email=teacher.email, user=teacher, issued_on=now)
    submissions.start(teacher, full.id)
    for t in range(takes):
        when = now - timedelta(days=takes - t)
        assessments.take_self_assessment(
            teacher,
            framework.id,
            [
                {"competency_id": c.id, "level": (t + i) % 5 + 1}
                for i, c in enumerate(framework.competencies)
            ],
            now=when,
        )
        competency = framework.competencies[t % competencies]
        assessments.take_pre_assessment(
            teacher,
            competency.id,
            [
                {"question_id": q.id, "choice": (t + i) % 3}
                for i, q in enumerate(competency.questions)
            ],
            now=when,
        )
    held_program = _outside_programs(teacher, framework, len(ids), version.id)
    _, secret = issue_token(teacher, "bench", ["learning"])
    db.session.commit()
    return secret, {held}, {held_program}


def _outside_programs(teacher: Any, framework: Any, count: int, held_version: int) -> int:
    """``count`` outside programs of the teacher's district, linked to the framework's
    competencies as the credentials are; the first one's badge class is that of the badge she
    holds, which she brings for credit. Returns that program's id."""
    district = make_district("bench")
    officer = make_user("officer@bench.test")
    grant(officer, Role.CREDIT_OFFICER, district)
    category = policies.set_category(officer, district, "Pedagogy", 20)
    memberships.add_member(teacher, district, "invitation")
    competencies = [c.id for c in framework.competencies]
    share = -(-count // len(competencies))
    first = 0
    for n in range(count):
        url = (
            public_url("ob.badge_class", version_id=held_version)
            if n == 0
            else f"https://provider.example.org/badges/{n}"
        )
        program = programs.create_program(
            officer,
            district.id,
            {
                "title": f"Outside program {n:03}",
                "provider": "Bench provider",
                "url": f"https://provider.example.org/programs/{n}",
                "competency_ids": [competencies[(n // share) % len(competencies)]],
                "badge_class_urls": [url],
                "new_policy": {"hours": 2, "category_id": category.id},
            },
        )
        first = first or program.id
    held = issuance.my_badges(teacher)[0]
    db.session.commit()  # the verifier reads our issuer on its own pool
    live.forget_all()  # the documents of the size before, whose tables were emptied under it
    credit_requests.request_credit(teacher, district.id, assertion_uid=held.uid)
    return first


def _measure(app: Flask, credentials_count: int, takes: int) -> tuple[float, int, list[str]]:
    secret, never, never_programs = _set_up(credentials_count, takes)
    app.test_client_class = FreshContextClient
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    url = "/api/v1/recommendations?per_page=100"
    problems: list[str] = []
    warm = client.get(url, headers=headers)
    items = (warm.get_json() or {}).get("recommendations", [])
    offered = {r["credential_id"] for r in items if "credential_id" in r}
    programs_offered = {r["outside_program_id"] for r in items if "outside_program_id" in r}
    if warm.status_code != 200:
        problems.append(f"{url} answered {warm.status_code}")
    elif offered & never:
        problems.append(f"a held badge was suggested: {sorted(offered & never)}")
    elif programs_offered & never_programs:
        problems.append(f"a program whose badge she brought was suggested: {never_programs}")
    elif not offered or not programs_offered:
        problems.append("no credential or no outside program was suggested")
    statements: list[str] = []

    def counted(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    times = []
    for n in range(REQUESTS):
        if n == 0:
            event.listen(db.engine, "before_cursor_execute", counted)
        try:
            start = time.perf_counter()
            response = client.get(url, headers=headers)
            times.append(time.perf_counter() - start)
        finally:
            if n == 0:
                event.remove(db.engine, "before_cursor_execute", counted)
        if response.status_code != 200:
            problems.append(f"{url} answered {response.status_code}")
    empty_tables()
    return statistics.median(times) * 1000, len(statements), problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    (few_credentials, few_takes), (many_credentials, many_takes) = QUICK if args.quick else FULL
    with bench_app("recommendations") as app:
        small_ms, small_sql, problems = _measure(app, few_credentials, few_takes)
        large_ms, large_sql, found = _measure(app, many_credentials, many_takes)
        problems += found
    print(
        f"recommendations API: {few_credentials} vs {many_credentials} credentials, "
        f"{few_takes} vs {many_takes} past assessments: {small_sql} vs {large_sql} SQL "
        f"statements, {small_ms:.1f} vs {large_ms:.1f} ms, ratio {large_ms / small_ms:.2f} "
        "(goal: same SQL)",
        flush=True,
    )
    if small_sql != large_sql:
        problems.append(f"statements grew with the size: {small_sql} vs {large_sql}")
    for problem in problems:
        print(f"  problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
