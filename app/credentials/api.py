"""API: the public list of published credentials, one credential, and designer create/publish."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for
from flask_login import current_user

from app.api import bp
from app.auth.api import json_body
from app.credentials import service
from app.credentials.schemas import CredentialInSchema, VersionOutSchema
from app.db import db
from app.errors import InvalidInput, NotFound
from app.models.orgs import Issuer, Role
from app.security import public, roles_required


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, str(default))
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise InvalidInput(
            f"{name} must be a whole number from {low} to {high}.", {name: ["Out of range."]}
        )
    return int(raw)


@bp.get("/credentials")
@public
def list_credentials() -> Any:
    page = _int_arg("page", 1, 1, 10_000)
    per_page = _int_arg("per_page", 20, 1, 100)
    versions = service.search_published(
        q=request.args.get("q"),
        issuer_slug=request.args.get("issuer"),
        tag=request.args.get("tag"),
        grade_band=request.args.get("grade_band"),
    )
    start = (page - 1) * per_page
    chunk = versions[start : start + per_page]
    more = start + per_page < len(versions)
    args = {**request.args.to_dict(), "page": page + 1, "per_page": per_page}
    return jsonify(
        {
            "credentials": VersionOutSchema(many=True).dump(chunk),
            "total": len(versions),
            "page": page,
            "next": url_for("api.list_credentials", _external=True, **args) if more else None,
        }
    )


@bp.get("/credentials/<int:credential_id>")
@public
def get_credential(credential_id: int) -> Any:
    version = service.published_version_of(credential_id)
    return jsonify(VersionOutSchema().dump(version))


@bp.post("/credentials")
@roles_required(Role.DESIGNER, Role.ISSUER_ADMIN)
def create_credential() -> Any:
    body = json_body(CredentialInSchema())
    issuer = db.session.get(Issuer, body.pop("issuer_id"))
    if issuer is None:
        raise NotFound("There is no issuer with that id.")
    credential = service.create_credential(current_user, issuer, body)
    db.session.commit()
    return jsonify(VersionOutSchema().dump(credential.latest_version)), 201


@bp.post("/credentials/<int:credential_id>/publish")
@roles_required(Role.DESIGNER, Role.ISSUER_ADMIN)
def publish_credential(credential_id: int) -> Any:
    credential = service.get_for_editing(current_user, credential_id)
    version = service.publish(current_user, credential)
    db.session.commit()
    return jsonify(VersionOutSchema().dump(version))
