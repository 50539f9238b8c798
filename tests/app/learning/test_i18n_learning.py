"""The words the learning services build (errors, recommendation reasons, results, step
names, student-name warnings) answer in the reader's language: Spanish for a request that
asks for it, English otherwise.

The Spanish assertions need the catalogue with this slice's strings merged and compiled
(``make translations``, then the ``.mo``); the English ones hold as they are.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.db import db
from app.learning import assessments, plans, research
from tests.app.learning.world import Learning, build_learning
from tests.app.people import PASSWORD, make_user, sign_in

SPANISH = {"Accept-Language": "es"}


@pytest.fixture
def learning(app: Any) -> Learning:
    return build_learning()


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def bearer(client: Any, email: str) -> dict[str, str]:
    made = client.post(
        "/api/v1/auth/token", json={"email": email, "password": PASSWORD, "scopes": ["learning"]}
    )
    assert made.status_code == 201, made.get_json()
    return {"Authorization": f"Bearer {made.get_json()['token']}"}


@pytest.fixture
def ana(learning: Learning) -> dict[str, Any]:
    """A teacher who rated herself 2 of 5 on exit tickets, with a plan and a project."""
    teacher = make_user("ana@school.test", name="Ana")
    assessments.take_self_assessment(
        teacher,
        learning.framework_id,
        [{"competency_id": learning.competencies["Exit tickets"], "level": 2}],
    )
    plan = plans.create_plan(teacher, {"title": "Growth"})
    project = research.create_project(
        teacher, {"title": "Exit tickets", "plan_id": plan.id, "context": "Grade 4."}
    )
    other = plans.create_plan(make_user("cleo@school.test"), {"title": "Cleo's"})
    db.session.commit()
    return {"user": teacher, "plan": plan.id, "project": project.id, "other_plan": other.id}


def test_the_action_research_api_answers_in_spanish(
    learning: Learning, ana: dict[str, Any], client: Any
) -> None:
    token = bearer(client, "ana@school.test")
    refused = client.post(
        "/api/v1/action-research",
        json={"title": "Not mine", "plan_id": ana["other_plan"]},
        headers={**token, **SPANISH},
    )
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["fields"]["plan_id"] == [
        "Elija uno de sus planes de crecimiento (si hace falta, primero cree uno)."
    ]
    assert error["message"].startswith("Elija uno de sus planes de crecimiento")
    unfinished = client.patch(
        f"/api/v1/action-research/{ana['project']}",
        json={"status": "done"},
        headers={**token, **SPANISH},
    )
    assert unfinished.status_code == 409
    assert unfinished.get_json()["error"]["message"] == (
        "Publique al menos un punto de control (lo que hizo y encontró) antes de terminar."
    )
    warned = client.patch(
        f"/api/v1/action-research/{ana['project']}",
        json={"context": "Grade 4; Maria sits in front."},
        headers={**token, **SPANISH},
    )
    assert warned.status_code == 200
    [warning] = warned.get_json()["warnings"]
    assert warning["message"].startswith(
        "Parece que esto puede contener nombres de estudiantes: “Maria”."
    )


def test_the_api_stays_english_without_a_language(
    learning: Learning, ana: dict[str, Any], client: Any
) -> None:
    token = bearer(client, "ana@school.test")
    refused = client.post(
        "/api/v1/action-research",
        json={"title": "Not mine", "plan_id": ana["other_plan"]},
        headers=token,
    )
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"]["plan_id"] == [
        "Choose one of your growth plans (start one first if needed)."
    ]
    suggested = client.get("/api/v1/recommendations", headers=token).get_json()
    reasons = [r for item in suggested["recommendations"] for r in item["reasons"]]
    assert all(isinstance(reason, str) for reason in reasons)  # plain text in JSON
    assert "You rated yourself 2/5 on “Exit tickets”; this credential builds exactly that." in (
        reasons
    )


def test_the_pages_give_reasons_steps_and_changes_in_spanish(
    learning: Learning, ana: dict[str, Any], client: Any
) -> None:
    sign_in(client, ana["user"])
    suggestions = text_of(client.get("/learning", headers=SPANISH))
    assert (
        "Usted se calificó con 2/5 en “Exit tickets”; esta credencial desarrolla justamente eso."
        in suggestions
    )
    project = text_of(client.get(f"/learning/research/{ana['project']}", headers=SPANISH))
    assert "Contexto y estudiantes" in project
    assert "Su plan de cambio" in project
    # A retake one level lower: the results table says so in Spanish.
    assessments.take_self_assessment(
        ana["user"],
        learning.framework_id,
        [{"competency_id": learning.competencies["Exit tickets"], "level": 1}],
    )
    db.session.commit()
    results = text_of(
        client.get(f"/learning/frameworks/{learning.framework_id}/results", headers=SPANISH)
    )
    assert "Bajó 1, desde 2/5" in results
    assert "Sin calificar esta vez" in results  # the competencies she left out


def test_the_pages_stay_english_without_a_language(
    learning: Learning, ana: dict[str, Any], client: Any
) -> None:
    sign_in(client, ana["user"])
    suggestions = text_of(client.get("/learning"))
    assert "You rated yourself 2/5 on “Exit tickets”; this credential builds exactly that." in (
        suggestions
    )
    project = text_of(client.get(f"/learning/research/{ana['project']}"))
    assert "Context and students" in project
