"""Spreadsheet-safe CSV: what a person typed never becomes a formula in the HR system that
opens the file (CSV injection, OWASP). Every CSV the app writes goes through :func:`safe_row`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def safe_cell(value: Any) -> Any:
    """``value``, with a leading apostrophe if it is text a spreadsheet would run as a formula
    (it starts with = + - @, a tab or a carriage return); plain numbers, such as a reversal's
    -1.5 hours, stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not NUMBER_RE.match(value):
        return "'" + value
    return value


def safe_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: safe_cell(value) for key, value in row.items()}
