"""Small checks of input that arrives as JSON or form text, shared by the services that take
free-form data (growth plans, action research, communities).

Each check either returns the clean value or records a problem under the field's name in a
``problems`` dict; :func:`raise_problems` then raises one ``InvalidInput`` naming them all, so a
person sees every problem of a form at once, and nothing is saved.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeGuard

from flask_babel import gettext as _

from app.errors import InvalidInput


def whole(value: Any) -> TypeGuard[int]:
    """A whole number (JSON's ``true`` is not one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def text_field(
    data: dict[str, Any], name: str, limit: int, problems: dict[str, list[str]], label: str
) -> str:
    """``data[name]`` as stripped text of at most ``limit`` characters (a problem otherwise;
    missing is empty)."""
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems[name] = [_("%(label)s is text.", label=label)]
        return ""
    value = value.strip()
    if len(value) > limit:
        problems[name] = [_("%(label)s is at most %(limit)s characters.", label=label, limit=limit)]

    return value


def iso_date(value: Any) -> date | None:
    """A date, or its ISO text (``2026-11-30``); None when it is neither."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def id_list(value: Any) -> list[int] | None:
    """A list of ids without repeats (missing is empty); None when it is not one."""
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(whole(v) for v in value):
        return None
    return list(dict.fromkeys(value))


def raise_problems(problems: dict[str, list[str]]) -> None:
    if problems:
        raise InvalidInput(" ".join(m for ms in problems.values() for m in ms), problems)
