"""Domain events: one feature announces what happened; another reacts, without importing it.

The signals are declared here and published by the feature that owns the fact; who reacts
is wired in one place, ``app/wiring.py``, for each app ``create_app`` builds (a receiver is
connected for that app only, so an app never runs another app's reactions).

Receivers run at once, inside the publisher's transaction, so what they write commits (or
rolls back) together with the event's cause: issuance records its assertion in the same
commit as the passing decision. Side effects that must wait for the commit (mail, jobs) use
``app.db.after_commit`` inside the receiver.
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace, Signal
from flask import current_app

_signals = Namespace()

submission_submitted = _signals.signal(
    "submission-submitted", doc="``submission``: a teacher froze a draft for review."
)
submission_withdrawn = _signals.signal(
    "submission-withdrawn", doc="``submission``: a teacher withdrew it before a decision."
)
submission_decided = _signals.signal(
    "submission-decided",
    doc="``submission``: a final Pass / Not yet was recorded (``submission.status`` says which).",
)
assertion_revoked = _signals.signal(
    "assertion-revoked", doc="``assertion``: an issuer revoked one of our badges."
)


def publish(signal: Signal, **payload: Any) -> None:
    """Run the current app's receivers of ``signal`` with ``payload`` (keyword arguments)."""
    signal.send(current_app._get_current_object(), **payload)  # type: ignore[attr-defined]
