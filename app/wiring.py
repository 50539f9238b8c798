"""Every cross-feature reaction, in one place: read this module to see what a fact in one
feature sets off in another. ``create_app`` calls :func:`connect` for each app it builds, so
every process with an app (web, RQ worker, CLI) has every subscription, whatever it imported.

Features build on each other in one direction (reviews on submissions, issuance on reviews,
credit on issuance). Where a lower feature must start something in a higher one, it publishes
an event (``app/events.py``) and the higher one's receiver is connected here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from blinker import Signal
from flask import Flask

from app import (
    events,
    mail,  # noqa: F401 - jobs "send-mail", "send-mails"
)
from app.communities import feedback as peer_feedback
from app.credit import ledger  # also the job "credit-recheck"
from app.issuance import bulk  # noqa: F401 - the job "bulk-issue"
from app.issuance import service as issuance  # also "bake-badge(s)", "resign-issuer"
from app.learning import reminders  # noqa: F401 - the job "checkpoint-reminders"
from app.models.reviews import ReviewKind
from app.models.submissions import Submission
from app.portfolio import service as portfolios  # noqa: F401 - the job "portfolio-recheck"
from app.reviews import routing  # also the job "routing-sweep"

# Background jobs register with ``@job`` in the module that defines them; the imports above
# load every such module, so any process with an app (the RQ worker too) knows every job.


def connect(app: Flask) -> None:
    """Connect every receiver to ``app``'s events."""
    # A submitted submission asks for its primary review; a withdrawn one ends its reviews.
    _on(app, events.submission_submitted, _request_primary_review)
    # A submitted draft closes its peer-feedback requests (no more comments).
    _on(app, events.submission_submitted, peer_feedback.close_for)
    _on(app, events.submission_withdrawn, routing.cancel)
    # A pass issues its badge in the deciding transaction.
    _on(app, events.submission_decided, issuance.on_decided)
    # A revoked badge reverses the credit granted for it in every district.
    _on(app, events.assertion_revoked, ledger.on_assertion_revoked)


def _request_primary_review(submission: Submission) -> None:
    routing.request_review(submission, ReviewKind.PRIMARY)


def _on(app: Flask, signal: Signal, receiver: Callable[..., Any]) -> None:
    def receive(_app: Flask, **payload: Any) -> None:
        receiver(**payload)

    signal.connect(receive, sender=app, weak=False)
