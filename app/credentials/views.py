"""Placeholder: the credentials helper replaces this module."""

from app.credentials import bp
from app.models.orgs import Role
from app.security import roles_required


@bp.get("/design")
@roles_required(Role.DESIGNER, Role.ISSUER_ADMIN)
def index() -> str:
    return "design"
