"""All models, imported here so Alembic sees one metadata."""

from app.models.accounts import ApiToken, User
from app.models.orgs import District, Invitation, Issuer, Role, RoleGrant, School

__all__ = [
    "ApiToken",
    "District",
    "Invitation",
    "Issuer",
    "Role",
    "RoleGrant",
    "School",
    "User",
]
