"""Domain events: one feature announces what happened; another reacts, without importing it.

Handlers run at once, inside the publisher's transaction, so what they write commits (or rolls
back) together with the event's cause: issuance records its assertion in the same commit as
the passing decision. Side effects that must wait for the commit (mail, jobs) use
``app.db.after_commit`` inside the handler.

Events:
- ``submission_decided(submission)``: a final Pass / Not yet was recorded
  (``submission.status`` says which).
- ``assertion_revoked(assertion)``: an issuer revoked one of our badges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

_handlers: dict[str, list[Callable[..., Any]]] = defaultdict(list)


def subscribe(name: str, handler: Callable[..., Any]) -> None:
    if handler not in _handlers[name]:
        _handlers[name].append(handler)


def unsubscribe(name: str, handler: Callable[..., Any]) -> None:
    if handler in _handlers[name]:
        _handlers[name].remove(handler)


def publish(name: str, **payload: Any) -> None:
    for handler in list(_handlers[name]):
        handler(**payload)
