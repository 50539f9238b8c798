"""API token scopes: every /api/v1 route declares one, a token without it is refused before the
view runs, a scope never grants more than the role, and bad requests for scopes change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, func, inspect, select
from werkzeug.routing.converters import NumberConverter

from app.auth.scopes import SCOPES, route_scopes
from app.auth.tokens import hash_token, issue_token
from app.db import Base, db, utcnow
from app.models.accounts import ApiToken
from app.models.orgs import Role, RoleGrant
from app.models.submissions import Submission
from tests.app.issuance.helpers import passed
from tests.app.people import PASSWORD, grant, make_district, make_issuer, make_user
from tests.app.reviews.world import build

TEACHER = ["account", "badges:read", "evidence:write", "credit:write", "learning", "communities"]

# /api/v1 routes that take no token at all; every other one must declare a scope.
ANONYMOUS = {
    "api.create_token",
    "api.list_credentials",
    "api.get_credential",
    "api.verify_api",
    "api.list_frameworks",
    "api.get_framework",
}

# The scope each route declares (any one of them suffices), pinned so a loosened one is caught.
EXPECTED = {
    "api.me": ("account",),
    "api.tokens": ("account",),
    "api.delete_token": ("account",),
    "api.my_badges": ("badges:read",),
    "api.my_badge_file": ("badges:read",),
    "api.start_submission": ("evidence:write",),
    "api.my_submissions": ("evidence:write",),
    "api.get_submission": ("evidence:write",),
    "api.put_answer": ("evidence:write",),
    "api.upload_file": ("evidence:write",),
    "api.download_file": ("evidence:write",),
    "api.delete_file": ("evidence:write",),
    "api.begin_upload": ("evidence:write",),
    "api.complete_upload": ("evidence:write",),
    "api.submit_submission": ("evidence:write",),
    "api.withdraw_submission": ("evidence:write",),
    "api.new_attempt": ("evidence:write",),
    "api.review_queue": ("review",),
    "api.review_detail": ("review",),
    "api.review_scores": ("review",),
    "api.create_credential": ("credentials:write",),
    "api.publish_credential": ("credentials:write",),
    "api.create_framework": ("credentials:write",),
    "api.update_framework": ("credentials:write",),
    "api.create_domain": ("credentials:write",),
    "api.create_competency": ("credentials:write",),
    "api.update_competency": ("credentials:write",),
    "api.delete_competency": ("credentials:write",),
    "api.create_question": ("credentials:write",),
    "api.publish_framework": ("credentials:write",),
    "api.revoke_assertion": ("badges:revoke",),
    "api.list_districts": ("credit:write", "ledger:read"),
    "api.create_credit_request": ("credit:write",),
    "api.district_ledger": ("ledger:read",),
    "api.district_outside_programs": ("credit:write", "ledger:read"),
    "api.create_outside_program": ("credit:write",),
    "api.get_outside_program": ("credit:write", "ledger:read"),
    "api.update_outside_program": ("credit:write",),
    "api.district_domains": ("ledger:read", "credit:write", "admin"),
    "api.claim_district_domain": ("admin",),
    "api.release_district_domain": ("admin",),
    "api.create_self_assessment": ("learning",),
    "api.my_self_assessments": ("learning",),
    "api.get_pre_assessment": ("learning",),
    "api.create_attempt": ("learning",),
    "api.my_recommendations": ("learning",),
    "api.my_growth_plans": ("learning",),
    "api.create_growth_plan": ("learning",),
    "api.get_growth_plan": ("learning",),
    "api.update_growth_plan": ("learning",),
    "api.create_goal": ("learning",),
    "api.record_goal_progress": ("learning",),
    "api.update_goal": ("learning",),
    "api.delete_goal": ("learning",),
    "api.update_progress_entry": ("learning",),
    "api.delete_progress_entry": ("learning",),
    "api.comment_on_goal": ("learning",),
    "api.invite_plan_coach": ("learning",),
    "api.remove_plan_coach": ("learning",),
    "api.list_communities": ("communities",),
    "api.create_community": ("communities",),
    "api.get_community": ("communities",),
    "api.add_community_member": ("communities",),
    "api.list_community_posts": ("communities",),
    "api.create_community_post": ("communities",),
    "api.create_peer_feedback_request": ("communities",),
    "api.comment_on_peer_feedback": ("communities",),
    "api.list_community_meetings": ("communities",),
    "api.create_community_meeting": ("communities",),
    "api.get_community_meeting": ("communities",),
    "api.put_meeting_attendance": ("communities",),
    "api.create_attendance_credit_request": ("credit:write",),
    "api.list_protocol_runs": ("communities",),
    "api.start_protocol_run": ("communities",),
    "api.get_protocol_run": ("communities",),
    "api.add_protocol_contribution": ("communities",),
    "api.move_protocol_run": ("communities",),
    "api.my_action_research": ("learning",),
    "api.create_action_research": ("learning",),
    "api.get_action_research": ("learning",),
    "api.update_action_research": ("learning",),
    "api.add_action_research_checkpoint": ("learning",),
    "api.post_action_research_entry": ("learning",),
    "api.upload_action_research_file": ("learning",),
    "api.give_action_research_feedback": ("learning",),
    "api.action_research_to_submission": ("learning",),
    "api.my_portfolio": ("account", "badges:read"),
    "api.update_portfolio": ("account",),
    "api.add_portfolio_badge": ("account",),
    "api.remove_portfolio_badge": ("account",),
}


def _api_rules(app: Any) -> list[Any]:
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/")]


def _sample_url(rule: Any) -> str:
    values: dict[str, Any] = {}
    for name in rule.arguments:
        converter = rule._converters.get(name)
        if type(converter).__name__ == "AnyConverter":
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, NumberConverter):
            values[name] = 999999
        else:
            values[name] = "no-such-thing"
    url: str = rule.build(values, append_unknown=False)[1]
    return url


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _ask(client: Any, email: str, **body: Any) -> Any:
    return client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD, **body})


def test_every_api_route_that_takes_a_token_declares_a_scope(app: Any) -> None:
    undeclared, unknown, public = [], [], []
    for rule in _api_rules(app):
        view = app.view_functions[rule.endpoint]
        scopes = route_scopes(view)
        if rule.endpoint in ANONYMOUS:
            assert view.access.kind == "public", rule.endpoint
            assert scopes is None, f"{rule.endpoint} is anonymous yet declares {scopes}"
            continue
        if view.access.kind == "public":
            public.append(rule.endpoint)
        if not scopes:
            undeclared.append(f"{sorted(rule.methods - {'HEAD', 'OPTIONS'})} {rule.rule}")
        elif not set(scopes) <= set(SCOPES):
            unknown.append(rule.endpoint)
    assert undeclared == [], f"/api/v1 routes that take a token but declare no scope: {undeclared}"
    assert public == [], f"public /api/v1 routes missing from ANONYMOUS: {public}"
    assert unknown == []
    declared = {
        r.endpoint: route_scopes(app.view_functions[r.endpoint])
        for r in _api_rules(app)
        if r.endpoint not in ANONYMOUS
    }
    assert declared == EXPECTED


def test_a_token_without_the_routes_scope_is_refused_on_every_route(app: Any, client: Any) -> None:
    # Someone holding every role, so the only thing between them and each route is the scope.
    user = make_user("everything@school.test", admin=True)
    issuer, district = make_issuer("scopes"), make_district("scopesville")
    for role in (Role.DESIGNER, Role.REVIEWER, Role.ISSUER_ADMIN):
        grant(user, role, issuer)
    grant(user, Role.CREDIT_OFFICER, district)
    db.session.commit()
    secrets: dict[frozenset[str], str] = {}

    def secret_for(scopes: list[str]) -> str:
        if frozenset(scopes) not in secrets:
            secrets[frozenset(scopes)] = issue_token(user, "walk", scopes)[1]
            db.session.commit()
        return secrets[frozenset(scopes)]

    failures = []
    for rule in _api_rules(app):
        if rule.endpoint in ANONYMOUS:
            continue
        needed = route_scopes(app.view_functions[rule.endpoint])
        assert needed
        without = secret_for([s for s in SCOPES if s not in needed])
        with_it = secret_for(list(needed))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            refused = client.open(_sample_url(rule), method=method, headers=_bearer(without))
            error = (refused.get_json(silent=True) or {}).get("error", {})
            if refused.status_code != 403 or error.get("code") != "insufficient_scope":
                failures.append(f"{method} {rule.rule} without {needed}: {refused.status_code}")
            elif f"needs the '{needed[0]}'" not in error["message"]:
                failures.append(f"{method} {rule.rule}: {error['message']}")
            passed_gate = client.open(_sample_url(rule), method=method, headers=_bearer(with_it))
            error = (passed_gate.get_json(silent=True) or {}).get("error", {})
            if error.get("code") == "insufficient_scope" or passed_gate.status_code >= 500:
                failures.append(f"{method} {rule.rule} with {needed}: {passed_gate.status_code}")
    assert failures == [], "\n".join(failures)


def test_a_badges_read_token_reads_badges_but_cannot_submit_evidence(app: Any, client: Any) -> None:
    world = build()
    passed(world, "jordan@lake.test")
    made = _ask(client, "jordan@lake.test", name="portfolio", scopes=["badges:read"])
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["scopes"] == ["badges:read"]
    reader = _bearer(made.get_json()["token"])

    badges = client.get("/api/v1/me/badges", headers=reader)
    assert badges.status_code == 200
    [badge] = badges.get_json()["badges"]
    png = client.get(badge["png_url"].removeprefix("http://localhost"), headers=reader)
    assert png.status_code == 200
    assert png.mimetype == "image/png"

    before = db.session.scalar(select(func.count()).select_from(Submission))
    refused = client.post(
        "/api/v1/submissions", json={"credential_id": world.credential_id}, headers=reader
    )
    assert refused.status_code == 403
    error = refused.get_json()["error"]
    assert error["code"] == "insufficient_scope"
    assert "needs the 'evidence:write' scope" in error["message"]
    assert "badges:read" in error["message"]  # what the token does have
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Submission)) == before
    me = client.get("/api/v1/me", headers=reader)
    assert me.status_code == 403
    assert "'account'" in me.get_json()["error"]["message"]


def test_a_token_is_made_with_every_scope_the_roles_allow_unless_it_asks(
    app: Any, client: Any
) -> None:
    teacher = make_user("t@school.test")
    officer = make_user("o@school.test")
    grant(officer, Role.CREDIT_OFFICER, make_district("lakeside"))
    grant(officer, Role.REVIEWER, make_issuer("acme"))
    db.session.commit()
    assert _ask(client, "t@school.test").get_json()["scopes"] == TEACHER
    made = _ask(client, "o@school.test").get_json()
    # credentials:write: a credit officer writes her district's competency frameworks
    assert made["scopes"] == [*TEACHER, "review", "credentials:write", "ledger:read"]
    me = client.get("/api/v1/me", headers=_bearer(made["token"])).get_json()
    assert me["scopes"] == made["scopes"]
    chosen = _ask(client, "o@school.test", scopes=["ledger:read", "account", "ledger:read"])
    assert chosen.get_json()["scopes"] == ["account", "ledger:read"]
    listed = client.get(
        "/api/v1/auth/tokens", headers=_bearer(chosen.get_json()["token"])
    ).get_json()["tokens"]
    assert [t["scopes"] for t in listed] == [made["scopes"], ["account", "ledger:read"]]
    assert db.session.scalar(select(ApiToken.scopes).where(ApiToken.user_id == teacher.id)) == (
        " ".join(TEACHER)
    )


def test_the_role_still_decides_whatever_the_token_holds(app: Any, client: Any) -> None:
    reviewer = make_user("r@school.test")
    held = grant(reviewer, Role.REVIEWER, make_issuer("acme"))
    db.session.commit()
    made = _ask(client, "r@school.test", scopes=["review"])
    assert made.status_code == 201
    bearer = _bearer(made.get_json()["token"])
    assert client.get("/api/v1/reviews", headers=bearer).status_code == 200

    db.session.execute(delete(RoleGrant).where(RoleGrant.id == held.id))
    db.session.commit()
    gone = client.get("/api/v1/reviews", headers=bearer)
    assert gone.status_code == 403
    assert gone.get_json()["error"]["code"] == "forbidden"  # the role's refusal, not the scope's

    # A token holding every scope (as tokens made before scopes do) is still only a teacher's.
    _, secret = issue_token(make_user("old@school.test"), "old")
    db.session.execute(
        Base.metadata.tables[ApiToken.__tablename__]
        .update()
        .where(ApiToken.token_hash == hash_token(secret))
        .values(scopes=" ".join(SCOPES))
    )
    db.session.commit()
    refused = client.post("/api/v1/credentials", json={}, headers=_bearer(secret))
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "forbidden"
    assert client.get("/api/v1/reviews", headers=_bearer(secret)).status_code == 403


@pytest.mark.parametrize(
    ("scopes", "named"),
    [
        (["nope"], "'nope'"),
        (["badges:read", "admin"], "'admin'"),
        (["review"], "'review'"),
        (["badges:read", "ledger:read", "credentials:write"], "'ledger:read', 'credentials:write'"),
        ([], "at least one scope"),
        ([7], "scopes"),
        ("badges:read", "scopes"),
    ],
)
def test_an_unknown_or_disallowed_scope_is_refused_and_makes_no_token(
    app: Any, client: Any, scopes: Any, named: str
) -> None:
    make_user("t@school.test")
    db.session.commit()
    response = _ask(client, "t@school.test", scopes=scopes)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert named in error["message"] + str(error["fields"])
    assert "scopes" in error["fields"]
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_the_account_page_offers_the_allowed_scopes_and_lists_each_tokens(
    app: Any, client: Any
) -> None:
    make_user("t@school.test")
    db.session.commit()
    client.login("t@school.test")
    page = client.get("/account").get_data(as_text=True)
    for name in TEACHER:
        assert f'value="{name}"' in page
    assert 'value="review"' not in page  # a teacher's roles do not allow it

    made = client.submit(
        "/account/tokens",
        {"token-name": "portfolio", "token-scopes": ["badges:read", "credit:write"]},
        page="/account",
    )
    assert made.status_code == 201
    refused = client.submit(
        "/account/tokens",
        {"token-name": "sneaky", "token-scopes": ["badges:read", "review"]},
        page="/account",
    )
    assert refused.status_code == 422
    assert "do not allow the &#39;review&#39; scope" in refused.get_data(as_text=True)
    untouched = client.submit("/account/tokens", {"token-name": "all of it"}, page="/account")
    assert untouched.status_code == 201

    rows = db.session.execute(select(ApiToken.name, ApiToken.scopes).order_by(ApiToken.id)).all()
    assert [tuple(r) for r in rows] == [
        ("portfolio", "badges:read credit:write"),
        ("all of it", " ".join(TEACHER)),
    ]
    listing = client.get("/account").get_data(as_text=True)
    assert "<code>badges:read</code>, <code>credit:write</code>" in listing


def test_the_migration_gives_existing_tokens_every_scope(app: Any, client: Any) -> None:
    import flask_migrate

    owner_id = make_user("t@school.test").id
    db.session.commit()
    db.session.remove()
    flask_migrate.downgrade(revision="f2b8d6e4a1c3")
    try:
        assert "scopes" not in {c["name"] for c in inspect(db.engine).get_columns("api_tokens")}
        table = Base.metadata.tables[ApiToken.__tablename__]
        with db.engine.begin() as conn:
            conn.execute(
                table.insert().values(
                    user_id=owner_id,
                    name="from before",
                    prefix="mct_before",
                    token_hash=hash_token("mct_before-scopes"),
                    created_at=utcnow(),
                )
            )
        flask_migrate.upgrade()
        token = db.session.scalar(select(ApiToken).where(ApiToken.name == "from before"))
        assert token is not None
        assert token.scope_names == [
            "account",
            "badges:read",
            "evidence:write",
            "credit:write",
            "review",
            "credentials:write",
            "badges:revoke",
            "ledger:read",
            "admin",
        ]
        me = client.get("/api/v1/me", headers=_bearer("mct_before-scopes"))
        assert me.status_code == 200
        db.session.remove()
        flask_migrate.downgrade(revision="f2b8d6e4a1c3")
        assert "scopes" not in {c["name"] for c in inspect(db.engine).get_columns("api_tokens")}
    finally:
        db.session.remove()
        flask_migrate.upgrade()
    assert "scopes" in {c["name"] for c in inspect(db.engine).get_columns("api_tokens")}
