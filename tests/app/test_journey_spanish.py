"""The browser journey once in Spanish (issue 19): a chromium whose language is Spanish
(``locale="es-ES"``, so every request says ``Accept-Language: es-ES``) drives the app end to end.

A teacher signs up and gets her confirmation mail in Spanish, confirms, signs in, finds a
credential, drafts an answer and a file, and submits; the reviewer the routing chose scores it
and passes it; the teacher finds her badge dated in Spanish, and the public verifier gives its
verdict in Spanish. Every page says ``<html lang="es">``; the words checked are the templates'
Spanish from the catalogue. The navigation stays on one row at 1280 px for every demo role in
Spanish too (its words are longer). Screenshots land in ``test-artifacts/journey-es/``, with
``english-seen.txt``: lines of the Spanish pages that still look English (most are the
credential's own content, which stays in its designer's language), for a person to read.

The draft page's script words (autosave, word count) come from the page: the test reads them
from its ``#draft-messages`` block, so it holds whether or not their Spanish is merged yet;
``test_the_draft_page_gives_its_script_spanish_words`` checks the Spanish itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from babel.dates import format_date
from sqlalchemy import select

from app.db import db
from tests.app.test_home_browser import NAV_LAYOUT, ROLES
from tests.app.test_journey import (  # noqa: F401 - the journey's fixtures, reused
    CHROMIUM,
    LINK_RE,
    _first_mail,
    create_app_for,
    live_server,
)
from tests.browser import LAPTOP, PASSWORD, SIDEWAYS
from tests.documents import PDF
from tests.servers import SMTPTestServer

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "journey-es"
# Common English words: a line holding one on a Spanish page is worth a person's look (many
# are English by design: the credential's own title, prompts and rubric, the signed badge).
ENGLISH = re.compile(
    r"\b(the|your|you|and|is|are|this|with|for|not|of|to|will|has|have|yet|words?)\b", re.I
)
# Page -> its lines that look English, written to english-seen.txt at the end of the journey.
_SEEN: dict[str, list[str]] = {}
# The navigation's items that start below the first one's bottom edge (wrapped to a new row).
WRAPPED = """() => {
  const items = [...document.querySelectorAll('.site-nav > ul > li')];
  const first = items[0].getBoundingClientRect();
  return items.filter(li => li.getBoundingClientRect().top >= first.bottom)
              .map(li => li.textContent.trim());
}"""


@pytest.fixture
def es_page(live_server: str) -> Iterator[Any]:  # noqa: F811
    """A chromium tab whose browser speaks Spanish."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
        )
        context = browser.new_context(
            base_url=live_server,
            viewport={"width": 1280, "height": 900},
            locale="es-ES",
            timezone_id="UTC",
        )
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        try:
            yield tab
        finally:
            context.close()
            browser.close()


def _spanish(tab: Any, name: str) -> None:
    """The page is in Spanish (``<html lang="es">``): screenshot it and note any line that
    still looks English."""
    tab.wait_for_load_state()
    assert tab.locator("html").get_attribute("lang") == "es", f"{name}: {tab.url} is not Spanish"
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    text = tab.locator("body").inner_text()
    lines = [line.strip() for line in text.splitlines() if ENGLISH.search(line)]
    if lines:
        _SEEN[f"{name} ({tab.url})"] = lines


def _write_seen() -> None:
    report = [
        f"{where}\n" + "\n".join(f"  {line}" for line in lines) for where, lines in _SEEN.items()
    ]
    (ARTIFACTS / "english-seen.txt").write_text("\n\n".join(report) + "\n", encoding="utf-8")


def _sign_in(tab: Any, email: str, password: str = PASSWORD) -> None:
    tab.goto("/auth/login")
    tab.get_by_label("Correo electrónico", exact=True).fill(email)
    tab.get_by_label("Contraseña", exact=True).fill(password)
    tab.get_by_role("button", name="Iniciar sesión", exact=True).click()
    tab.wait_for_load_state()
    assert "/auth/login" not in tab.url, f"{email} could not sign in"


def _sign_out(tab: Any) -> None:
    tab.get_by_role("button", name="Cerrar sesión").click()
    tab.wait_for_load_state()


def _fill(template: str, **values: object) -> str:
    """What draft.js does with a message: each %(name)s replaced by its value."""
    return re.sub(r"%\((\w+)\)s", lambda m: str(values[m.group(1)]), template)


def _prepare(live_server: str) -> None:  # noqa: F811
    """One reviewer decides (no second opinion), as in the English journey."""
    from app.models.credentials import Credential

    app = create_app_for(live_server)
    with app.app_context():
        credential = db.session.scalar(select(Credential).where(Credential.slug == "exit-tickets"))
        assert credential is not None
        credential.published_version.second_opinion_percent = 0
        credential.published_version.second_opinion_first_n = 0
        db.session.commit()
        db.session.remove()


def _reviewer_and_badge(live_server: str, sid: int) -> tuple[str, Any]:  # noqa: F811
    from app.models.assertions import Assertion
    from app.models.reviews import Review

    app = create_app_for(live_server)
    with app.app_context():
        review = db.session.scalar(select(Review).where(Review.submission_id == sid))
        assert review is not None, "the submission has no review"
        assert review.reviewer is not None, "nobody was assigned the review"
        uid = db.session.scalar(select(Assertion.uid).where(Assertion.submission_id == sid))
        email = review.reviewer.email
        db.session.remove()
    return email, uid


@pytest.mark.browser
def test_a_teacher_earns_a_badge_in_spanish(
    es_page: Any,
    live_server: str,  # noqa: F811
    smtp_server: SMTPTestServer,
) -> None:
    tab = es_page
    email = "nueva.docente@journey.test"
    password = "una-contrasena-larga-de-viaje"
    _prepare(live_server)

    # Sign up: the form, the page after it and the mail, all in Spanish.
    tab.goto("/")
    _spanish(tab, "01-inicio")
    assert tab.get_by_role("link", name="Catálogo").first.is_visible()
    tab.get_by_role("link", name="Crear cuenta").first.click()
    _spanish(tab, "02-crear-cuenta")
    tab.get_by_label("Nombre", exact=True).fill("Lucía Fernández")
    tab.get_by_label("Correo electrónico", exact=True).fill(email)
    tab.get_by_label("Contraseña", exact=True).fill(password)
    tab.get_by_role("button", name="Crear cuenta").click()
    _spanish(tab, "03-revise-su-correo")
    assert tab.get_by_role("heading", name="Revise su correo electrónico").is_visible()
    assert f"Enviamos un enlace de confirmación a {email}" in tab.get_by_role("main").inner_text()

    mail = _first_mail(smtp_server, lambda m: email in str(m["To"]).lower(), "to the teacher")
    assert str(mail["Subject"]) == "Confirme su dirección de correo electrónico"
    body = SMTPTestServer.body(mail)
    assert "Hola, Lucía Fernández:" in body
    assert "Le damos la bienvenida a Microcredenciales para docentes" in body
    assert "Si usted no creó una cuenta" in body
    link = LINK_RE.search(body)
    assert link, body

    tab.goto(link.group(0))
    _spanish(tab, "04-confirmada")
    assert tab.get_by_text("su dirección de correo electrónico está confirmada").is_visible()
    _sign_in(tab, email, password)
    _spanish(tab, "05-sesion-iniciada")
    assert tab.get_by_role("button", name="Cerrar sesión").is_visible()

    # The catalog, a credential and its rubric.
    tab.get_by_role("link", name="Catálogo").first.click()
    tab.get_by_label("Buscar credenciales").fill("exit ticket")
    tab.get_by_role("button", name="Buscar", exact=True).click()
    _spanish(tab, "06-catalogo-busqueda")
    tab.get_by_role("main").get_by_role("link", name=re.compile("exit", re.I)).first.click()
    _spanish(tab, "07-credencial")
    assert tab.get_by_role("heading", name="Rúbrica de evidencias").is_visible()
    tab.get_by_role("button", name="Comenzar esta credencial").click()
    _spanish(tab, "08-borrador")
    sid = int(re.search(r"/submissions/(\d+)", tab.url).group(1))
    assert tab.get_by_role("heading", name="Enviar a revisión").is_visible()
    assert (
        tab.locator("#save-status")
        .inner_text()
        .startswith("Las respuestas se guardan mientras escribe.")
    )

    # The draft: answers save as she types (the script's words come from the page), a file.
    said = json.loads(tab.locator("#draft-messages").text_content() or "{}")
    assert "%(time)s" in said["saved"], said
    saved = said["saved"].split("%(time)s")[0]
    for form in tab.locator("form.answer-form").all():
        answer = form.locator("textarea")
        wanted = max(int(answer.get_attribute("data-min-words") or 0), 5)
        with tab.expect_response(lambda r: "/answers/" in r.url and r.request.method == "POST"):
            answer.fill(" ".join(["evidencia"] * wanted))
        tab.locator("#save-status").filter(has_text=saved).wait_for()
        counted = form.locator(".word-count").inner_text()
        assert counted.startswith(_fill(said["words"][1], num=wanted)), counted
    tab.wait_for_load_state("networkidle")
    _spanish(tab, "09-borrador-guardado")
    for form in tab.locator("form.upload-form").all():
        form.locator("input[type=file]").set_input_files(
            {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        form.get_by_role("button", name="Subir").click()
        tab.wait_for_load_state()
    _spanish(tab, "10-borrador-con-archivo")
    assert tab.get_by_role("link", name="plan.pdf").first.is_visible()
    assert tab.get_by_text(re.compile("^Todo está respondido")).is_visible()
    tab.locator("#submit").get_by_role("button", name="Enviar", exact=True).click()
    _spanish(tab, "11-enviada")
    assert tab.get_by_role("button", name="Retirar").is_visible()
    _sign_out(tab)

    # The reviewer the routing chose scores it at the top level: it passes.
    reviewer, _uid = _reviewer_and_badge(live_server, sid)
    _sign_in(tab, reviewer)
    tab.get_by_role("link", name="Mis revisiones").click()
    _spanish(tab, "12-mis-revisiones")
    tab.get_by_role("main").get_by_role("link", name=re.compile("Exit Tickets", re.I)).first.click()
    _spanish(tab, "13-revision")
    assert tab.get_by_role("heading", name="La evidencia").is_visible()
    assert tab.get_by_role("heading", name="Sus calificaciones").is_visible()
    assert "Lucía" not in tab.content()  # the teacher stays anonymous, in Spanish too
    for fieldset in tab.locator("fieldset.criterion").all():
        fieldset.get_by_role("radio").last.check()
        fieldset.locator("textarea").fill("Muy claro.")
    tab.get_by_label("Retroalimentación general para el docente").fill("Un trabajo excelente.")
    tab.get_by_role("button", name="Enviar calificaciones (definitivo)").click()
    _spanish(tab, "14-revision-enviada")
    today = datetime.now(UTC).date()
    main = tab.get_by_role("main").inner_text()
    # Back on her list: "… : Aprobado (9 puntos), 30 nov 2026", Babel's Spanish month.
    assert tab.get_by_role("heading", name="Enviadas recientemente").is_visible()
    medium = format_date(today, "medium", locale="es")
    assert re.search(rf"Exit Tickets[^\n]*: Aprobado \(\d+ puntos\), {re.escape(medium)}", main), (
        main
    )
    _sign_out(tab)

    # The teacher's badge, dated in Spanish.
    _, uid = _reviewer_and_badge(live_server, sid)
    assert uid, "passing did not issue a badge"
    _sign_in(tab, email, password)
    tab.get_by_role("link", name="Mis insignias").first.click()
    _spanish(tab, "15-mis-insignias")
    assert tab.get_by_role("heading", name="Mis insignias", level=1).is_visible()
    badge = tab.locator(f"#badge-{uid}").inner_text()
    assert f"emitida el {format_date(today, 'long', locale='es')}" in badge, (
        badge
    )  # "de noviembre de"

    # Anyone verifies it: the verdict in Spanish.
    _sign_out(tab)
    tab.locator("header nav").get_by_role("link", name="Verificar", exact=True).click()
    tab.get_by_label("URL de la insignia o insignia firmada (JWS)").fill(
        f"{live_server}/ob/assertions/{uid}"
    )
    tab.get_by_role("button", name="Verificar", exact=True).click()
    _spanish(tab, "16-verificada")
    assert tab.get_by_role("heading", name="Válida", exact=True).is_visible()
    summary = "Esta insignia es auténtica, está vigente y no ha sido revocada."
    assert tab.get_by_text(summary).first.is_visible()
    assert tab.get_by_role("heading", name="Cada verificación").is_visible()
    _write_seen()


@pytest.mark.browser
def test_the_navigation_stays_on_one_row_in_spanish(es_page: Any) -> None:
    """Spanish words are longer: every demo role's navigation still fits beside the brand on
    one row at 1280 px (the checks of ``test_home_browser.py`` in English)."""
    tab = es_page
    tab.set_viewport_size(LAPTOP)
    tab.goto("/")
    _spanish(tab, "nav-visitante-1280")
    problems = []
    # A visitor's last item is a button, a few pixels taller: none starts below the first.
    if tab.evaluate(WRAPPED):
        problems.append(f"visitor: the navigation wraps: {tab.evaluate(WRAPPED)}")
    for role, email in ROLES.items():
        _sign_in(tab, email)
        _spanish(tab, f"nav-{role}-1280")
        layout = tab.evaluate(NAV_LAYOUT)
        if layout["rows"] != 1:
            problems.append(f"{role}: the navigation wraps: {layout}")
        if layout["navTop"] >= layout["brandBottom"]:
            problems.append(f"{role}: the navigation fell below the brand: {layout}")
        if tab.evaluate(SIDEWAYS) > 0:
            problems.append(f"{role}: the home scrolls sideways")
        _sign_out(tab)
    assert problems == [], "the Spanish header at 1280 px:\n" + "\n".join(problems)


def test_the_draft_page_gives_its_script_spanish_words(app: Any, client: Any) -> None:
    """The words draft.js shows (autosave, word count, uploads) come from the page, in the
    reader's language. (Spanish once the lead merges this slice's catalogue entries.)"""
    from tests.app.submissions.helpers import published

    cid = published()
    client.login("teacher@school.test")
    started = client.submit(f"/submissions/start/{cid}", page="/catalog/acme/exit-tickets")
    here = started.headers["Location"]

    def messages(language: str) -> dict[str, Any]:
        html = client.get(here, headers={"Accept-Language": language}).get_data(as_text=True)
        found = re.search(
            r'<script type="application/json" id="draft-messages">(.*?)</script>', html
        )
        assert found, "no script messages on the draft page"
        said: dict[str, Any] = json.loads(found.group(1))
        return said

    english = messages("en")
    assert english["saved"] == "Saved at %(time)s."
    assert english["words"] == ["%(num)s word", "%(num)s words"]
    assert english["uploading_percent"] == "Uploading… %(percent)s%"
    spanish = messages("es")
    assert spanish["saving"] == "Guardando…"
    assert spanish["saved"] == "Guardado a las %(time)s."
    assert spanish["words"] == ["%(num)s palabra", "%(num)s palabras"]
    assert spanish["offline"].startswith("Parece que no tiene conexión.")
    assert spanish["uploading_percent"] == "Subiendo… %(percent)s %"
