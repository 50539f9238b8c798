"""Who may reach which route.

Every view carries exactly one access rule, set by one of the decorators below; the
route-access test walks the URL map and fails for any endpoint without one. A rule here is
the coarse gate (is the user signed in, do they hold the role anywhere); services then check
the specific organisation (a designer of issuer A editing issuer B's credential is 403).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user

from app.errors import Forbidden
from app.models.accounts import User
from app.models.orgs import Role

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Access:
    """``kind`` is public, login, role or admin; ``roles`` lists the roles for ``role``."""

    kind: str
    roles: tuple[Role, ...] = ()

    def allows(self, user: Any) -> bool:
        if self.kind == "public":
            return True
        if not getattr(user, "is_authenticated", False):
            return False
        if self.kind == "login":
            return True
        if self.kind == "admin":
            return bool(user.is_platform_admin)
        return any(has_role(user, role) for role in self.roles)


def _mark(view: F, access: Access) -> F:
    view.access = access  # type: ignore[attr-defined]
    return view


def public(view: F) -> F:
    """Anyone, signed in or not."""
    return _mark(view, Access("public"))


def _guard(access: Access) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if not access.allows(current_user):
                raise Forbidden(_("Your account does not have the role this page needs."))
            return view(*args, **kwargs)

        return _mark(cast(F, wrapped), access)

    return decorator


def login_required(view: F) -> F:
    """Any signed-in user (every user is a teacher)."""
    return _guard(Access("login"))(view)


def roles_required(*roles: Role) -> Callable[[F], F]:
    """A signed-in user holding at least one of ``roles`` in some organisation."""
    return _guard(Access("role", tuple(roles)))


def admin_required(view: F) -> F:
    """Platform admins only."""
    return _guard(Access("admin"))(view)


def content_security_policy(*, connect_src: str = "") -> str:
    """Our pages load only our own scripts and styles; ``connect_src`` adds one origin the
    page may send requests to (the S3 endpoint of direct uploads)."""
    connect = f"connect-src 'self' {connect_src}; " if connect_src else ""
    return (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"{connect}frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )


def body_limit(limit: Callable[..., int]) -> Callable[[F], F]:
    """Let this route accept request bodies up to ``limit(**view_args)`` bytes.

    Every other request stops at MAX_UPLOAD_MB. The limit applies before the body is read
    (also by the CSRF check), so an oversized upload is refused from its Content-Length.
    """

    def decorator(view: F) -> F:
        view.body_limit = limit  # type: ignore[attr-defined]
        return view

    return decorator


def apply_body_limit() -> None:
    """before_request: raise the body limit for routes marked with :func:`body_limit`."""
    from flask import request

    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, "body_limit", None)
    if limit is not None:
        request.max_content_length = limit(**(request.view_args or {}))


def has_role(
    user: User, role: Role, *, issuer_id: int | None = None, district_id: int | None = None
) -> bool:
    """Whether ``user`` holds ``role``; in a given organisation when one is named."""
    for grant in user.grants:
        if grant.role != role:
            continue
        if issuer_id is not None and grant.issuer_id != issuer_id:
            continue
        if district_id is not None and grant.district_id != district_id:
            continue
        return True
    return False


def issuer_ids_with(user: User, roles: Iterable[Role]) -> set[int]:
    wanted = set(roles)
    return {g.issuer_id for g in user.grants if g.role in wanted and g.issuer_id is not None}


def district_ids_with(user: User, roles: Iterable[Role]) -> set[int]:
    wanted = set(roles)
    return {g.district_id for g in user.grants if g.role in wanted and g.district_id is not None}


def require_issuer_role(user: User, issuer_id: int, *roles: Role) -> None:
    """Raise Forbidden unless ``user`` holds one of ``roles`` for this issuer."""
    if not any(has_role(user, role, issuer_id=issuer_id) for role in roles):
        raise Forbidden(_("You do not hold the role this needs for that issuer."))
