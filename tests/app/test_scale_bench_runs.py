"""The bulk-issuance and HTTP benchmarks run on PostgreSQL and print their figures: bulk
issuance sends a few statements per batch, none per row (a count, not a timing), and the
gunicorn figures come with no failed request."""

from __future__ import annotations

import re

import pytest

from tests.bench.quick import run_quick

BULK_RATE = re.compile(
    r"bulk issuance: 300 rows in [\d.]+ s, \d+ badges/s vs raw RSA-2048 sign \d+/s, "
    r"ratio [\d.]+ \(goal >= 0\.5 per worker\)$"
)
BULK_SQL = re.compile(r"bulk issuance: (\d+) SQL statements, ([\d.]+) per batch of (\d+)$")
HTTP = re.compile(
    r"^(.+?): \d+/s \(p50 [\d.]+ ms, p99 [\d.]+ ms\) vs /healthz \d+/s .*ratio [\d.]+"
)


@pytest.mark.postgres
def test_bulk_benchmark_issues_every_row_with_a_few_statements_per_batch() -> None:
    lines = run_quick("bench_bulk.py")
    assert len(lines) == 2, lines
    assert BULK_RATE.match(lines[0]), lines
    sql = BULK_SQL.match(lines[1])
    assert sql, lines
    statements, per_batch, batch = int(sql.group(1)), float(sql.group(2)), int(sql.group(3))
    assert batch == 200
    assert statements < 300 / 10, lines  # nothing per row
    assert per_batch < 20, lines


@pytest.mark.postgres
def test_http_benchmark_prints_every_figure_without_errors() -> None:
    lines = run_quick("bench_http.py", timeout=600)
    assert len(lines) == 4, lines
    assert [m.group(1) for m in map(HTTP.match, lines[:3]) if m] == [
        "hosted assertion, 8 clients",
        "hosted assertion, 50 clients",
        "verify our hosted badge, 8 clients",
    ], lines
    assert all("errors" not in line for line in lines[:3]), lines
    assert lines[3].startswith("/healthz as shipped (preloaded, no recycling): "), lines
