"""The load check runs and prints its figures with no errors (a short run of `make load`)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parents[1] / "load" / "run_load.py"
LINE = re.compile(
    r"^load: 4 s, 4 users, two instances: [\d.]+ requests/s, p50 \d+ ms, p99 \d+ ms, "
    r"errors 0 of (\d+)$"
)


@pytest.mark.postgres
def test_a_short_load_run_against_two_instances_has_no_errors() -> None:
    result = subprocess.run(
        [sys.executable, str(RUNNER), "--seconds", "4", "--users", "4"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=dict(os.environ),
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    match = LINE.match(lines[0])
    assert match, lines
    assert int(match.group(1)) > 0  # requests were made (and none failed: "errors 0")
    assert {line.split(":")[0].strip() for line in lines[1:]} == {
        "GET assertion",
        "POST verify",
        "GET catalog",
        "GET badge list",
        "GET reviewer queue",
        "GET /healthz",
    }
