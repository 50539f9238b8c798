"""Helpers for issuance tests: a passed submission, the reference validator, our CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.db import db
from app.models.assertions import Assertion
from app.models.submissions import Submission
from app.reviews import service as reviews
from tests.app.reviews.world import World, active_review, full_scores

ROOT = Path(__file__).resolve().parents[3]
VALIDATOR = ROOT / ".venv-validator" / "bin" / "python"
RUNNER = ROOT / "tests" / "validator" / "run_validator.py"
BADGES_CLI = Path(sys.executable).with_name("badges")


def passed(world: World, email: str, **consent: Any) -> Assertion:
    """A teacher's submission, passed by a reviewer; returns the badge it issued."""
    if not any(p.user.email == "rev@hill.test" for p in world.issuer_profiles()):
        world.reviewer("rev@hill.test", capacity=50)
    teacher = world.people.get(email) or world.teacher(email)
    submission = world.submit(teacher, **consent)
    review = active_review(submission)
    reviews.save_scores(review.reviewer, review, full_scores(review, 3), "Exemplary.", final=True)
    db.session.commit()
    item = db.session.scalar(db.select(Assertion).where(Assertion.submission_id == submission.id))
    assert item is not None, db.session.get(Submission, submission.id).status
    return item


def reference_validator(source: str, recipient: str | None = None) -> dict[str, Any]:
    """The 1EdTech reference validator's report on a URL, JWS or @file."""
    if not VALIDATOR.exists():
        pytest.fail("the reference validator is not installed: `make validator` installs it")
    args = [str(VALIDATOR), str(RUNNER), source] + ([recipient] if recipient else [])
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def messages(report: dict[str, Any]) -> list[str]:
    return [f"{m.get('messageLevel')}: {m.get('result')}" for m in report.get("messages", [])]


def our_cli(source: str, recipient: str | None = None) -> tuple[int, dict[str, Any]]:
    """``badges verify`` as a person runs it (exit code, JSON report)."""
    args = [str(BADGES_CLI), "verify", source, "--json", "--allow-private"]
    if recipient:
        args += ["--recipient", recipient]
    result = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    return result.returncode, json.loads(result.stdout)
