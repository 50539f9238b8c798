"""The designer's framework API (a ``credentials:write`` token): an issuer's designers and a
district's credit officers build a draft, edit it, add domains, competencies and questions,
and publish it; anyone else gets 404 and changes nothing; bad bodies are 422 and store
nothing; a rated competency cannot be deleted (409); drafts show only to their designers."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from app.db import db
from app.learning import assessments
from app.models.learning import Competency, Domain, Framework, Question
from app.models.orgs import Role
from tests.app.learning.world import SCALE, Learning, build_learning, publish_credential
from tests.app.people import PASSWORD, grant, make_issuer, make_user
from tests.app.reviews.world import World


@pytest.fixture
def learning(app: Any) -> Learning:
    return build_learning()


def bearer(client: Any, email: str, scopes: list[str] | None = None) -> dict[str, str]:
    body: dict[str, Any] = {"email": email, "password": PASSWORD}
    if scopes is not None:
        body["scopes"] = scopes
    made = client.post("/api/v1/auth/token", json=body)
    assert made.status_code == 201, made.get_json()
    return {"Authorization": f"Bearer {made.get_json()['token']}"}


def count(model: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_a_designer_builds_edits_and_publishes_a_framework(learning: Learning, client: Any) -> None:
    designer = bearer(client, learning.designer.email, ["credentials:write"])
    made = client.post(
        "/api/v1/frameworks",
        json={"issuer_id": learning.world.issuer.id, "slug": "reading", "title": "Reading"},
        headers=designer,
    )
    assert made.status_code == 201, made.get_json()
    draft = made.get_json()
    assert draft["status"] == "draft"
    assert draft["owner"] == {
        "kind": "issuer",
        "id": learning.world.issuer.id,
        "slug": learning.world.issuer.slug,
        "name": learning.world.issuer.name,
    }
    assert draft["district"] is None
    assert len(draft["scale"]) == 5  # the default scale
    assert draft["publish_problems"] == ["Add at least one domain."]
    url = f"/api/v1/frameworks/{draft['id']}"

    patched = client.patch(
        url, json={"title": "Reading instruction", "scale": SCALE[:4]}, headers=designer
    )
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["title"] == "Reading instruction"
    assert [s["descriptor"] for s in patched.get_json()["scale"]] == SCALE[:4]
    assert patched.get_json()["slug"] == "reading"

    domain = client.post(f"{url}/domains", json={"title": "Phonics"}, headers=designer)
    assert domain.status_code == 201, domain.get_json()
    domain_id = domain.get_json()["id"]
    competency = client.post(
        f"/api/v1/domains/{domain_id}/competencies",
        json={"title": "Decoding", "credential_ids": [learning.credentials["small-groups"]]},
        headers=designer,
    )
    assert competency.status_code == 201, competency.get_json()
    competency_id = competency.get_json()["id"]
    assert competency.get_json()["credential_ids"] == [learning.credentials["small-groups"]]
    renamed = client.patch(
        f"/api/v1/competencies/{competency_id}",
        json={"description": "Blending sounds into words."},
        headers=designer,
    )
    assert renamed.status_code == 200
    assert renamed.get_json()["title"] == "Decoding"  # left out: kept
    assert renamed.get_json()["credential_ids"] == [learning.credentials["small-groups"]]
    question = client.post(
        f"/api/v1/competencies/{competency_id}/questions",
        json={"kind": "choice", "prompt": "Which?", "options": ["a", "b", "c"], "correct": 2},
        headers=designer,
    )
    assert question.status_code == 201, question.get_json()
    assert question.get_json()["correct"] == 2
    short = client.post(
        f"/api/v1/competencies/{competency_id}/questions",
        json={"kind": "short", "prompt": "When did it work?"},
        headers=designer,
    )
    assert short.status_code == 201

    # a draft shows to its designer's credentials:write token, to nobody else
    assert client.get(url, headers=designer).get_json()["status"] == "draft"
    assert client.get(url).status_code == 404
    teacher = make_user("t@school.test")
    db.session.commit()
    assert client.get(url, headers=bearer(client, teacher.email)).status_code == 404
    learning_only = bearer(client, learning.designer.email, ["learning"])
    assert client.get(url, headers=learning_only).status_code == 404
    listed = client.get("/api/v1/frameworks", headers=designer).get_json()
    assert {f["title"]: f["status"] for f in listed["frameworks"]} == {
        "Reading instruction": "draft",
        "Teaching practice": "published",
    }
    assert [f["title"] for f in client.get("/api/v1/frameworks").get_json()["frameworks"]] == [
        "Teaching practice"
    ]
    assert client.get("/api/v1/frameworks", headers=learning_only).get_json()["total"] == 1

    published = client.post(f"{url}/publish", headers=designer)
    assert published.status_code == 200, published.get_json()
    assert published.get_json()["status"] == "published"
    assert published.get_json()["publish_problems"] == []
    assert client.post(f"{url}/publish", headers=designer).status_code == 409
    public = client.get(url).get_json()
    assert public["domains"][0]["competencies"][0]["questions"] == 2
    assert "correct" not in str(public)


def test_publishing_an_incomplete_draft_is_refused_with_what_is_missing(
    learning: Learning, client: Any
) -> None:
    designer = bearer(client, learning.designer.email, ["credentials:write"])
    draft = client.post(
        "/api/v1/frameworks",
        json={"issuer_id": learning.world.issuer.id, "slug": "empty", "title": "Empty"},
        headers=designer,
    ).get_json()
    client.post(f"/api/v1/frameworks/{draft['id']}/domains", json={"title": "D"}, headers=designer)
    refused = client.post(f"/api/v1/frameworks/{draft['id']}/publish", headers=designer)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"]["publish"] == [
        "Domain “D” needs at least one competency.",
        "Link at least one competency to a credential that certifies it.",
    ]
    db.session.expire_all()
    assert db.session.get(Framework, draft["id"]).is_published is False


def test_a_districts_officer_builds_one_linking_any_issuers_credentials(
    learning: Learning, client: Any
) -> None:
    district = learning.world.district
    officer = make_user("officer@lakeside.test")
    grant(officer, Role.CREDIT_OFFICER, district)
    harbor = make_issuer("harbor", "Harbor Institute")
    harbor_designer = make_user("designer@harbor.test")
    grant(harbor_designer, Role.DESIGNER, harbor)
    harbor_world = World(harbor, district, learning.world.other_district, harbor_designer, 0)
    harbor_credential = publish_credential(harbor_designer, harbor_world, "circles", "Circles")
    db.session.commit()
    # her roles allow the scope: a token asking for none gets it
    issued = client.post(
        "/api/v1/auth/token", json={"email": officer.email, "password": PASSWORD}
    ).get_json()
    assert "credentials:write" in issued["scopes"]
    token = {"Authorization": f"Bearer {issued['token']}"}

    made = client.post(
        "/api/v1/frameworks",
        json={"district_id": district.id, "slug": "priorities", "title": "Priorities"},
        headers=token,
    )
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["owner"]["kind"] == "district"
    assert made.get_json()["issuer"] is None
    framework_id = made.get_json()["id"]
    domain_id = client.post(
        f"/api/v1/frameworks/{framework_id}/domains", json={"title": "Belonging"}, headers=token
    ).get_json()["id"]
    linked = client.post(
        f"/api/v1/domains/{domain_id}/competencies",
        json={
            "title": "Circles",
            "credential_ids": [harbor_credential, learning.credentials["exit-tickets"]],
        },
        headers=token,
    )
    assert linked.status_code == 201, linked.get_json()
    assert sorted(linked.get_json()["credential_ids"]) == sorted(
        [harbor_credential, learning.credentials["exit-tickets"]]
    )
    published = client.post(f"/api/v1/frameworks/{framework_id}/publish", headers=token)
    assert published.status_code == 200, published.get_json()
    assert published.get_json()["status"] == "published"

    # an issuer's framework still links only its own credentials
    designer = bearer(client, learning.designer.email, ["credentials:write"])
    refused = client.post(
        f"/api/v1/domains/{learning.framework.domains[0].id}/competencies",
        json={"title": "Circles", "credential_ids": [harbor_credential]},
        headers=designer,
    )
    assert refused.status_code == 422
    assert "credentials" in refused.get_json()["error"]["fields"]

    # owners she does not design for are not found
    for owner in (
        {"issuer_id": learning.world.issuer.id},
        {"district_id": learning.world.other_district.id},
        {"district_id": 999999},
    ):
        other = client.post(
            "/api/v1/frameworks", json={**owner, "slug": "x", "title": "X"}, headers=token
        )
        assert other.status_code == 404, owner
    assert (
        client.post(
            "/api/v1/frameworks",
            json={"district_id": district.id, "slug": "y", "title": "Y"},
            headers=designer,
        ).status_code
        == 404
    )
    assert count(Framework) == 2


def test_others_get_not_found_and_change_nothing(learning: Learning, client: Any) -> None:
    stranger = make_user("designer@other.test")
    grant(stranger, Role.DESIGNER, make_issuer("other"))
    officer = make_user("officer@lakeside.test")
    grant(officer, Role.CREDIT_OFFICER, learning.world.district)
    db.session.commit()
    framework = learning.framework
    domain_id = framework.domains[0].id
    competency_id = learning.competencies["Exit tickets"]
    calls = [
        ("patch", f"/api/v1/frameworks/{framework.id}", {"title": "Hijacked"}),
        ("post", f"/api/v1/frameworks/{framework.id}/domains", {"title": "Hijacked"}),
        ("post", f"/api/v1/domains/{domain_id}/competencies", {"title": "Hijacked"}),
        ("patch", f"/api/v1/competencies/{competency_id}", {"title": "Hijacked"}),
        ("delete", f"/api/v1/competencies/{competency_id}", None),
        (
            "post",
            f"/api/v1/competencies/{competency_id}/questions",
            {"kind": "short", "prompt": "Hijacked"},
        ),
        ("post", f"/api/v1/frameworks/{framework.id}/publish", None),
        ("patch", "/api/v1/frameworks/999999", {"title": "Nothing"}),
    ]
    before = (count(Domain), count(Competency), count(Question))
    for user in (stranger, officer):
        token = bearer(client, user.email, ["credentials:write"])
        for method, url, body in calls:
            answer = getattr(client, method)(url, json=body, headers=token)
            assert answer.status_code == 404, (user.email, method, url, answer.get_json())
    assert (count(Domain), count(Competency), count(Question)) == before
    db.session.expire_all()
    assert learning.framework.title == "Teaching practice"
    assert db.session.get(Competency, competency_id).title == "Exit tickets"

    # a teacher cannot even hold the scope
    make_user("t@school.test")
    db.session.commit()
    teacher = bearer(client, "t@school.test")
    refused = client.post(
        "/api/v1/frameworks",
        json={"issuer_id": learning.world.issuer.id, "slug": "x", "title": "X"},
        headers=teacher,
    )
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "insufficient_scope"


FRAMEWORKS = "/api/v1/frameworks"
FRAMEWORK = "/api/v1/frameworks/{framework}"
QUESTIONS = "/api/v1/competencies/{competency}/questions"
COMPETENCIES = "/api/v1/domains/{domain}/competencies"


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", FRAMEWORKS, {"slug": "x", "title": "X"}, "owner"),
        ("post", FRAMEWORKS, {"issuer_id": 0, "district_id": 1, "slug": "x"}, "title"),
        ("post", FRAMEWORKS, {"issuer_id": "1", "slug": "x", "title": "X"}, "issuer_id"),
        ("post", FRAMEWORKS, {"issuer": True, "slug": "Not A Slug", "title": "X"}, "slug"),
        ("post", FRAMEWORKS, {"issuer": True, "slug": "x", "title": "X", "scale": ["a"]}, "scale"),
        ("post", FRAMEWORKS, {"issuer": True, "slug": "practice", "title": "X"}, "slug"),
        ("patch", FRAMEWORK, {"title": ""}, "title"),
        ("patch", FRAMEWORK, {"scale": SCALE[:4]}, None),  # 409: rated on five levels
        ("post", FRAMEWORK + "/domains", {"description": "no title"}, "title"),
        ("post", COMPETENCIES, {"title": "C", "credential_ids": "1"}, "credential_ids"),
        ("post", COMPETENCIES, {"title": "C", "credential_ids": [999999]}, "credentials"),
        ("patch", "/api/v1/competencies/{competency}", {"credential_ids": [True]}, None),
        ("post", QUESTIONS, {"kind": "essay", "prompt": "P"}, "kind"),
        ("post", QUESTIONS, {"kind": "choice", "prompt": "P", "options": ["one"]}, "options"),
        (
            "post",
            QUESTIONS,
            {"kind": "choice", "prompt": "P", "options": ["a", "b"], "correct": 2},
            "correct",
        ),
    ],
)
def test_bad_bodies_are_refused_and_store_nothing(
    learning: Learning,
    client: Any,
    method: str,
    path: str,
    body: dict[str, Any],
    field: str | None,
) -> None:
    teacher = make_user("t@school.test")
    competency_id = learning.competencies["Exit tickets"]
    assessments.take_self_assessment(
        teacher, learning.framework_id, [{"competency_id": competency_id, "level": 2}]
    )
    db.session.commit()
    token = bearer(client, learning.designer.email, ["credentials:write"])
    ids = {
        "framework": learning.framework_id,
        "domain": learning.framework.domains[0].id,
        "competency": competency_id,
    }
    if body.pop("issuer", False):
        body = {**body, "issuer_id": learning.world.issuer.id}
    before = (count(Framework), count(Domain), count(Competency), count(Question))
    answer = getattr(client, method)(path.format(**ids), json=body, headers=token)
    assert answer.status_code in (409, 422), answer.get_json()
    if field is not None:
        assert field in answer.get_json()["error"]["fields"], answer.get_json()
    assert (count(Framework), count(Domain), count(Competency), count(Question)) == before
    db.session.expire_all()
    assert learning.framework.title == "Teaching practice"
    assert learning.framework.scale_max == 5
    assert [c.id for c in db.session.get(Competency, competency_id).credentials] == [
        learning.credentials["exit-tickets"]
    ]


def test_a_rated_competency_cannot_be_deleted_an_unrated_one_can(
    learning: Learning, client: Any
) -> None:
    teacher = make_user("t@school.test")
    rated = learning.competencies["Morning meeting"]
    assessments.take_self_assessment(
        teacher, learning.framework_id, [{"competency_id": rated, "level": 3}]
    )
    db.session.commit()
    token = bearer(client, learning.designer.email, ["credentials:write"])
    refused = client.delete(f"/api/v1/competencies/{rated}", headers=token)
    assert refused.status_code == 409
    assert "rated" in refused.get_json()["error"]["message"]
    assert db.session.get(Competency, rated) is not None
    unrated = learning.competencies["Small-group instruction"]
    assert client.delete(f"/api/v1/competencies/{unrated}", headers=token).status_code == 204
    db.session.expire_all()
    assert db.session.get(Competency, unrated) is None
    assert client.delete(f"/api/v1/competencies/{unrated}", headers=token).status_code == 404
