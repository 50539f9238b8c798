"""Helpers shared by every feature's forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash

from app.db import db
from app.errors import AppError


def report_error(error: AppError, form: Any = None) -> None:
    """Undo the request's changes, flash the message, and put field messages on ``form``."""
    db.session.rollback()
    flash(error.message, "error")
    for name, messages in error.fields.items():
        field = getattr(form, name, None) if form is not None else None
        if field is not None and isinstance(messages, list):
            field.errors = [*list(field.errors), *[str(m) for m in messages]]


def apply(action: Callable[[], object], success: str) -> bool:
    """Run a posted form's service call: commit and flash ``success``, or undo the request's
    changes and flash the error. Whether it succeeded is returned."""
    try:
        action()
    except AppError as error:
        report_error(error)
        return False
    db.session.commit()
    flash(success, "success")
    return True
