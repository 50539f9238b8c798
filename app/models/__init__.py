"""All models, imported here so Alembic sees one metadata."""

from app.models.accounts import ApiToken, User
from app.models.credentials import (
    Credential,
    CredentialVersion,
    Criterion,
    Level,
    Prompt,
    VersionStatus,
)
from app.models.orgs import District, Invitation, Issuer, Role, RoleGrant, School

__all__ = [
    "ApiToken",
    "Credential",
    "CredentialVersion",
    "Criterion",
    "District",
    "Invitation",
    "Issuer",
    "Level",
    "Prompt",
    "Role",
    "RoleGrant",
    "School",
    "User",
    "VersionStatus",
]
