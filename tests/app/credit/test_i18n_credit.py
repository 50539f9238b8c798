"""District credit and outside programs in Spanish: refusals from the credit API, the words a
program's page uses for its credit, and decisions a teacher reads in her own language while the
ledger (the record HR systems read) stays English.

The Spanish assertions pass once this slice's words are in the catalogue
(app/translations/es); the English ones pass either way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.credit import requests
from app.db import db
from app.issuance import documents
from app.issuance import service as issuance
from app.models.credit import CreditRequest, LedgerEntry
from app.programs import service as programs
from tests.app.credit.test_credit import EMAIL, Scene, _badge, _scene
from tests.app.issuance.helpers import passed
from tests.app.submissions.helpers import auth_for

SPANISH = {"Accept-Language": "es"}
BADGE = "https://provider.example.org/badges/small-groups"


def _program(scene: Scene, *, hours: Any, estimate: Any, auto: bool) -> int:
    program = programs.create_program(
        scene.officer,
        scene.district.id,
        {
            "title": "Data-Informed Small Groups",
            "provider": "Northwind Educator Institute",
            "url": "https://northwind.example.org/programs/small-groups",
            "estimated_hours": estimate,
            "badge_class_urls": [BADGE],
            "new_policy": {"hours": hours, "category_id": scene.pedagogy.id, "auto_approve": auto},
        },
    )
    db.session.commit()
    return program.id


def test_a_program_says_one_hour_and_half_hours_in_english(app: Any, client: Any) -> None:
    scene = _scene()
    program = _program(scene, hours=1, estimate="7.5", auto=False)
    page = client.get(f"/catalog/outside-programs/{program}").get_data(as_text=True)
    assert "Counts for 1 hour of Pedagogy in Lakeside District" in page
    assert "About 7.5 hours" in page
    assert "a credit officer approves each request" in page


def test_a_program_says_how_it_counts_for_credit_in_spanish(app: Any, client: Any) -> None:
    """Needs the catalogue with this slice's Spanish."""
    scene = _scene()
    program = _program(scene, hours=10, estimate="7.5", auto=True)
    page = client.get(f"/catalog/outside-programs/{program}", headers=SPANISH)
    text = page.get_data(as_text=True)
    assert "Cuenta por 10 horas de Pedagogy en Lakeside District" in text
    assert "Aproximadamente 7,5 horas" in text
    assert "se aprueba automáticamente una vez que su insignia se verifica" in text


def test_the_credit_api_refuses_in_spanish(app: Any, client: Any) -> None:
    """Needs the catalogue with this slice's Spanish."""
    scene = _scene(auto=True)
    badge = _badge(scene)
    auth = {**auth_for(client, EMAIL), **SPANISH}
    body = {"district_id": scene.district.id, "assertion_id": documents.assertion_url(badge)}
    assert client.post("/api/v1/credit-requests", json=body, headers=auth).status_code == 201

    again = client.post("/api/v1/credit-requests", json=body, headers=auth)
    assert again.status_code == 409
    message = again.get_json()["error"]["message"]
    assert message.startswith("Esta insignia ya se presentó a Lakeside District el ")
    assert "(aprobada); se acredita una sola vez." in message
    assert " de 20" in message  # the day in Spanish, "30 de noviembre de 2026"

    none = client.post(
        "/api/v1/credit-requests", json={"district_id": scene.district.id}, headers=auth
    )
    assert none.status_code == 422
    assert none.get_json()["error"]["fields"]["_schema"] == [
        "Indique exactamente uno de assertion_id, url, jws, image."
    ]

    officer = {**auth_for(client, "officer@lake.test"), **SPANISH}
    ledger = f"/api/v1/districts/{scene.district.id}/ledger"
    bad = client.get(f"{ledger}?since=yesterday", headers=officer)
    assert bad.status_code == 422
    assert bad.get_json()["error"]["message"] == (
        "since es una hora ISO 8601, como 2026-01-31T00:00:00Z."
    )


def test_the_english_refusals_keep_their_words(app: Any, client: Any) -> None:
    scene = _scene(auto=True)
    badge = _badge(scene)
    auth = auth_for(client, EMAIL)
    body = {"district_id": scene.district.id, "assertion_id": documents.assertion_url(badge)}
    client.post("/api/v1/credit-requests", json=body, headers=auth)
    again = client.post("/api/v1/credit-requests", json=body, headers=auth).get_json()
    assert again["error"]["message"].startswith("This badge was already presented to Lakeside")
    assert again["error"]["message"].endswith("(approved); it is credited once.")


def test_a_teacher_reads_decisions_in_her_language_and_the_ledger_stays_english(
    app: Any,
) -> None:
    """Needs the catalogue with this slice's Spanish (the English ledger passes either way)."""
    scene = _scene(auto=True)
    scene.teacher.locale = "es"
    db.session.commit()
    badge = _badge(scene)
    made = requests.request_credit(scene.teacher, scene.district.id, assertion_uid=badge.uid)
    db.session.commit()
    [line] = db.session.scalars(select(LedgerEntry)).all()
    assert line.reason == "Approved by policy."
    assert made.decision_reason == "Aprobada según la política."

    assertion = passed(scene.world, EMAIL)
    second = requests.request_credit(scene.teacher, scene.district.id, assertion_uid=assertion.uid)
    db.session.commit()
    issuance.revoke(scene.world.admin, assertion, "Duplicate award.")
    db.session.commit()
    reversal = db.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "reverse")).one()
    assert reversal.reason == "the issuer revoked the badge (Duplicate award.)"
    reversed_request = db.session.get(CreditRequest, second.id)
    assert reversed_request is not None
    assert reversed_request.decision_reason == (
        "Aprobada según la política. Revertida: el emisor revocó la insignia (Duplicate award.)"
    )
