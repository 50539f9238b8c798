"""Placeholder: the accounts helper replaces this module."""

from app.orgs import bp
from app.security import login_required


@bp.get("/orgs")
@login_required
def index() -> str:
    return "orgs"
