"""The passing rule: a decision computed from the levels given, never chosen freely."""

from __future__ import annotations

from collections.abc import Mapping

from app.models.credentials import CredentialVersion, Level
from app.models.reviews import Decision


def passing_position(version: CredentialVersion) -> int:
    """The level a criterion must reach for its comment to be optional.

    With a minimum-level rule it is that level. With a total-only rule it is the lowest level
    that, given to every criterion, reaches the total.
    """
    if version.pass_min_level is not None:
        return version.pass_min_level
    if version.pass_min_total is None:
        return 0
    depth = max((len(c.levels) for c in version.criteria), default=0)
    for position in range(depth):
        total = sum(
            (c.levels[min(position, len(c.levels) - 1)].points if c.levels else 0)
            for c in version.criteria
        )
        if total >= version.pass_min_total:
            return position
    return depth - 1


def decide(version: CredentialVersion, levels: Mapping[int, Level]) -> tuple[Decision, int]:
    """(``pass`` or ``not_yet``, total points) for ``levels`` given by criterion id.

    Passing needs every criterion at or above the minimum level (when the rule has one) and
    the total at or above the minimum total (when it has one); a criterion without a level
    fails.
    """
    total = sum(level.points for level in levels.values())
    scored = all(c.id in levels for c in version.criteria)
    by_level = version.pass_min_level is None or all(
        levels[c.id].position >= version.pass_min_level for c in version.criteria if c.id in levels
    )
    by_total = version.pass_min_total is None or total >= version.pass_min_total
    passed = scored and by_level and by_total
    return (Decision.PASS if passed else Decision.NOT_YET), total
