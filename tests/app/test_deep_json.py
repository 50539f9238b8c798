"""A JSON body nested 100,000 levels deep is a malformed body on every API route that reads
JSON: a 400 with a JSON error, never a RecursionError and a 500."""

from __future__ import annotations

import re
from typing import Any

from app.db import db
from app.models.orgs import Role
from tests.app.people import grant, make_district, make_issuer, make_user
from tests.app.submissions.helpers import auth_for

DEEP = '{"a":' * 100_000 + "1" + "}" * 100_000


def _api_routes_with_a_body(app: Any) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        for method in sorted((rule.methods or set()) & {"POST", "PUT", "PATCH"}):
            path = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
            routes.append((method, path))
    return routes


def test_deep_json_is_a_400_everywhere_in_the_api(app: Any, client: Any) -> None:
    issuer, district = make_issuer("acme"), make_district("lakeside", ("North",))
    user = make_user("everyone@acme.test", admin=True)
    for role, org in (
        (Role.ISSUER_ADMIN, issuer),
        (Role.DESIGNER, issuer),
        (Role.REVIEWER, issuer),
        (Role.CREDIT_OFFICER, district),
    ):
        grant(user, role, org)
    db.session.commit()
    token = auth_for(client, "everyone@acme.test")
    routes = _api_routes_with_a_body(app)
    assert len(routes) >= 12, routes
    read = 0
    for method, path in routes:
        for headers in ({}, token):
            response = client.open(
                path,
                method=method,
                data=DEEP,
                headers={**headers, "Content-Type": "application/json"},
            )
            assert response.status_code != 500, (method, path)
            assert response.is_json, (method, path, response.status_code)
            assert "error" in response.get_json(), (method, path)
            read += response.status_code == 400
    assert read >= 12  # the body was read, and refused as malformed, on most routes
    for path in ("/api/v1/auth/token", "/api/v1/verify"):  # no token needed
        assert client.post(path, data=DEEP, content_type="application/json").status_code == 400
