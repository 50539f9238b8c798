"""The benchmark scripts run and print their figures (no timing assertions)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _run(script: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, str(BENCH / script), "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_benchmark_prints_its_ratios() -> None:
    lines = _run("bench_badges.py")
    assert [line.split(":")[0] for line in lines] == ["signing", "verification", "baking"]
    assert "ratio" in lines[0]
    assert "ratio" in lines[1]
    assert "50 KB PNG" in lines[2]


def test_verify_benchmark_prints_its_figures() -> None:
    lines = _run("bench_verify.py")
    assert lines[0].startswith("in-process verify")
    clients = [line.split(",")[1].strip().split(":")[0] for line in lines[1:]]
    assert clients == ["1 client(s)", "8 client(s)"]
    assert all("ratio" in line for line in lines[1:])
