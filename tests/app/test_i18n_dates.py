"""Dates, times and numbers are written in the reader's language (Babel's CLDR data), never
with ``strftime``: "Nov 30, 2026" for an English reader, "30 nov 2026" for a Spanish one.

The month and day names come from Babel, not from our catalogue, so these pass before any
Spanish of ours is merged."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from app import i18n
from app.db import db
from app.learning import reminders
from app.models.assertions import Assertion
from app.models.credentials import Credential, CredentialVersion
from app.models.submissions import Submission
from tests.app.people import make_issuer, make_user, sign_in

DAY = date(2026, 11, 30)
MOMENT = datetime(2026, 11, 30, 14, 5, tzinfo=UTC)

ENGLISH = {
    "day": "Nov 30, 2026",
    "long": "November 30, 2026",
    "full": "Monday, November 30, 2026",
    "daytime": "Nov 30, 2026, 14:05",
    "clock": "14:05",
    "monthday": "Nov 30",
    "month": "November 2026",
    "decimals": "1.5",
    "thousands": "1,234.57",
}
SPANISH = {
    "day": "30 nov 2026",
    "long": "30 de noviembre de 2026",
    "full": "lunes, 30 de noviembre de 2026",
    "daytime": "30 nov 2026, 14:05",
    "clock": "14:05",
    "monthday": "30 nov",
    "month": "noviembre de 2026",
    "decimals": "1,5",
    "thousands": "1.234,57",
}


def _written() -> dict[str, str]:
    return {
        "day": i18n.day(DAY),
        "long": i18n.day(DAY, "long"),
        "full": i18n.day(DAY, "full"),
        "daytime": i18n.daytime(MOMENT),
        "clock": i18n.clock(MOMENT),
        "monthday": i18n.monthday(DAY),
        "month": i18n.month(DAY),
        "decimals": i18n.number(Decimal("1.50")),
        "thousands": i18n.number(1234.567),
    }


@pytest.mark.parametrize(("language", "expected"), [("en", ENGLISH), ("es", SPANISH)])
def test_the_functions_write_each_language(app: Any, language: str, expected: Any) -> None:
    with i18n.speaking(language):
        assert _written() == expected


@pytest.mark.parametrize(("language", "expected"), [("en", ENGLISH), ("es", SPANISH)])
def test_the_template_filters_write_each_language(app: Any, language: str, expected: Any) -> None:
    template = app.jinja_env.from_string(
        "{{ d|day }}|{{ d|day('long') }}|{{ d|day('full') }}|{{ m|daytime }}|{{ m|clock }}|"
        "{{ d|monthday }}|{{ d|month }}|{{ x|number }}|{{ y|number }}"
    )  # values as variables: Jinja would fold constants through a filter when compiling
    with app.test_request_context(), i18n.speaking(language):
        written = template.render(d=DAY, m=MOMENT, x=Decimal("1.50"), y=1234.567)
    assert written.split("|") == list(expected.values())


def test_a_time_with_a_zone_is_said_in_utc_and_nothing_is_blank(app: Any) -> None:
    chicago = datetime(2026, 11, 30, 20, 5, tzinfo=timezone(timedelta(hours=-6)))
    with i18n.speaking("en"):
        assert i18n.daytime(chicago) == "Dec 1, 2026, 02:05"
        assert i18n.daytime(MOMENT, "full") == "Monday, November 30, 2026, 14:05"
        assert i18n.day(None) == i18n.daytime(None) == i18n.number(None) == ""
        assert i18n.monthday(None) == i18n.clock(None) == ""


def _version(title: str) -> CredentialVersion:
    issuer = make_issuer(f"i-{uuid.uuid4().hex[:8]}", name="Acme Learning")
    credential = Credential(issuer_id=issuer.id, slug=f"c-{uuid.uuid4().hex[:10]}")
    version = CredentialVersion(
        credential=credential, number=1, status="published", title=title, published_at=MOMENT
    )
    db.session.add_all([credential, version])
    db.session.flush()
    return version


def test_the_badges_page_dates_its_badges_in_the_readers_language(app: Any, client: Any) -> None:
    teacher = make_user("tess@lake.test")
    version = _version("Exit tickets")
    db.session.add(
        Assertion(
            uid=uuid.uuid4().hex,
            issuer_id=version.credential.issuer_id,
            credential_id=version.credential_id,
            version_id=version.id,
            user_id=teacher.id,
            recipient_email=teacher.email,
            salt="s",
            identity="sha256$0",
            issued_on=MOMENT,
            expires=datetime(2029, 6, 1, tzinfo=UTC),
        )
    )
    db.session.commit()
    sign_in(client, teacher)

    english = client.get("/badges").get_data(as_text=True)
    assert "November 30, 2026" in english
    assert "June 1, 2029" in english
    assert "2026-11-30" not in english.replace('datetime="2026-11-30', "")

    spanish = client.get("/badges", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "30 de noviembre de 2026" in spanish
    assert "1 de junio de 2029" in spanish
    assert "November" not in spanish


def test_the_submissions_list_dates_in_the_readers_language(app: Any, client: Any) -> None:
    teacher = make_user("tess@lake.test")
    version = _version("Think-pair-share")
    db.session.add(
        Submission(
            user_id=teacher.id,
            credential_id=version.credential_id,
            version_id=version.id,
            status="submitted",
            created_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
            submitted_at=MOMENT,
        )
    )
    db.session.commit()
    sign_in(client, teacher)

    english = client.get("/submissions").get_data(as_text=True)
    assert ">Nov 2, 2026</time>" in english
    assert ">Nov 30, 2026</time>" in english

    spanish = client.get("/submissions", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert ">2 nov 2026</time>" in spanish
    assert ">30 nov 2026</time>" in spanish


def test_a_reminders_day_is_written_when_the_mail_is_made(app: Any) -> None:
    """The sweep runs in English; the day goes into each mail in its recipient's language."""
    with i18n.speaking("en"):
        when = reminders._day(DAY, today=date(2026, 11, 20))
    with i18n.speaking("es"):
        assert str(when) == "el lunes, 30 de noviembre de 2026"
    with i18n.speaking("en"):
        assert str(when) == "on Monday, November 30, 2026"
