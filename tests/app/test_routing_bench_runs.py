"""The routing benchmark runs on PostgreSQL and its SQL statements per assignment do not grow
with the number of reviewers or submissions (a count, not a timing)."""

from __future__ import annotations

import re

import pytest

from tests.bench.quick import run_quick

SIZE_RE = re.compile(
    r"routing (\d+) submissions among (\d+) reviewers: [\d.]+ assignments/s, "
    r"([\d.]+) SQL statements per assignment, all assigned: (yes|no)$"
)
RATIO_RE = re.compile(r"statements per assignment, large/small: ([\d.]+)$")


@pytest.mark.postgres
def test_routing_benchmark_prints_its_figures() -> None:
    lines = run_quick("bench_routing.py")
    assert len(lines) == 3, lines
    sizes = [SIZE_RE.match(line) for line in lines[:2]]
    assert all(sizes), lines
    assert [(m.group(1), m.group(2)) for m in sizes if m] == [("200", "10"), ("800", "40")]
    assert all(m.group(4) == "yes" for m in sizes if m), lines
    ratio = RATIO_RE.match(lines[2])
    assert ratio, lines[2]
    # Each assignment runs a fixed number of statements however large the pool and the queue.
    assert float(ratio.group(1)) < 1.5, lines
