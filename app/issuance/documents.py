"""Models -> Open Badges 2.0 documents. Every id is made from PUBLIC_BASE_URL here, and every
document is built by ``badges.objects``, where the Open Badges rules live."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from app.catalog.pages import passing_rule
from app.i18n import speaking
from app.links import public_url
from app.models.assertions import Assertion, IssuerKey
from app.models.credentials import CredentialVersion
from app.models.orgs import Issuer
from badges import objects


def issuer_url(issuer: Issuer) -> str:
    return public_url("ob.issuer", slug=issuer.slug)


class KeyId(Protocol):
    """What a key's address is made of: an IssuerKey, or anything carrying its kid."""

    kid: str


def key_url(key: KeyId) -> str:
    return public_url("ob.key", kid=key.kid)


def revocations_url(issuer: Issuer) -> str:
    return public_url("ob.revocations", slug=issuer.slug)


def badge_class_url(version: CredentialVersion) -> str:
    return public_url("ob.badge_class", version_id=version.id)


class AssertionFields(Protocol):
    """What an assertion document is made of: an Assertion, or a row of just these columns."""

    uid: str
    version_id: int
    salt: str
    identity: str
    issued_on: datetime
    expires: datetime | None
    evidence_url: str | None
    evidence_narrative: str
    revocation_reason: str


def assertion_url(assertion: AssertionFields) -> str:
    return public_url("ob.assertion", uid=assertion.uid)


def evidence_url(assertion: Assertion) -> str:
    return public_url("ob.evidence", uid=assertion.uid)


def public_page_url(assertion: Assertion) -> str:
    return public_url("issuance.public_badge", uid=assertion.uid)


def profile(issuer: Issuer, key: KeyId | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": issuer_url(issuer),
        "name": issuer.name,
        "url": issuer.url,
        "email": issuer.email,
        "description": issuer.description,
        "revocationList": revocations_url(issuer),
    }
    if key is not None:
        data["publicKey"] = key_url(key)
    return objects.profile(data)


def criteria_narrative(version: CredentialVersion) -> str:
    """The rubric as Markdown: what the earner showed, and how it was judged.

    Always in English, whatever the request's language: it goes into the signed badge, which
    every request and every verifier must see the same (the passing rule is the catalog's
    sentence, translated for pages, so it is built here in English)."""
    with speaking("en"):
        lines = [f"**Competency:** {version.competency}".strip(), ""]
        if version.key_method:
            lines += [f"**Key method:** {version.key_method}", ""]
        lines.append("The earner submitted classroom evidence, judged against this rubric:")
        lines.append("")
        for criterion in version.criteria:
            levels = ", ".join(level.name for level in criterion.levels)
            lines.append(f"- **{criterion.title}**: {criterion.description} ({levels})".rstrip())
        lines += ["", passing_rule(version, [], version.max_total)]
        return "\n".join(lines).strip()


def badge_class(version: CredentialVersion) -> dict[str, Any]:
    credential = version.credential
    alignments = [
        {
            "targetName": a.get("name") or a.get("code") or a.get("framework"),
            "targetUrl": a.get("url"),
            "targetFramework": a.get("framework"),
            "targetCode": a.get("code"),
        }
        for a in version.alignments or []
        if a.get("url") and (a.get("name") or a.get("code") or a.get("framework"))
    ]
    return objects.badge_class(
        {
            "id": badge_class_url(version),
            "name": version.title,
            "description": version.competency or version.title,
            "image": public_url("ob.badge_image", version_id=version.id),
            "criteria": {
                "id": public_url(
                    "catalog.credential",
                    issuer_slug=credential.issuer.slug,
                    credential_slug=credential.slug,
                ),
                "narrative": criteria_narrative(version),
            },
            "issuer": issuer_url(credential.issuer),
            "alignment": alignments,
            "tags": list(version.tags or []),
        }
    )


def assertion(item: AssertionFields, *, signed_by: str | None = None) -> dict[str, Any]:
    """The hosted assertion, or (``signed_by`` a key URL) the payload the JWS signs."""
    data: dict[str, Any] = {
        "id": assertion_url(item),
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": item.salt,
            "identity": item.identity,
        },
        "badge": public_url("ob.badge_class", version_id=item.version_id),
        "verification": (
            {"type": "SignedBadge", "creator": signed_by} if signed_by else {"type": "HostedBadge"}
        ),
        "issuedOn": item.issued_on,
        "expires": item.expires,
    }
    if item.evidence_url or item.evidence_narrative:
        evidence: dict[str, Any] = {}
        if item.evidence_url:
            evidence["id"] = item.evidence_url
        if item.evidence_narrative:
            evidence["narrative"] = item.evidence_narrative
        data["evidence"] = [evidence]
    return objects.assertion(data)


def revoked_assertion(item: AssertionFields) -> dict[str, Any]:
    """What a revoked hosted assertion answers (with 410 Gone)."""
    return {
        "@context": objects.CONTEXT,
        "type": "Assertion",
        "id": assertion_url(item),
        "revoked": True,
        "revocationReason": item.revocation_reason or "Revoked by the issuer.",
    }


def key_document(key: IssuerKey) -> dict[str, Any]:
    return objects.cryptographic_key(key_url(key), issuer_url(key.issuer), key.public_pem)


def revocation_list(issuer: Issuer, revoked: list[Any]) -> dict[str, Any]:
    """``revoked``: assertions, or rows with their ``uid`` and ``revocation_reason``."""
    return objects.revocation_list(
        revocations_url(issuer),
        issuer_url(issuer),
        [(assertion_url(a), a.revocation_reason) for a in revoked],
    )
