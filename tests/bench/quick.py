"""Run a benchmark script briefly (``--quick``) as a person would, for the tests that check it
runs and prints its figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def run_quick(script: str, timeout: int = 300) -> list[str]:
    """The lines ``tests/bench/<script> --quick`` prints; fails the test if it exits non-zero."""
    result = subprocess.run(
        [sys.executable, str(BENCH / script), "--quick"],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    return result.stdout.splitlines()
