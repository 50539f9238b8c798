"""The credit benchmark runs on PostgreSQL, the export has every ledger line, and the officer's
progress page runs as many SQL statements for 400 teachers as for 100 (a count, not a timing)."""

from __future__ import annotations

import re

import pytest

from tests.bench.quick import run_quick

PAGE_RE = re.compile(
    r"credit (\d+) teachers, (\d+) ledger lines: progress page [\d.]+ ms, (\d+) SQL statements$"
)
EXPORT_RE = re.compile(
    r"credit (\d+) teachers, (\d+) ledger lines: export (\d+) rows in [\d.]+ s, "
    r"plain select [\d.]+ s, ratio [\d.]+$"
)
RATIO_RE = re.compile(r"progress page statements, large/small: ([\d.]+)$")


@pytest.mark.postgres
def test_credit_benchmark_prints_its_figures() -> None:
    lines = run_quick("bench_credit.py")
    assert len(lines) == 5, lines
    pages = [PAGE_RE.match(line) for line in (lines[0], lines[2])]
    exports = [EXPORT_RE.match(line) for line in (lines[1], lines[3])]
    assert all(pages), lines
    assert all(exports), lines
    sizes = [(m.group(1), m.group(2)) for m in pages if m]
    assert sizes == [("100", "2000"), ("400", "8000")], lines
    assert [(m.group(1), m.group(2)) for m in exports if m] == sizes, lines
    # Every ledger line is in the export.
    assert all(m.group(3) == m.group(2) for m in exports if m), lines
    ratio = RATIO_RE.match(lines[4])
    assert ratio, lines[4]
    # The page runs a fixed number of statements however many teachers the district has.
    assert float(ratio.group(1)) < 1.5, lines
