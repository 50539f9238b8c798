"""The request owns the transaction (``end_transaction`` in app/__init__.py), and every app
that create_app builds has every event subscription and job (app/wiring.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app import events
from app.db import after_commit, db
from app.errors import InvalidInput
from app.models.orgs import District
from app.security import public
from tests.app.issuance.helpers import passed
from tests.app.reviews.world import build

ROOT = Path(__file__).resolve().parents[2]
SIGNALS = (
    "submission_submitted",
    "submission_withdrawn",
    "submission_decided",
    "assertion_revoked",
)
JOBS = {
    "send-mail",
    "send-mails",
    "bake-badge",
    "bake-badges",
    "resign-issuer",
    "bulk-issue",
    "routing-sweep",
    "credit-recheck",
}

FRESH_PROCESS = """
import json, sys
from pathlib import Path
from app import create_app, events, jobs
from app.config import Settings

folder = Path(sys.argv[1])
app = create_app(Settings(env="testing", database_url="sqlite:///" + str(folder / "x.db"),
                          instance_path=folder, public_base_url="http://localhost"))
print(json.dumps({
    "signals": {name: getattr(events, name).has_receivers_for(app) for name in sys.argv[2:]},
    "jobs": sorted(jobs._JOBS),
}))
"""


def test_an_app_built_by_create_app_alone_has_every_subscription_and_job(tmp_path: Path) -> None:
    """A fresh interpreter that imports nothing but create_app (as the RQ worker and the CLI
    do) still reacts to every event and knows every job."""
    done = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS, str(tmp_path), *SIGNALS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["signals"] == dict.fromkeys(SIGNALS, True)
    assert set(found["jobs"]) >= JOBS


def test_subscriptions_belong_to_the_app_that_connected_them(app: Any) -> None:
    assert events.submission_decided.has_receivers_for(app)
    assert not events.submission_decided.has_receivers_for(Flask("bare"))


def test_a_pass_issues_its_badge_through_the_wiring(app: Any) -> None:
    item = passed(build(), "t@lake.test")
    assert item.recipient_email == "t@lake.test"
    assert item.jws


def _route(app: Any, status: int, fail: bool = False) -> str:
    """A test page that adds a district, then answers ``status`` (or raises InvalidInput)."""

    def view() -> Any:
        db.session.add(District(slug=f"d-{status}-{fail}", name="Test district"))
        db.session.flush()
        after_commit(lambda: app.extensions.setdefault("after_commit_ran", []).append(status))
        if fail:
            raise InvalidInput("No.")
        return "", status, {"Location": "/"} if status == 302 else {}

    path = f"/_test/{status}/{int(fail)}"
    app.add_url_rule(path, f"test_{status}_{int(fail)}", public(view), methods=["POST"])
    return path


@pytest.mark.parametrize(
    ("status", "fail", "kept"),
    [
        (200, False, True),
        (201, False, True),
        (302, False, True),
        (422, True, False),  # an AppError
        (400, False, False),
        (404, False, False),
        (409, False, False),
        (500, False, False),
    ],
)
def test_the_request_commits_below_400_and_rolls_back_otherwise(
    app: Any, status: int, fail: bool, kept: bool
) -> None:
    path = _route(app, status, fail)
    app.config["WTF_CSRF_ENABLED"] = False
    answered = app.test_client().post(path)
    assert answered.status_code == status
    db.session.expire_all()
    assert (
        db.session.scalar(db.select(District.id).where(District.slug.like("d-%"))) is not None
    ) is kept
    assert app.extensions.get("after_commit_ran", []) == ([status] if kept else [])
