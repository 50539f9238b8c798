"""marshmallow's own field messages ("Missing data for required field.") in the reader's language.

The API's schemas check input with marshmallow, whose messages are English and already
formatted when they reach us. :func:`translate` puts each known one into the request's language
(through the catalogue, as every other word); our own schema messages are marked where they are
written and pass through unchanged, and so does anything unknown.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import i18n

FIXED = {
    "Missing data for required field.": _l("Missing data for required field."),
    "Field may not be null.": _l("Field may not be null."),
    "Invalid value.": _l("Invalid value."),
    "Invalid type.": _l("Invalid type."),
    "Invalid input type.": _l("Invalid input type."),
    "Invalid input.": _l("Invalid input."),
    "Unknown field.": _l("Unknown field."),
    "Not a valid string.": _l("Not a valid string."),
    "Not a valid utf-8 string.": _l("Not a valid utf-8 string."),
    "Not a valid integer.": _l("Not a valid integer."),
    "Not a valid number.": _l("Not a valid number."),
    "Number too large.": _l("Number too large."),
    "Not a valid boolean.": _l("Not a valid boolean."),
    "Not a valid list.": _l("Not a valid list."),
    "Not a valid mapping type.": _l("Not a valid mapping type."),
    "Not a valid URL.": _l("Not a valid URL."),
    "Not a valid email address.": _l("Not a valid email address."),
    "Not a valid date.": _l("Not a valid date."),
    "Not a valid datetime.": _l("Not a valid datetime."),
    "String does not match expected pattern.": _l("String does not match expected pattern."),
    "Special numeric values (nan or infinity) are not permitted.": _l(
        "Special numeric values (nan or infinity) are not permitted."
    ),
}


def _between(match: re.Match[str]) -> str:
    return str(_("Length must be between %(min)s and %(max)s.", min=match["min"], max=match["max"]))


def _exactly(match: re.Match[str]) -> str:
    return str(_("Length must be %(equal)s.", equal=match["equal"]))


def _longest(match: re.Match[str]) -> str:
    return str(_("Longer than maximum length %(max)s.", max=match["max"]))


def _shortest(match: re.Match[str]) -> str:
    return str(_("Shorter than minimum length %(min)s.", min=match["min"]))


def _one_of(match: re.Match[str]) -> str:
    return str(_("Must be one of: %(choices)s.", choices=match["choices"]))


def _range(match: re.Match[str]) -> str:
    low, high = match["low"], match["high"]
    if low is not None and high is not None:
        return str(
            _("Must be at least %(min)s and at most %(max)s.", min=match["min"], max=match["max"])
        )
    if low is not None:
        return str(_("Must be at least %(min)s.", min=match["min"]))
    return str(_("Must be at most %(max)s.", max=match["max"]))


# marshmallow's range words ("greater than or equal to") for the bounds our schemas use
# (inclusive): validate.Range(min=..., max=...) says "or equal to".
_LOW = r"(?P<low>greater than or equal to (?P<min>\S+?))"
_HIGH = r"(?P<high>less than or equal to (?P<max>\S+?))"
PATTERNS = [
    (re.compile(r"^Length must be between (?P<min>\d+) and (?P<max>\d+)\.$"), _between),
    (re.compile(r"^Length must be (?P<equal>\d+)\.$"), _exactly),
    (re.compile(r"^Longer than maximum length (?P<max>\d+)\.$"), _longest),
    (re.compile(r"^Shorter than minimum length (?P<min>\d+)\.$"), _shortest),
    (re.compile(r"^Must be one of: (?P<choices>.*)\.$"), _one_of),
    (re.compile(rf"^Must be {_LOW} and {_HIGH}\.$"), _range),
    (re.compile(rf"^Must be {_LOW}\.$"), _range),
    (re.compile(rf"^Must be {_HIGH}\.$"), _range),
]


def translate(messages: Any) -> Any:
    """``messages`` (marshmallow's nested dict/list of strings) with known messages translated.

    In English they stay marshmallow's own words."""
    if i18n.current() == i18n.DEFAULT:
        return messages
    return _translated(messages)


def _translated(messages: Any) -> Any:
    if isinstance(messages, dict):
        return {key: _translated(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [_translated(value) for value in messages]
    if not isinstance(messages, str):
        return messages
    fixed = FIXED.get(messages)
    if fixed is not None:
        return str(fixed)
    for pattern, words in PATTERNS:
        match = pattern.match(messages)
        if match:
            return words(match)
    return messages
