"""Placeholder: the accounts helper replaces this module."""

from app.auth import bp
from app.security import login_required, public


@bp.route("/auth/login", methods=["GET", "POST"])
@public
def login() -> str:
    return "login"


@bp.get("/auth/signup")
@public
def signup() -> str:
    return "signup"


@bp.post("/auth/logout")
@login_required
def logout() -> str:
    return "logout"


@bp.get("/account")
@login_required
def account() -> str:
    return "account"
