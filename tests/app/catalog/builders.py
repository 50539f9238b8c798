"""Build credentials for catalog tests straight from the models (published, draft, retired)."""

from __future__ import annotations

import re
from typing import Any

from app.db import db, utcnow
from app.models.credentials import (
    Credential,
    CredentialVersion,
    Criterion,
    Level,
    Prompt,
    VersionStatus,
)
from app.models.orgs import Issuer

LEVELS = (("Not yet", 0), ("Developing", 1), ("Proficient", 2), ("Exemplary", 3))


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _fill(version: CredentialVersion) -> None:
    prompts = [
        Prompt(
            position=0,
            kind="text",
            label="Context and plan",
            guidance="Describe your class.",
            min_words=200,
            max_words=600,
        ),
        Prompt(
            position=1,
            kind="file",
            label="Classroom video",
            guidance="Film one lesson.",
            allowed_kinds=["mp4", "pdf"],
            max_mb=50,
        ),
        Prompt(position=2, kind="link", label="Link to materials", guidance="Share a folder."),
    ]
    version.prompts = prompts
    criteria = [
        ("Planning", "All four components planned with purpose", [prompts[0]]),
        ("Facilitation", "Every student takes part", [prompts[1], prompts[2]]),
        ("Reflection", "Evidence drives next steps", [prompts[2]]),
    ]
    version.criteria = [
        Criterion(
            position=n,
            title=title,
            description="",
            prompts=judged,
            levels=[
                Level(position=p, name=name, points=points, descriptor=f"{descriptor} ({name})")
                for p, (name, points) in enumerate(LEVELS)
            ],
        )
        for n, (title, descriptor, judged) in enumerate(criteria)
    ]


def _version(
    title: str, status: VersionStatus, number: int = 1, **fields: Any
) -> CredentialVersion:
    version = CredentialVersion(
        number=number,
        status=status.value,
        title=title,
        competency=fields.get("competency", f"The educator practises {title.lower()}."),
        key_method="Hold a structured circle every morning.",
        method_components="Greeting\nSharing\nGroup activity\nMorning message",
        research_resources=[{"title": "A study", "url": "https://research.example.org/1"}],
        alignments=[
            {
                "framework": "InTASC",
                "code": "3",
                "name": "Learning Environments",
                "url": "https://ccsso.example.org/intasc",
            }
        ],
        tags=fields.get("tags", []),
        grade_bands=fields.get("grade_bands", []),
        estimated_hours=6,
        validity_years=None,
        pass_min_level=2,
        pass_min_total=7,
        published_at=utcnow() if status != VersionStatus.DRAFT else None,
    )
    _fill(version)
    return version


def make_published(issuer: Issuer, *, title: str, **fields: Any) -> Credential:
    credential = Credential(issuer_id=issuer.id, slug=slugify(title))
    credential.versions = [_version(title, VersionStatus.PUBLISHED, **fields)]
    db.session.add(credential)
    db.session.flush()
    return credential


def make_draft(issuer: Issuer, *, title: str, **fields: Any) -> Credential:
    credential = Credential(issuer_id=issuer.id, slug=slugify(title))
    credential.versions = [_version(title, VersionStatus.DRAFT, **fields)]
    db.session.add(credential)
    db.session.flush()
    return credential


def new_draft_of(credential: Credential, *, title: str) -> CredentialVersion:
    version = _version(title, VersionStatus.DRAFT, number=len(credential.versions) + 1)
    credential.versions.append(version)
    db.session.flush()
    return version


def retire(credential: Credential) -> None:
    credential.retired_at = utcnow()
    db.session.flush()
