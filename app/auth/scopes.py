"""API token scopes: what one bearer token may do, within what its owner's roles allow.

Every scope is named here, once. A route on the /api/v1 blueprint declares the scope it needs
with :func:`requires_scope`, next to its access decorator; anonymous routes (``public``) need
none. The blueprint's ``before_request`` (``app/api/__init__.py``) refuses a token that lacks
the route's scope with 403 before the view runs, and refuses a token on a signed-in route that
declares no scope at all, so a route someone forgets to mark is closed, not open
(``tests/app/auth/test_token_scopes.py`` walks the URL map for such routes).

A scope never grants more than the role: the access decorators and the services check roles on
every request, as for a token without scopes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from babel.lists import format_list
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app import i18n
from app.errors import Forbidden, InvalidInput
from app.models.orgs import Role

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Scope:
    """Who may hold it: platform admins when ``platform_admin``; else, with ``roles`` empty,
    every account (every user is a teacher); else a user holding one of ``roles`` in some
    organisation."""

    name: str
    description: str  # lazy (``_l``): in the reader's language when shown
    roles: tuple[Role, ...] = ()
    platform_admin: bool = False

    def allowed_for(self, user: Any) -> bool:
        if self.platform_admin:
            return bool(user.is_platform_admin)
        return not self.roles or any(grant.role in self.roles for grant in user.grants)


# The whole set, in the order the account page shows it.
SCOPES: dict[str, Scope] = {
    scope.name: scope
    for scope in (
        Scope("account", _l("See who you are and list or revoke your API tokens")),
        Scope("badges:read", _l("Read your badges and download their files")),
        Scope(
            "evidence:write",
            _l("Start, read, edit, submit and withdraw your submissions and their files"),
        ),
        Scope(
            "credit:write",
            _l(
                "List your districts and ask them for credit for your badges (credit officers: "
                "curate their outside programs)"
            ),
        ),
        Scope(
            "learning",
            _l(
                "Take self- and pre-assessments, read your results and recommendations, and "
                "keep your growth plans and action research (and coach those you are invited to)"
            ),
        ),
        Scope(
            "communities",
            _l(
                "Join and run professional learning communities, post in them, and ask for and "
                "give peer feedback on drafts"
            ),
        ),
        Scope(
            "review",
            _l("Read your review queue and the blind submissions, and score them"),
            (Role.REVIEWER,),
        ),
        Scope(
            "credentials:write",
            _l("Create and publish credentials and competency frameworks"),
            # A district's credit officers write their district's frameworks.
            (Role.DESIGNER, Role.ISSUER_ADMIN, Role.CREDIT_OFFICER),
        ),
        Scope("badges:revoke", _l("Revoke badges your issuer awarded"), (Role.ISSUER_ADMIN,)),
        Scope(
            "ledger:read",
            _l("List your districts and read their credit ledgers and e-mail domains"),
            (Role.CREDIT_OFFICER,),
        ),
        Scope(
            "admin",
            _l("Platform administration (district e-mail domains)"),
            platform_admin=True,
        ),
    )
}


class MissingScope(Forbidden):
    """The token is valid but was not given the scope this route needs (RFC 6750's name)."""

    code = "insufficient_scope"


def allowed_scopes(user: Any) -> list[str]:
    """The scopes ``user``'s roles allow today, in :data:`SCOPES` order."""
    return [name for name, scope in SCOPES.items() if scope.allowed_for(user)]


def choose_scopes(user: Any, requested: Iterable[Any] | None) -> list[str]:
    """The scopes a new token of ``user`` gets: all the roles allow when ``requested`` is None;
    otherwise exactly those requested (in :data:`SCOPES` order), each known and allowed.

    Raises InvalidInput (422) naming an unknown or disallowed scope, or for an empty list.
    """
    allowed = allowed_scopes(user)
    if requested is None:
        return allowed
    wanted = list(requested)
    unknown = [s for s in wanted if not isinstance(s, str) or s not in SCOPES]
    if unknown:
        names = ", ".join(f"'{s}'" for s in unknown)
        message = _(
            "Unknown scope %(names)s. The scopes are: %(scopes)s.",
            names=names,
            scopes=", ".join(SCOPES),
        )
        raise InvalidInput(message, {"scopes": [message]})
    refused = [s for s in dict.fromkeys(wanted) if s not in allowed]
    if refused:
        names = ", ".join(f"'{s}'" for s in refused)
        message = ngettext(
            "Your roles do not allow the %(names)s scope. You may ask for: %(allowed)s.",
            "Your roles do not allow the %(names)s scopes. You may ask for: %(allowed)s.",
            len(refused),
            names=names,
            allowed=", ".join(allowed),
        )
        raise InvalidInput(message, {"scopes": [message]})
    if not wanted:
        message = _("Choose at least one scope (leave scopes out for all your roles allow).")
        raise InvalidInput(message, {"scopes": [message]})
    return [name for name in SCOPES if name in wanted]


def requires_scope(*names: str) -> Callable[[F], F]:
    """A token must hold one of ``names`` for this route (checked before the view runs)."""
    unknown = [n for n in names if n not in SCOPES]
    if not names or unknown:
        raise ValueError(f"requires_scope needs scopes named in SCOPES, not {unknown or names}")

    def decorator(view: F) -> F:
        view.token_scopes = names  # type: ignore[attr-defined]
        return view

    return decorator


def route_scopes(view: Any) -> tuple[str, ...] | None:
    """The scopes a route declares (any one suffices); None when it declares none."""
    names: tuple[str, ...] | None = getattr(view, "token_scopes", None)
    return names


def check_token_scopes(view: Any, granted: Collection[str]) -> None:
    """Raise 403 unless a token holding ``granted`` may call ``view``.

    Anonymous routes need no scope. A signed-in route with no declared scope is refused to
    every token (closed by default).
    """
    needed = route_scopes(view)
    if needed is None:
        access = getattr(view, "access", None)
        if getattr(access, "kind", None) == "public":
            return
        raise MissingScope(_("This API route declares no token scope, so no token may call it."))
    if any(name in granted for name in needed):
        return
    wanted = format_list([f"'{name}'" for name in needed], style="or", locale=i18n.current())
    held = ", ".join(name for name in SCOPES if name in granted)
    if not held:
        raise MissingScope(
            _(
                "This token needs the %(wanted)s scope for this request; it has none. Make a "
                "token with that scope on your account page or with POST /api/v1/auth/token.",
                wanted=wanted,
            )
        )
    raise MissingScope(
        _(
            "This token needs the %(wanted)s scope for this request; it has %(held)s. Make a "
            "token with that scope on your account page or with POST /api/v1/auth/token.",
            wanted=wanted,
            held=held,
        )
    )
