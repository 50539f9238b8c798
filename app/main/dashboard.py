"""The signed-in home: one section per role the user holds, each a few items from the
feature's own service and a link to its full page.

Every section costs a fixed few statements (the services' summaries are aggregates or short
pages), so the home costs the same at every size of data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import jobs
from app.credentials import service as credentials
from app.credit import summary as credit
from app.db import utcnow
from app.issuance import service as issuance
from app.learning import next_steps
from app.models.accounts import User
from app.models.orgs import Role
from app.ops.health import readiness
from app.pagination import PageArgs
from app.reviews import service as reviews
from app.security import has_role, issuer_ids_with
from app.submissions import service as submissions

# How many items each section lists before pointing to its full page.
ITEMS = 5
ISSUING_ROLES = (Role.DESIGNER, Role.ISSUER_ADMIN)


@dataclass(frozen=True)
class Roles:
    reviewer: bool
    designer: bool
    issuer_admin: bool
    officer: bool
    admin: bool

    @property
    def labels(self) -> list[str]:
        """The roles held, in words (every user is a teacher)."""
        held = [
            (_("teacher"), True),
            (_("reviewer"), self.reviewer),
            (_("credential designer"), self.designer),
            (_("issuer admin"), self.issuer_admin),
            (_("credit officer"), self.officer),
            (_("platform admin"), self.admin),
        ]
        return [label for label, holds in held if holds]

    @property
    def issuing(self) -> bool:
        return self.designer or self.issuer_admin

    @property
    def staff(self) -> bool:
        """Holds some role beyond "teacher" (then the teacher's own section comes last)."""
        return self.reviewer or self.issuing or self.officer or self.admin


def roles_of(user: User) -> Roles:
    return Roles(
        reviewer=has_role(user, Role.REVIEWER),
        designer=has_role(user, Role.DESIGNER),
        issuer_admin=has_role(user, Role.ISSUER_ADMIN),
        officer=has_role(user, Role.CREDIT_OFFICER),
        admin=bool(user.is_platform_admin),
    )


def teacher(user: User) -> dict[str, Any]:
    return {
        "work": submissions.home_summary(user, ITEMS),
        "badges": issuance.my_badges_page(user, PageArgs(per_page=ITEMS)),
        "standing": credit.teacher_standing(user, ITEMS),
        # Her learning's next steps (and, when she coaches someone, what waits for her).
        "next": next_steps.for_teacher(user, ITEMS),
    }


def reviewer(user: User) -> dict[str, Any]:
    now = utcnow()
    return {
        "home": reviews.reviewer_home(user, ITEMS, now),
        "labels": reviews.KIND_LABELS,
        "now": now,
    }


def issuing(user: User, roles: Roles) -> dict[str, Any]:
    return {
        "drafts": credentials.drafts_page(user, ITEMS),
        "queues": reviews.issuer_queues(issuer_ids_with(user, ISSUING_ROLES)),
        "issued": issuance.admin_home(user, ITEMS) if roles.issuer_admin else None,
    }


def officer(user: User) -> dict[str, Any]:
    return {"home": credit.officer_home(user, ITEMS), "at_risk_days": credit.AT_RISK_DAYS}


# The health checks speak to machines (/readyz serves their words as they are); the admin's
# home says them in her language.
HEALTH_NAMES = {
    "database": _l("Database"),
    "storage": _l("Evidence storage"),
    "redis": _l("Job queue (Redis)"),
}
HEALTH_WORDS = {
    "ok": _l("ok"),
    "ok (local folder)": _l("ok (local folder)"),
    "ok (S3)": _l("ok (S3)"),
    "not configured (jobs run inline)": _l("not configured (jobs run inline)"),
    "failing": _l("failing"),
}


def _health_lines(checks: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "name": str(HEALTH_NAMES.get(name, name)),
            "status": str(HEALTH_WORDS.get(check["status"], check["status"])),
            "error": check.get("error"),
        }
        for name, check in checks.items()
    ]


def admin() -> dict[str, Any]:
    ready, checks = readiness()
    queued = current_app.extensions["settings"].redis_url != ""
    depths: dict[str, int] | None = None
    if queued:
        try:
            depths = jobs.depths()
        except Exception:  # Redis down: the health check above already says so
            depths = None
    return {
        "ready": ready,
        "checks": _health_lines(checks),
        "queued": queued,
        "depths": depths,
        "waiting_reviews": reviews.waiting_count(),
    }


def sections(user: User) -> dict[str, Any]:
    """What the home shows ``user``: a dict per role held (None for the others)."""
    roles = roles_of(user)
    return {
        "roles": roles,
        "teacher": teacher(user),
        "reviewer": reviewer(user) if roles.reviewer else None,
        "issuing": issuing(user, roles) if roles.issuing else None,
        "officer": officer(user) if roles.officer else None,
        "admin": admin() if roles.admin else None,
    }
