"""Many messages in one job (a bulk issuance's earners): each sent once; one the server
refuses gets a job of its own, and nobody else hears twice."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from app.db import db
from app.mail import send_mails


def _message(to: str) -> tuple[str, str, str, dict[str, Any]]:
    context = {"title": "Exit tickets", "issuer": "Riverbend", "link": "http://localhost/badges"}
    return (to, "Your badge: Exit tickets", "badge_issued", context)


def test_a_batch_sends_each_message_once_after_the_commit(app: Any, mailbox: Any) -> None:
    db.session.execute(text("SELECT 1"))
    send_mails([_message(f"t{n}@district.test") for n in range(5)])
    assert mailbox.messages == []  # nothing before the commit
    db.session.commit()
    for n in range(5):
        sent = mailbox.to(f"t{n}@district.test")
        assert len(sent) == 1
        assert "Exit tickets" in mailbox.body(sent[0])


def test_a_refused_message_is_tried_again_on_its_own(app: Any, mailbox: Any) -> None:
    mailbox.handler.refuse = {"gone@district.test"}
    db.session.execute(text("SELECT 1"))
    send_mails([_message("a@district.test"), _message("gone@district.test")])
    send_mails([_message("b@district.test")])
    db.session.commit()
    assert len(mailbox.to("a@district.test")) == 1
    assert len(mailbox.to("b@district.test")) == 1
    # Refused in the batch, then once more by the job of its own (inline: one try).
    assert mailbox.handler.refused == ["gone@district.test", "gone@district.test"]


def test_a_rolled_back_batch_sends_nothing(app: Any, mailbox: Any) -> None:
    db.session.execute(text("SELECT 1"))
    send_mails([_message("a@district.test"), _message("b@district.test")])
    db.session.rollback()
    db.session.execute(text("SELECT 1"))
    db.session.commit()
    assert mailbox.messages == []


def test_without_smtp_mail_is_printed_readably_in_development(settings: Any, capsys: Any) -> None:
    """make run has no SMTP server: the confirmation link must be copyable from the console
    (plain text, not quoted-printable; the real recipient, not its hash)."""
    from app import create_app
    from app.db import dispose_engines
    from app.mail import build_message, deliver

    local = settings.with_changes(smtp_host="")
    app = create_app(local)
    with app.app_context():
        link = "http://localhost/auth/confirm/" + "x" * 120 + "=="
        deliver(local, build_message(local, "t@school.test", "Confirm", f"Open {link} now."))
        dispose_engines()
    printed = capsys.readouterr().err
    assert "To: t@school.test" in printed
    assert link in printed
