"""The benchmark script runs and prints its figures (no timing assertions)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "bench_badges.py"


def test_benchmark_prints_its_ratios() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["signing", "verification", "baking"]
    assert "ratio" in lines[0]
    assert "ratio" in lines[1]
    assert "50 KB PNG" in lines[2]


def test_verify_benchmark_prints_its_figures() -> None:
    script = SCRIPT.with_name("bench_verify.py")
    result = subprocess.run(
        [sys.executable, str(script), "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("in-process verify")
    assert [line.split(",")[1].strip().split(":")[0] for line in lines[1:]] == [
        "1 client(s)",
        "8 client(s)",
    ]
    assert all("ratio" in line for line in lines[1:])
