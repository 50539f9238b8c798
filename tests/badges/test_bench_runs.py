"""The benchmark scripts run and print their figures (no timing assertions)."""

from __future__ import annotations

from tests.bench.quick import run_quick


def test_benchmark_prints_its_ratios() -> None:
    lines = run_quick("bench_badges.py", timeout=120)
    assert [line.split(":")[0] for line in lines] == ["signing", "verification", "baking"]
    assert "ratio" in lines[0]
    assert "ratio" in lines[1]
    assert "50 KB PNG" in lines[2]


def test_verify_benchmark_prints_its_figures() -> None:
    lines = run_quick("bench_verify.py", timeout=120)
    assert lines[0].startswith("in-process verify")
    clients = [line.split(",")[1].strip().split(":")[0] for line in lines[1:]]
    assert clients == ["1 client(s)", "8 client(s)"]
    assert all("ratio" in line for line in lines[1:])
