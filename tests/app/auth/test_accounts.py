"""Sign-up with e-mail confirmation, sign-in, throttling, reset, change password, CSRF."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from app.db import db
from app.models.accounts import User
from tests.app.people import PASSWORD, make_user
from tests.net import csrf_token_in

LINK = re.compile(r"http://localhost(/auth/(?:confirm|reset)/\S+)")


def _link(mailbox: Any, address: str) -> str:
    messages = mailbox.to(address)
    assert messages, f"no mail to {address}"
    match = LINK.search(mailbox.body(messages[-1]))
    assert match, mailbox.body(messages[-1])
    return match.group(1)


def _count_users() -> int:
    return int(db.session.scalar(select(func.count(User.id))) or 0)


def test_signup_mails_a_confirmation_link_that_confirms(client: Any, mailbox: Any) -> None:
    response = client.submit(
        "/auth/signup",
        {"name": "Ada Teacher", "email": "Ada@School.test", "password": "long-enough-pw"},
    )
    assert response.status_code == 200
    assert "Check your e-mail" in response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "ada@school.test"))
    assert user is not None
    assert not user.is_confirmed
    assert user.password_hash.startswith("$argon2")

    refused = client.submit(
        "/auth/login", {"email": "ada@school.test", "password": "long-enough-pw"}
    )
    assert refused.status_code == 403
    assert "confirm your e-mail" in refused.get_data(as_text=True)

    link = _link(mailbox, "ada@school.test")
    confirmed = client.get(link)
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).is_confirmed
    client.login("ada@school.test", "long-enough-pw")
    assert "Ada Teacher" in client.get("/account").get_data(as_text=True)


def test_signup_refuses_bad_input_and_duplicates(client: Any, mailbox: Any) -> None:
    make_user("taken@school.test")
    db.session.commit()
    before = _count_users()
    short = client.submit(
        "/auth/signup", {"name": "A", "email": "a@school.test", "password": "short"}
    )
    assert short.status_code == 422
    bad = client.submit(
        "/auth/signup", {"name": "A", "email": "not-an-email", "password": "long-enough-pw"}
    )
    assert bad.status_code == 422
    assert _count_users() == before
    assert mailbox.messages == []


def test_common_passwords_and_ones_built_on_the_address_are_refused(
    client: Any, mailbox: Any
) -> None:
    """ASVS 2.1.7: a password from the common-passwords list, in any case, or one that contains
    the account's own e-mail name or name, is refused with a reason; nothing is created."""
    before = _count_users()
    for password, reason in (
        ("password123", "most common"),
        ("QWERTYUIOP", "most common"),
        ("jordan.lee-2026", "e-mail address or your name"),
        ("Jordan Smith!!", "e-mail address or your name"),
    ):
        refused = client.submit(
            "/auth/signup",
            {"name": "Jordan Smith", "email": "jordan.lee@school.test", "password": password},
        )
        assert refused.status_code == 422, password
        assert reason in refused.get_data(as_text=True), password
    assert _count_users() == before
    assert mailbox.messages == []
    make_user("t@school.test")
    db.session.commit()
    client.login("t@school.test")
    common = client.submit(
        "/account/password",
        {"password-current_password": PASSWORD, "password-password": "iloveyou123"},
        page="/account",
    )
    assert common.status_code == 422
    assert "most common" in common.get_data(as_text=True)
    client.logout()
    client.login("t@school.test")  # the old password still works


def _without_csrf(page: str) -> str:
    """A page without its CSRF tokens (signed with a timestamp: two renders a second apart
    differ there and nowhere else)."""
    return re.sub(r'(name="csrf[-_]token"[^>]*(?:content|value)=")[^"]*"', r'\1"', page)


def test_signup_answers_the_same_for_a_registered_address(client: Any, mailbox: Any) -> None:
    """Sign-up never tells who has an account: the same page, and the mail that fits."""
    make_user("taken@school.test")
    db.session.commit()
    before = _count_users()
    fresh = client.submit(
        "/auth/signup", {"name": "A", "email": "new@school.test", "password": "long-enough-pw"}
    )
    dup = client.submit(
        "/auth/signup", {"name": "A", "email": "TAKEN@school.test", "password": "long-enough-pw"}
    )
    assert fresh.status_code == dup.status_code == 200
    page = _without_csrf(dup.get_data(as_text=True))
    assert page == _without_csrf(fresh.get_data(as_text=True)).replace(
        "new@school.test", "taken@school.test"
    )
    assert "already" not in page
    assert _count_users() == before + 1  # only the new address got an account
    told = mailbox.to("taken@school.test")
    assert len(told) == 1
    assert "already have an account" in str(told[0]["Subject"])
    assert "/auth/reset" in mailbox.body(told[0])
    assert "Confirm" in str(mailbox.to("new@school.test")[0]["Subject"])


def test_tampered_confirmation_link_is_a_clear_400(client: Any) -> None:
    response = client.get("/auth/confirm/not-a-real-token")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)


def test_wrong_password_gets_one_generic_message(client: Any) -> None:
    make_user("t@school.test")
    db.session.commit()
    for email in ("t@school.test", "nobody@school.test"):
        response = client.submit("/auth/login", {"email": email, "password": "wrong-password"})
        assert response.status_code == 401
        assert "do not match an account" in response.get_data(as_text=True)


def test_login_is_throttled(client: Any) -> None:
    make_user("t@school.test")
    db.session.commit()
    statuses = [
        client.submit(
            "/auth/login", {"email": "t@school.test", "password": "wrong-password"}
        ).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429
    # Even the right password waits until the window passes.
    right = client.submit("/auth/login", {"email": "t@school.test", "password": PASSWORD})
    assert right.status_code == 429
    assert (
        "Too many" in right.get_data(as_text=True) or "wait" in right.get_data(as_text=True).lower()
    )


def test_login_redirects_only_to_same_site_paths(client: Any) -> None:
    make_user("t@school.test")
    db.session.commit()
    token = client.csrf_token("/auth/login")
    response = client.post(
        "/auth/login?next=https://evil.example/steal",
        data={"email": "t@school.test", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_post_without_csrf_token_is_refused_and_changes_nothing(client: Any, mailbox: Any) -> None:
    response = client.post(
        "/auth/signup", data={"name": "X", "email": "x@school.test", "password": "long-enough-pw"}
    )
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert _count_users() == 0
    assert mailbox.messages == []


def test_password_reset_is_single_use_and_signs_out_other_sessions(
    app: Any, client: Any, mailbox: Any
) -> None:
    make_user("t@school.test")
    db.session.commit()
    other = type(client)(app.test_client())
    other.login("t@school.test")
    assert other.get("/account").status_code == 200

    unknown = client.submit("/auth/reset", {"email": "nobody@school.test"})
    known = client.submit("/auth/reset", {"email": "t@school.test"})
    assert unknown.status_code == known.status_code == 200
    assert len(mailbox.messages) == 1

    link = _link(mailbox, "t@school.test")
    assert client.get(link).status_code == 200
    done = client.submit(link, {"password": "a-brand-new-password"})
    assert done.status_code == 302
    again = client.submit(
        link, {"password": "yet-another-password"}, page=link.replace(link, "/auth/login")
    )
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)

    assert other.get("/account").status_code == 302  # signed out by the change
    client.login("t@school.test", "a-brand-new-password")


def test_change_password_needs_the_current_one(app: Any, client: Any) -> None:
    make_user("t@school.test")
    db.session.commit()
    client.login("t@school.test")
    other = type(client)(app.test_client())
    other.login("t@school.test")
    wrong = client.submit(
        "/account/password",
        {"password-current_password": "wrong-password", "password-password": "another-long-one"},
        page="/account",
    )
    assert wrong.status_code == 422
    assert "current password is not right" in wrong.get_data(as_text=True)
    ok = client.submit(
        "/account/password",
        {"password-current_password": PASSWORD, "password-password": "another-long-one"},
        page="/account",
    )
    assert ok.status_code == 302
    assert client.get("/account").status_code == 200  # this session stays signed in
    assert other.get("/account").status_code == 302  # the other one is signed out


def test_logout_ends_the_session(client: Any) -> None:
    make_user("t@school.test")
    db.session.commit()
    client.login("t@school.test")
    assert client.logout().status_code == 302
    assert client.get("/account").status_code == 302


def test_a_copied_session_cookie_is_worthless_after_sign_out(app: Any, client: Any) -> None:
    """Sessions are signed cookies: signing out ends every session of the account, so a copy
    taken before (from another device, a proxy log, a shared computer) signs nobody in."""
    make_user("t@school.test")
    db.session.commit()
    client.login("t@school.test")
    cookie = client.http.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    assert thief.get("/account").status_code == 200  # the copy works while signed in
    assert client.logout().status_code == 302
    assert thief.get("/account").status_code == 302  # and not after signing out


def _login_from(client: Any, address: str, email: str, password: str) -> Any:
    page = client.http.get("/auth/login", environ_base={"REMOTE_ADDR": address})
    token = csrf_token_in(page.get_data(as_text=True))
    return client.http.post(
        "/auth/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def _token_from(client: Any, address: str, email: str, password: str) -> Any:
    return client.http.post(
        "/api/v1/auth/token",
        json={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_guessing_slows_down_per_account_and_address_across_web_and_api(
    app: Any, client: Any, mailbox: Any
) -> None:
    make_user("t@school.test")
    db.session.commit()
    guesser, teacher = "203.0.113.9", "198.51.100.7"
    for _ in range(3):
        assert _login_from(client, guesser, "t@school.test", "wrong-guess").status_code == 401
    for _ in range(2):
        assert _token_from(client, guesser, "t@school.test", "wrong-guess").status_code == 401
    # Five failures from that address, by either door: its next try, by either, must wait,
    # even with the right password.
    slowed = _login_from(client, guesser, "t@school.test", PASSWORD)
    assert slowed.status_code == 429
    assert "Wait" in slowed.get_data(as_text=True)
    api = _token_from(client, guesser, "t@school.test", PASSWORD)
    assert api.status_code == 429
    assert "Too many wrong passwords" in api.get_json()["error"]["message"]
    # The teacher, from her own address, is not locked out.
    assert _login_from(client, teacher, "t@school.test", PASSWORD).status_code == 302
    assert mailbox.to("t@school.test") == []  # five failures are no alarm


def test_the_owner_is_told_once_when_many_addresses_guess(
    app: Any, client: Any, mailbox: Any
) -> None:
    make_user("t@school.test")
    db.session.commit()
    for n in range(4):
        for _ in range(5):
            _token_from(client, f"203.0.113.{n + 1}", "t@school.test", "wrong-guess")
    told = mailbox.to("t@school.test")
    assert len(told) == 1
    assert "trying passwords" in str(told[0]["Subject"])
    assert "/auth/reset" in mailbox.body(told[0])


def test_a_demo_tour_of_six_accounts_from_one_address_is_not_throttled(client: Any) -> None:
    for n in range(6):
        make_user(f"role{n}@demo.test")
    db.session.commit()
    for n in range(6):
        assert _login_from(client, "192.0.2.10", f"role{n}@demo.test", PASSWORD).status_code == 302
        client.http.post("/auth/logout", data={}, environ_base={"REMOTE_ADDR": "192.0.2.10"})
        client.http.delete_cookie("session")
