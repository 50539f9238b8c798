"""All models, imported here so Alembic sees one metadata."""

from app.models.accounts import ApiToken, User
from app.models.assertions import Assertion, BulkIssuance, IssuerKey
from app.models.credentials import (
    Credential,
    CredentialVersion,
    Criterion,
    Level,
    Prompt,
    VersionStatus,
)
from app.models.credit import (
    CreditCategory,
    CreditPolicy,
    CreditRequest,
    DistrictDomain,
    DistrictMembership,
    LedgerEntry,
    MemberInvitation,
    RenewalCycle,
)
from app.models.orgs import District, Invitation, Issuer, Role, RoleGrant, School
from app.models.reviews import (
    Review,
    ReviewerProfile,
    ReviewerQualification,
    ReviewKind,
    ReviewScore,
    ReviewStatus,
)
from app.models.submissions import (
    Answer,
    EvidenceFile,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)

__all__ = [
    "Answer",
    "ApiToken",
    "Assertion",
    "BulkIssuance",
    "Credential",
    "CredentialVersion",
    "CreditCategory",
    "CreditPolicy",
    "CreditRequest",
    "Criterion",
    "District",
    "DistrictDomain",
    "DistrictMembership",
    "EvidenceFile",
    "Invitation",
    "Issuer",
    "IssuerKey",
    "LedgerEntry",
    "Level",
    "MemberInvitation",
    "Prompt",
    "RenewalCycle",
    "Review",
    "ReviewKind",
    "ReviewScore",
    "ReviewStatus",
    "ReviewerProfile",
    "ReviewerQualification",
    "Role",
    "RoleGrant",
    "School",
    "Submission",
    "SubmissionEvent",
    "SubmissionStatus",
    "User",
    "VersionStatus",
]
