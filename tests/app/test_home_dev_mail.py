"""The development mail outbox at /dev/mail: every message sent, decoded, links clickable; no
such page outside development."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from app import create_app
from app.config import Settings
from app.mail import OUTBOX_KEEP, build_message, keep_in_outbox, outbox

CONFIRM_LINK = re.compile(r'<a href="(http://localhost/auth/confirm/[^"]+)">\1</a>')


def test_there_is_no_outbox_outside_development(client: Any) -> None:
    response = client.get("/dev/mail")
    assert response.status_code == 404
    assert "There is no such page." in response.get_data(as_text=True)


@pytest.mark.parametrize("env", ["testing", "production"])
def test_mail_is_kept_only_in_development(settings: Settings, env: str) -> None:
    other = settings.with_changes(env=env)
    keep_in_outbox(other, build_message(other, "t@school.test", "Hello", "Hi"))
    assert not (other.instance_path / "dev-mail").exists()
    assert outbox(other) == []


@pytest.fixture
def development(settings: Settings) -> Settings:
    return settings.with_changes(env="development")


def test_the_outbox_lists_a_sign_up_mail_with_its_confirm_link(
    development: Settings, mailbox: Any
) -> None:
    from app.db import db, dispose_engines
    from tests.conftest import Client, FreshContextClient
    from tests.database import empty_tables

    app = create_app(development)
    app.test_client_class = FreshContextClient
    client = Client(app.test_client())
    with app.app_context():
        try:
            made = client.submit(
                "/auth/signup",
                {
                    "name": "Jordan Rivera",
                    "email": "jordan@school.test",
                    "password": "a-long-enough-password",
                },
            )
            assert made.status_code == 200, made.get_data(as_text=True)[:300]
            page = client.get("/dev/mail")
            html = page.get_data(as_text=True)
        finally:
            db.session.remove()
            empty_tables()
            dispose_engines()

    assert page.status_code == 200
    assert "Mail outbox" in html
    assert "jordan@school.test" in html
    assert "Confirm" in html  # the subject
    link = CONFIRM_LINK.search(html)
    assert link, html
    # The very link the teacher received (decoded, not quoted-printable).
    received = mailbox.body(mailbox.to("jordan@school.test")[0])
    assert link.group(1) in received
    assert "=3D" not in html


def test_the_outbox_keeps_the_latest_messages_newest_first(development: Settings) -> None:
    for number in range(OUTBOX_KEEP + 3):
        keep_in_outbox(
            development,
            build_message(development, "t@school.test", f"Message {number}", "Body ü"),
        )
    kept = outbox(development)
    assert len(kept) == OUTBOX_KEEP
    assert kept[0].subject == f"Message {OUTBOX_KEEP + 2}"
    assert kept[-1].subject == "Message 3"
    assert kept[0].text.strip() == "Body ü"
    assert len(list(Path(development.instance_path, "dev-mail").glob("*.eml"))) == OUTBOX_KEEP
