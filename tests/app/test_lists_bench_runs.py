"""The lists benchmark runs on PostgreSQL and every big list (reviewer queue, badges, catalog,
home page, credentials API) runs as many SQL statements at the larger size as at the smaller
one, the API's page of 20 credentials in fewer than 15 (counts, not timings)."""

from __future__ import annotations

import re

import pytest

from tests.bench.quick import run_quick

LINE_RE = re.compile(
    r"(?P<name>[a-zA-Z0-9 ]+): (?P<small>\d+) vs (?P<large>\d+) (?P<things>[a-z ]+): "
    r"(?P<sql_small>\d+) vs (?P<sql_large>\d+) SQL statements, "
    r"[\d.]+ vs [\d.]+ ms, ratio [\d.]+ \(goal: (?P<goal>[^)]+)\)$"
)
SIZES = {  # --quick
    "reviewer queue page": ("10", "500"),
    "reviewer queue API": ("10", "500"),
    "badges page": ("5", "100"),
    "badges API": ("5", "100"),
    "credentials API": ("20", "200"),
    "credentials API search": ("20", "200"),
    "catalog page": ("20", "200"),
    "catalog search": ("20", "200"),
    "catalog page 2": ("20", "200"),
    "home page": ("20", "200"),
}
API_PAGE_BUDGET = 15


@pytest.mark.postgres
def test_lists_benchmark_prints_equal_statement_counts() -> None:
    lines = run_quick("bench_lists.py")
    figures = {m.group("name"): m for m in map(LINE_RE.match, lines) if m}
    assert len(figures) == len(lines), lines
    assert sorted(figures) == sorted(SIZES), lines
    for name, m in figures.items():
        assert (m.group("small"), m.group("large")) == SIZES[name], m.group(0)
        small, large = int(m.group("sql_small")), int(m.group("sql_large"))
        if "same SQL" in m.group("goal"):
            # A list costs a fixed number of statements however long it is.
            assert small == large, m.group(0)
        if f"< {API_PAGE_BUDGET} SQL" in m.group("goal"):
            assert max(small, large) < API_PAGE_BUDGET, m.group(0)
    # The figures of the issue say "same SQL" for the queue and the badges.
    for name in ("reviewer queue page", "reviewer queue API", "badges page", "badges API"):
        assert "same SQL" in figures[name].group("goal"), name
    assert f"< {API_PAGE_BUDGET} SQL" in figures["credentials API"].group("goal")
