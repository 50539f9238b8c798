"""A credential's and a framework's own content declares the language its designer wrote it in
(WCAG 2.1 SC 3.1.2, language of parts): the designer chooses it (form and API), a published
version keeps it, and every page that shows the content wraps it in ``lang="..."`` while the
page itself stays in the reader's language (``<html lang="...">``)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from app.credentials import service as credentials
from app.db import db
from app.models.credentials import Credential, CredentialVersion
from app.models.learning import Framework
from app.submissions import service as submissions
from tests.app.credentials.body import BODY, body
from tests.app.learning.world import build_learning
from tests.app.people import PASSWORD, sign_in
from tests.app.reviews.world import World, active_review, build, reviewer_of

SPANISH = {"Accept-Language": "es"}


def page_language(html: str) -> str:
    match = re.search(r'<html lang="(\w+)"', html)
    assert match, html[:200]
    return match.group(1)


def wrapped(html: str, language: str, text: str) -> bool:
    """Whether ``text`` starts an element (or a piece of one) marked ``lang=language``."""
    pattern = r'<[a-z0-9]+\b[^>]*\slang="' + language + r'"[^>]*>\s*' + re.escape(str(escape(text)))
    return re.search(pattern, html) is not None


def bearer(client: Any, email: str) -> dict[str, str]:
    made = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert made.status_code == 201, made.get_json()
    return {"Authorization": f"Bearer {made.get_json()['token']}"}


@pytest.fixture
def world(app: Any) -> World:
    return build()


# --- the designer chooses it -------------------------------------------------------------------


def test_the_designer_sets_spanish_on_a_draft_s_details(client: Any, world: World) -> None:
    client.login("designer@acme.test")
    assert client.submit(
        f"/design/{world.credential_id}/new-version", page=f"/design/{world.credential_id}"
    ).status_code in (
        302,
        303,
    )
    form = client.get(f"/design/{world.credential_id}/details").get_data(as_text=True)
    assert "Language of this content" in form
    assert re.search(r'<option[^>]*lang="es"[^>]*>Español</option>', form)
    saved = client.submit(
        f"/design/{world.credential_id}/details",
        {
            "title": "Boletos de salida",
            "language": "es",
            "competency": "El educador usa boletos de salida.",
            "pass_min_level": 2,
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[-1500:]
    db.session.expire_all()
    credential = db.session.get(Credential, world.credential_id)
    assert credential is not None
    assert credential.draft_version is not None
    assert credential.draft_version.language == "es"
    assert credential.published_version is not None
    assert credential.published_version.language == "en"  # frozen: only the draft changed
    again = client.get(f"/design/{world.credential_id}/details").get_data(as_text=True)
    assert re.search(
        r'<option[^>]*selected[^>]*value="es"|<option[^>]*value="es"[^>]*selected', again
    )

    refused = client.submit(
        f"/design/{world.credential_id}/details",
        {"title": "Otro", "language": "fr", "pass_min_level": -1},
    )
    assert refused.status_code == 422
    db.session.expire_all()
    draft = db.session.get(Credential, world.credential_id).draft_version
    assert (draft.language, draft.title) == ("es", "Boletos de salida")

    # A new version starts in the language of the one it copies.
    assert (
        client.submit(
            f"/design/{world.credential_id}/publish", page=f"/design/{world.credential_id}"
        ).status_code
        == 302
    )
    assert client.submit(
        f"/design/{world.credential_id}/new-version", page=f"/design/{world.credential_id}"
    ).status_code in (
        302,
        303,
    )
    db.session.expire_all()
    versions = db.session.get(Credential, world.credential_id).versions
    assert [v.language for v in versions] == ["en", "es", "es"]


def test_the_api_takes_and_shows_the_language(client: Any, world: World) -> None:
    auth = bearer(client, "designer@acme.test")
    made = client.post(
        "/api/v1/credentials",
        json=body(world.issuer.id, slug="boletos", title="Boletos de salida", language="es"),
        headers=auth,
    )
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["language"] == "es"
    published = client.post(f"/api/v1/credentials/{made.get_json()['id']}/publish", headers=auth)
    assert published.status_code == 200, published.get_json()
    shown = client.get(f"/api/v1/credentials/{made.get_json()['id']}").get_json()
    assert shown["language"] == "es"
    listed = client.get("/api/v1/credentials").get_json()["credentials"]
    assert {c["slug"]: c["language"] for c in listed} == {"exit-tickets": "en", "boletos": "es"}

    before = db.session.scalar(select(func.count(CredentialVersion.id)))
    bad = client.post(
        "/api/v1/credentials",
        json=body(world.issuer.id, slug="otra", language="fr"),
        headers=auth,
    )
    assert bad.status_code == 422
    assert "language" in bad.get_json()["error"]["fields"]
    assert db.session.scalar(select(func.count(CredentialVersion.id))) == before


def test_the_service_refuses_an_unknown_language(app: Any) -> None:
    world = build()
    version = db.session.get(Credential, world.credential_id).versions[0]
    version.status = "draft"
    from app.errors import InvalidInput

    with pytest.raises(InvalidInput):
        credentials.set_details(version, {"language": "xx"})


# --- pages mark the content ----------------------------------------------------------------------


def test_an_english_page_marks_spanish_content(client: Any, app: Any) -> None:
    world = build(
        title="Boletos de salida",
        language="es",
        competency="El educador usa boletos de salida para comprobar la comprensión.",
    )
    page = client.get("/catalog/acme/exit-tickets").get_data(as_text=True)
    assert page_language(page) == "en"
    assert wrapped(page, "es", "Boletos de salida")
    assert wrapped(page, "es", "El educador usa boletos de salida")
    assert wrapped(page, "es", BODY["key_method"])
    assert wrapped(page, "es", BODY["prompts"][0]["label"])
    assert wrapped(page, "es", BODY["criteria"][0]["title"])
    assert wrapped(page, "es", "Not yet")  # a rubric level the designer named
    assert "Competency:</strong> <span" in page  # the platform's word stays in the page's language

    catalog = client.get("/catalog").get_data(as_text=True)
    assert page_language(catalog) == "en"
    assert wrapped(catalog, "es", "El educador usa boletos de salida")
    assert wrapped(catalog, "es", "Boletos de salida")

    teacher = world.teacher("maria@school.test")
    db.session.commit()
    submission = submissions.start(teacher, world.credential_id)
    db.session.commit()
    sign_in(client, teacher)
    draft = client.get(f"/submissions/{submission.id}").get_data(as_text=True)
    assert page_language(draft) == "en"
    assert wrapped(draft, "es", BODY["prompts"][0]["label"])
    assert wrapped(draft, "es", "Boletos de salida")


def test_a_spanish_page_marks_english_content(client: Any, world: World) -> None:
    page = client.get("/catalog/acme/exit-tickets", headers=SPANISH).get_data(as_text=True)
    assert page_language(page) == "es"
    assert "Competencia:" in page or "Competency:" in page
    assert wrapped(page, "en", BODY["competency"])
    assert wrapped(page, "en", BODY["title"])
    for prompt in BODY["prompts"]:
        assert wrapped(page, "en", prompt["label"]), prompt["label"]
    assert wrapped(page, "en", BODY["criteria"][0]["title"])


def test_the_review_page_marks_prompts_and_rubric(client: Any, app: Any) -> None:
    world = build(language="es", title="Boletos de salida")
    world.reviewer("rev@acme.test")
    teacher = world.teacher("t@lakeside.test")
    db.session.commit()
    submission = world.submit(teacher)
    review = active_review(submission)
    reviewer = reviewer_of(submission)
    assert review is not None
    assert reviewer is not None
    sign_in(client, reviewer)
    page = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert page_language(page) == "en"
    assert wrapped(page, "es", "Boletos de salida")
    assert wrapped(page, "es", BODY["prompts"][0]["label"])
    assert wrapped(page, "es", BODY["criteria"][0]["title"])
    assert wrapped(page, "es", "Proficient")


# --- frameworks ----------------------------------------------------------------------------------


def test_a_framework_declares_its_language(client: Any, app: Any) -> None:
    learning = build_learning()
    framework_url = f"/learning/frameworks/{learning.framework_id}"

    english = client.get(framework_url, headers=SPANISH).get_data(as_text=True)
    assert page_language(english) == "es"
    assert wrapped(english, "en", "Teaching practice")
    assert wrapped(english, "en", "Exit tickets")
    assert wrapped(english, "en", "Assessment")

    sign_in(client, learning.designer)
    editor = f"/learning/design/{learning.framework_id}"
    assert "Language of this content" in client.get(editor).get_data(as_text=True)
    saved = client.submit(
        f"{editor}/details",
        {
            "details-title": "Práctica docente",
            "details-language": "es",
            "details-description": "Lo que certifican nuestras credenciales.",
            "details-scale": "Nuevo\nConsciente\nProbando\nSeguro\nLíder",
        },
        page=editor,
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)[-1000:]
    refused = client.submit(
        f"{editor}/details",
        {"details-title": "X", "details-language": "de", "details-scale": "a\nb\nc\nd"},
        page=editor,
    )
    assert refused.status_code == 422
    db.session.expire_all()
    framework = db.session.get(Framework, learning.framework_id)
    assert framework is not None
    assert (framework.language, framework.title) == ("es", "Práctica docente")

    client.logout()
    spanish = client.get(framework_url).get_data(as_text=True)
    assert page_language(spanish) == "en"
    assert wrapped(spanish, "es", "Práctica docente")
    assert wrapped(spanish, "es", "Exit tickets")  # the designer's words, whatever they are
    assert re.search(r'<ol lang="es">\s*<li>Nuevo</li>', spanish)  # the comfort scale

    teacher = learning.world.teacher("ana@lakeside.test")
    db.session.commit()
    sign_in(client, teacher)
    rating = client.get(f"{framework_url}/self-assessment").get_data(as_text=True)
    assert wrapped(rating, "es", "Exit tickets")
    assert wrapped(rating, "es", "Seguro")
    quiz = client.get(
        f"/learning/competencies/{learning.competencies['Exit tickets']}/pre-assessment"
    ).get_data(as_text=True)
    assert wrapped(quiz, "es", "Q1")
    assert wrapped(quiz, "es", "First option")


def test_the_frameworks_api_takes_and_shows_the_language(client: Any, app: Any) -> None:
    learning = build_learning()
    made = client.post(
        "/api/v1/auth/token",
        json={
            "email": learning.designer.email,
            "password": PASSWORD,
            "scopes": ["credentials:write"],
        },
    )
    auth = {"Authorization": f"Bearer {made.get_json()['token']}"}
    created = client.post(
        "/api/v1/frameworks",
        json={
            "issuer_id": learning.world.issuer.id,
            "slug": "lectura",
            "title": "Lectura",
            "language": "es",
        },
        headers=auth,
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["language"] == "es"
    url = f"/api/v1/frameworks/{created.get_json()['id']}"
    bad = client.patch(url, json={"language": "klingon"}, headers=auth)
    assert bad.status_code == 422
    assert "language" in bad.get_json()["error"]["fields"]
    assert client.patch(url, json={"title": "Reading"}, headers=auth).get_json()["language"] == "es"
    switched = client.patch(url, json={"language": "en"}, headers=auth)
    assert switched.status_code == 200
    assert switched.get_json()["language"] == "en"
    before = db.session.scalar(select(func.count(Framework.id)))
    refused = client.post(
        "/api/v1/frameworks",
        json={"issuer_id": learning.world.issuer.id, "slug": "x", "title": "X", "language": "fr"},
        headers=auth,
    )
    assert refused.status_code == 422
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Framework.id))) == before


def test_the_choice_reads_in_spanish(client: Any, world: World) -> None:
    """Fails until the lead merges /tmp/notes/es_lang.json into the catalogue."""
    client.login("designer@acme.test")
    client.submit(
        f"/design/{world.credential_id}/new-version", page=f"/design/{world.credential_id}"
    )
    form = client.get(f"/design/{world.credential_id}/details", headers=SPANISH)
    assert "Idioma de este contenido" in form.get_data(as_text=True)
