"""Helpers shared by every feature's forms.

A page posts a form, calls a service, and either redirects (success) or shows the form again
with the service's messages. The commit is the request's (``end_transaction`` in
``app/__init__.py``): a view never commits, and :func:`attempt` is the one way a page turns
a service's :class:`AppError` into messages for the person.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import flash
from wtforms import SelectMultipleField, widgets

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


class Attempt:
    """How a posted form's service calls went: ``ok``, or the ``error`` already reported."""

    def __init__(self) -> None:
        self.error: AppError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@contextmanager
def attempt(form: Any = None, success: str | None = None) -> Iterator[Attempt]:
    """Run a posted form's service calls in the ``with`` block.

    An :class:`AppError` raised in the block stops there and is reported (the request's
    changes undone, the message flashed, field messages put on ``form``); the view carries on
    with ``outcome.ok`` False to show the form again (422) or redirect. Without an error,
    ``success`` (if given) is flashed. Nothing is committed here: the request's edge commits.

        with attempt(form, "Saved.") as outcome:
            service.save(current_user, form.name.data)
        if outcome.ok:
            return redirect(...)
        return render_template(..., form=form), 422
    """
    outcome = Attempt()
    try:
        yield outcome
    except AppError as error:
        outcome.error = error
        report_error(error, form)
    else:
        if success is not None:
            flash(success, "success")


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes (the designer's and teacher's forms)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()
