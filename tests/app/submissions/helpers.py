"""Helpers for the submission tests: a published credential, tokens, uploads."""

from __future__ import annotations

import io
from typing import Any

from app.credentials import service as credentials
from app.db import db
from app.models.orgs import Role
from tests.app.credentials.body import BODY
from tests.app.people import PASSWORD, grant, make_issuer, make_user
from tests.documents import PDF

WORDS = " ".join(["evidence"] * 60)


def auth_for(client: Any, email: str) -> dict[str, str]:
    token = client.post(
        "/api/v1/auth/token", json={"email": email, "password": PASSWORD}
    ).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def published(**changes: Any) -> int:
    issuer = make_issuer("acme")
    designer = make_user("designer@acme.test")
    grant(designer, Role.DESIGNER, issuer)
    make_user("teacher@school.test")
    make_user("other@school.test")
    data = {**BODY, **changes}
    credential = credentials.create_credential(designer, issuer, data)
    credentials.publish(designer, credential)
    db.session.commit()
    return credential.id


def prompt_ids(client: Any, credential_id: int) -> dict[str, int]:
    shown = client.get(f"/api/v1/credentials/{credential_id}").get_json()
    return {p["label"]: p["id"] for p in shown["prompts"]}


def upload(
    client: Any, sid: int, prompt_id: int, data: bytes, name: str, auth: dict[str, str]
) -> Any:
    return client.post(
        f"/api/v1/submissions/{sid}/files",
        data={"prompt_id": str(prompt_id), "file": (io.BytesIO(data), name)},
        headers=auth,
        content_type="multipart/form-data",
    )


def start(client: Any, cid: int, auth: dict[str, str]) -> int:
    started = client.post("/api/v1/submissions", json={"credential_id": cid}, headers=auth)
    assert started.status_code == 201, started.get_json()
    return int(started.get_json()["id"])


def complete(client: Any, cid: int, sid: int, auth: dict[str, str]) -> dict[str, Any]:
    """Answer every prompt of the exit-tickets credential (the file as a small PDF)."""
    prompts = prompt_ids(client, cid)
    for label in ("Your exit ticket and why", "What you changed"):
        saved = client.put(
            f"/api/v1/submissions/{sid}/answers/{prompts[label]}",
            json={"text": WORDS},
            headers=auth,
        )
        assert saved.status_code == 200, saved.get_json()
    uploaded = upload(client, sid, prompts["Three student samples"], PDF, "work.pdf", auth)
    assert uploaded.status_code == 201, uploaded.get_json()
    return dict(uploaded.get_json())


def with_file_prompt(**changes: Any) -> dict[str, Any]:
    """Credential changes that alter the file prompt ("Three student samples")."""
    prompts = [{**p, **changes} if p["kind"] == "file" else dict(p) for p in BODY["prompts"]]
    return {"prompts": prompts}
