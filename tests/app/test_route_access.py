"""Every route declares who may reach it, and behaves accordingly for every role.

The table is generated from the app's URL map: a new route without an access rule fails
``test_every_route_declares_access``, and ``test_route_x_role`` requests every route with every
method as every role and checks the outcome against the declared rule. ``EXPECTED`` pins the
rule of the routes that matter most, so a loosened decorator is caught too.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from werkzeug.routing.converters import NumberConverter

from app.db import db
from app.models.orgs import Role
from app.security import Access
from tests.app.people import grant, make_district, make_issuer, make_user, sign_in
from tests.net import CSRF_RE

ROLES = ("anonymous", "teacher", "designer", "reviewer", "issuer_admin", "officer", "admin")

# route -> the access rule it must carry (a pinned subset of the generated table).
EXPECTED = {
    "main.home": Access("public"),
    "catalog.index": Access("public"),
    "catalog.credential": Access("public"),
    "catalog.image": Access("public"),
    "auth.login": Access("public"),
    "auth.signup": Access("public"),
    "auth.account": Access("login"),
    "auth.logout": Access("login"),
    "credentials.index": Access("role", (Role.DESIGNER, Role.ISSUER_ADMIN)),
    "orgs.index": Access("login"),
    "orgs.new_issuer": Access("admin"),
    "orgs.new_district": Access("admin"),
    "credentials.act": Access("role", (Role.DESIGNER, Role.ISSUER_ADMIN)),
    "credentials.details": Access("role", (Role.DESIGNER, Role.ISSUER_ADMIN)),
    "api.list_credentials": Access("public"),
    "api.create_credential": Access("role", (Role.DESIGNER, Role.ISSUER_ADMIN)),
    "api.create_token": Access("public"),
    "api.me": Access("login"),
    "verify.page": Access("public"),
    "api.verify_api": Access("public"),
    "submissions.show": Access("login"),
    "api.upload_file": Access("login"),
    "reviews.index": Access("role", (Role.REVIEWER,)),
    "reviews.show": Access("role", (Role.REVIEWER,)),
    "reviews.evidence": Access("role", (Role.REVIEWER,)),
    "reviews.admin": Access("role", (Role.ISSUER_ADMIN,)),
    "reviews.update_reviewer": Access("role", (Role.ISSUER_ADMIN,)),
    "api.review_queue": Access("role", (Role.REVIEWER,)),
    "api.review_detail": Access("role", (Role.REVIEWER,)),
    "api.review_scores": Access("role", (Role.REVIEWER,)),
    "programs.show": Access("public"),
    "programs.index": Access("role", (Role.CREDIT_OFFICER,)),
    "programs.new": Access("role", (Role.CREDIT_OFFICER,)),
    "programs.edit": Access("role", (Role.CREDIT_OFFICER,)),
    "programs.status": Access("role", (Role.CREDIT_OFFICER,)),
    "api.create_outside_program": Access("role", (Role.CREDIT_OFFICER,)),
    # frameworks: an issuer's designers and admins, a district's credit officers
    "learning.design": Access("role", (Role.DESIGNER, Role.ISSUER_ADMIN, Role.CREDIT_OFFICER)),
    "learning.design_new": Access("role", (Role.DESIGNER, Role.ISSUER_ADMIN, Role.CREDIT_OFFICER)),
    "api.create_framework": Access("role", (Role.DESIGNER, Role.ISSUER_ADMIN, Role.CREDIT_OFFICER)),
    "api.delete_competency": Access(
        "role", (Role.DESIGNER, Role.ISSUER_ADMIN, Role.CREDIT_OFFICER)
    ),
    "learning.plan_edit_goal": Access("login"),
    "api.delete_goal": Access("login"),
    "api.update_outside_program": Access("role", (Role.CREDIT_OFFICER,)),
}


def _rules(app: Any) -> list[Any]:
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def test_every_route_declares_access(app: Any) -> None:
    missing = [
        rule.rule
        for rule in _rules(app)
        if not isinstance(getattr(app.view_functions[rule.endpoint], "access", None), Access)
    ]
    assert missing == [], f"routes without an access rule: {missing}"


@pytest.mark.parametrize(("endpoint", "access"), sorted(EXPECTED.items()))
def test_pinned_routes_keep_their_rule(app: Any, endpoint: str, access: Access) -> None:
    assert app.view_functions[endpoint].access == access


@pytest.fixture
def people(app: Any) -> dict[str, Any]:
    issuer = make_issuer("access")
    district = make_district("accessville")
    users: dict[str, Any] = {"anonymous": None}
    users["teacher"] = make_user("teacher@access.test", school=district.schools[0])
    users["designer"] = make_user("designer@access.test")
    grant(users["designer"], Role.DESIGNER, issuer)
    users["reviewer"] = make_user("reviewer@access.test")
    grant(users["reviewer"], Role.REVIEWER, issuer)
    users["issuer_admin"] = make_user("issuer-admin@access.test")
    grant(users["issuer_admin"], Role.ISSUER_ADMIN, issuer)
    users["officer"] = make_user("officer@access.test")
    grant(users["officer"], Role.CREDIT_OFFICER, district)
    users["admin"] = make_user("admin@access.test", admin=True)
    db.session.commit()
    return users


def _sample_url(rule: Any) -> str:
    values: dict[str, Any] = {}
    for name in rule.arguments:
        converter = rule._converters.get(name)
        kind = type(converter).__name__ if converter else "UnicodeConverter"
        if kind == "AnyConverter":
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, NumberConverter):
            values[name] = 999999
        else:
            values[name] = "no-such-thing"
    url: str = rule.build(values, append_unknown=False)[1]
    return url


def _login_redirect(response: Any) -> bool:
    return response.status_code in (301, 302, 303) and "/auth/login" in response.headers.get(
        "Location", ""
    )


def _visible_text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _csrf_token(client: Any) -> str:
    for page in ("/auth/login", "/account", "/"):
        match = CSRF_RE.search(client.get(page).get_data(as_text=True))
        if match:
            return match.group(1)
    raise AssertionError("no page offered a CSRF token")


def test_route_x_role(app: Any, people: dict[str, Any]) -> None:
    failures: list[str] = []
    for rule in _rules(app):
        access: Access = app.view_functions[rule.endpoint].access
        url = _sample_url(rule)
        is_api = rule.rule.startswith("/api/")
        for role in ROLES:
            user = people[role]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                client = app.test_client()
                if user is not None:
                    sign_in(client, user)
                kwargs: dict[str, Any] = {}
                if method != "GET" and not is_api:
                    kwargs["data"] = {"csrf_token": _csrf_token(client)}
                if is_api and user is not None:
                    # The API ignores the session: it needs a bearer token.
                    from app.auth.tokens import issue_token

                    _, secret = issue_token(user, "access-test")
                    db.session.commit()
                    kwargs["headers"] = {"Authorization": f"Bearer {secret}"}
                response = client.open(url, method=method, **kwargs)
                status = response.status_code
                allowed = access.allows(user) if user is not None else access.kind == "public"
                where = f"{method} {rule.rule} as {role}: got {status}"
                if not allowed:
                    if user is None:
                        expected_ok = status == 401 if is_api else _login_redirect(response)
                    else:
                        expected_ok = status == 403
                    if not expected_ok:
                        failures.append(
                            where
                            + f", expected refusal for {access}: "
                            + _visible_text(response)[-300:]
                        )
                elif (status in (401, 403) and access.kind != "public") or _login_redirect(
                    response
                ):
                    # Allowed by the coarse rule: refusal may only come from the
                    # organisation-specific check, which answers 403 for foreign ids.
                    if status == 401 or _login_redirect(response):
                        failures.append(where + f", expected to pass the {access} gate")
                elif status >= 500:
                    failures.append(where + ", server error")
    assert failures == [], "\n".join(failures)
