"""Mail goes out in its recipient's language: her saved choice, else the language of the
request that sends it, else English; the subject as well as the body.

These read the Spanish catalogue (app/translations/es), so they need its mail strings."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.db import db
from app.mail import send_mails
from tests.app.people import make_user
from tests.queries import count_statements


def _only(mailbox: Any, address: str) -> tuple[str, str]:
    messages = mailbox.to(address)
    assert len(messages) == 1, [m["Subject"] for m in messages]
    return str(messages[0]["Subject"]), mailbox.body(messages[0]).replace("\r\n", "\n")


def test_one_batch_speaks_each_recipients_language(app: Any, mailbox: Any) -> None:
    ana = make_user("ana@lang.test", name="Ana")
    ana.locale = "es"
    ben = make_user("ben@lang.test", name="Ben")
    cleo = make_user("cleo@lang.test", name="Cleo")
    cleo.locale = "en"
    db.session.commit()

    def reset(user: Any) -> tuple[str, Any, str, dict[str, Any]]:
        # The address as typed may differ in case from the saved one: still her language.
        return (user.email.upper(), _l("Reset your password"), "reset", {"user": user, "link": "L"})

    batch = [reset(ana), reset(ben), reset(cleo)]
    with count_statements(db.engine) as seen:
        send_mails(batch)
    assert seen.count == 1, seen.sql  # one look-up for the whole batch
    db.session.commit()  # mail leaves after the commit

    subject, body = _only(mailbox, "ana@lang.test")
    assert subject == "Restablezca su contraseña"
    assert body.startswith("Hola, Ana:\n")
    assert "Elija una contraseña nueva aquí (el enlace funciona una sola vez" in body
    assert "password" not in body
    for address, name in (("ben@lang.test", "Ben"), ("cleo@lang.test", "Cleo")):
        subject, body = _only(mailbox, address)
        assert subject == "Reset your password"
        assert body.startswith(f"Hello {name},\n\nSomeone (we hope you) asked to reset")
        assert "Choose a new password here (the link works once, for 2 hours):" in body


def test_values_in_a_subject_survive_translation(app: Any, mailbox: Any) -> None:
    ana = make_user("ana@lang.test", name="Ana")
    ana.locale = "es"
    make_user("ben@lang.test", name="Ben")
    db.session.commit()
    context = {"title": "Fractions “in” context", "issuer": "Lakeside", "link": "L"}
    send_mails(
        [
            (address, _l("Your badge: %(title)s", title=context["title"]), "badge_issued", context)
            for address in ("ana@lang.test", "ben@lang.test")
        ]
    )
    db.session.commit()
    subject, body = _only(mailbox, "ana@lang.test")
    assert subject == "Su insignia: Fractions “in” context"
    assert 'Felicidades: Lakeside le ha otorgado la insignia "Fractions “in” context".' in body
    subject, body = _only(mailbox, "ben@lang.test")
    assert subject == "Your badge: Fractions “in” context"
    assert 'Congratulations: Lakeside has awarded you the badge "Fractions “in” context".' in body


def test_her_saved_choice_wins_over_the_browser_that_asks(client: Any, mailbox: Any) -> None:
    ana = make_user("ana@lang.test", name="Ana")
    ana.locale = "es"
    db.session.commit()
    response = client.submit(
        "/auth/reset", {"email": "ana@lang.test"}, headers={"Accept-Language": "en-US"}
    )
    assert response.status_code < 400
    subject, body = _only(mailbox, "ana@lang.test")
    assert subject == "Restablezca su contraseña"
    assert body.startswith("Hola, Ana:")


def test_a_new_address_gets_the_language_of_the_page_that_signed_it_up(
    client: Any, mailbox: Any
) -> None:
    response = client.submit(
        "/auth/signup",
        {"name": "Rosa Maestra", "email": "rosa@lang.test", "password": "long-enough-pw"},
        headers={"Accept-Language": "es-MX,es;q=0.9"},
    )
    assert response.status_code == 200
    subject, body = _only(mailbox, "rosa@lang.test")
    assert subject == "Confirme su dirección de correo electrónico"
    assert body.startswith("Hola, Rosa Maestra:\n\nLe damos la bienvenida a Microcredenciales")
    # An English browser, the same mail in English.
    client.submit(
        "/auth/signup",
        {"name": "Ed Teacher", "email": "ed@lang.test", "password": "long-enough-pw"},
        headers={"Accept-Language": "en-US"},
    )
    subject, body = _only(mailbox, "ed@lang.test")
    assert subject == "Confirm your e-mail address"
    assert body.startswith("Hello Ed Teacher,\n\nWelcome to Micro-credentials for teachers.")


def test_outside_a_request_an_unknown_address_gets_english(app: Any, mailbox: Any) -> None:
    send_mails(
        [
            (
                "stranger@lang.test",
                _l("Join %(district)s for recertification credit", district="Lakeside"),
                "district_invitation",
                {"district": {"name": "Lakeside"}, "days": 7, "link": "L"},
            )
        ]
    )
    db.session.commit()
    subject, body = _only(mailbox, "stranger@lang.test")
    assert subject == "Join Lakeside for recertification credit"
    assert "Join here (the link works for 7 days):" in body
