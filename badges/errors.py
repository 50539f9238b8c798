"""Errors with a message a person understands. Every failure on bad input is one of these."""

from __future__ import annotations

import json
from typing import Any


class BadgeError(ValueError):
    """Something about a badge, key or input is wrong; ``field`` names the property if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidObject(BadgeError):
    """An Open Badges object is missing a property or has one of the wrong form."""


class SignatureError(BadgeError):
    """A JWS is malformed, uses a refused algorithm, or does not verify."""


class BakeError(BadgeError):
    """An image cannot be baked or unbaked."""


_PNG_DAMAGE = {
    "signature": "not a PNG image (wrong signature)",
    "no_end": "the PNG is truncated: a chunk header runs past the end of the file",
    "cut_short": "the PNG is truncated: a chunk header runs past the end of the file",
    "too_long": "the PNG is damaged: a chunk claims more bytes than the file has",
    "short": "the PNG is damaged: a chunk claims more bytes than the file has",
    "chunk_type": "the PNG is damaged: a chunk type is not four letters",
    "checksum": "the PNG is damaged: the {kind} chunk fails its checksum",
}


class DamagedPNG(BakeError):
    """A PNG's structure is broken (:mod:`badges.png`). ``problem`` says how, for callers
    that word it their own way: ``signature`` (not a PNG), ``no_end`` (it ends between
    chunks, before IEND), ``cut_short`` (inside a chunk header), ``too_long`` (a length over
    2**31 - 1), ``short`` (a chunk ends before its length says), ``chunk_type`` (not four
    ASCII letters) or ``checksum`` (``kind`` names the chunk)."""

    def __init__(self, problem: str, kind: bytes = b"") -> None:
        self.problem = problem
        self.kind = kind.decode("ascii", "replace")
        super().__init__(_PNG_DAMAGE[problem].format(kind=self.kind))


class InputTooLarge(BadgeError):
    """An input is bigger than the limit; refused before it is read whole."""


class FetchError(BadgeError):
    """A document could not be fetched, or its address is refused."""


class Gone(FetchError):
    """The server answered 410 Gone: the issuer withdrew (revoked) the document."""

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason


def gone_reason(raw: bytes) -> str | None:
    """The ``revocationReason`` of a 410 answer's JSON body, if it has one."""
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    reason = value.get("revocationReason") if isinstance(value, dict) else None
    return reason if isinstance(reason, str) and reason else None


MAX_JSON_DEPTH = 32  # far deeper than any Open Badges document; far shallower than the stack


def json_object(
    raw: bytes | str, what: str, error: type[BadgeError] = BadgeError
) -> dict[str, Any]:
    """``raw`` parsed as a JSON object, or ``error`` saying that ``what`` is not one.

    Nesting deeper than MAX_JSON_DEPTH is refused (a document nested 100,000 levels deep is
    a clear error, never a RecursionError further on).
    """
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        value = json.loads(text)
    except RecursionError as exc:
        raise error(f"{what} nests more than {MAX_JSON_DEPTH} levels deep") from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise error(f"{what} is not JSON") from exc
    if not isinstance(value, dict):
        raise error(f"{what} is not a JSON object")
    # Nesting needs an opening bracket per level: few brackets, no walk needed.
    if text.count("{") + text.count("[") > MAX_JSON_DEPTH and _depth(value) > MAX_JSON_DEPTH:
        raise error(f"{what} nests more than {MAX_JSON_DEPTH} levels deep")
    return value


def _depth(value: Any) -> int:
    """How deeply ``value`` nests objects and arrays, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest
