"""Helpers shared by every feature's forms."""

from __future__ import annotations

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
