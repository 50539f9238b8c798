"""API: the public list of published credentials, one credential, and designer create/publish."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from app.api import bp, json_body
from app.auth.scopes import requires_scope
from app.credentials import service
from app.credentials.schemas import CredentialInSchema, VersionOutSchema
from app.db import db
from app.errors import NotFound
from app.models.orgs import Issuer, Role
from app.pagination import api_page, page_args
from app.security import public, roles_required


@bp.get("/credentials")
@public
def list_credentials() -> Any:
    """Published credentials by title: ``q`` (words), ``issuer`` (slug), ``tag``,
    ``grade_band``; ``page`` and ``per_page`` (at most 100). A constant number of statements
    whatever the page size."""
    page = service.search_published(
        page_args(),
        q=request.args.get("q"),
        issuer_slug=request.args.get("issuer"),
        tag=request.args.get("tag"),
        grade_band=request.args.get("grade_band"),
        with_rubric=True,
    )
    return jsonify(
        api_page(page, "credentials", VersionOutSchema(many=True).dump, "api.list_credentials")
    )


@bp.get("/credentials/<int:credential_id>")
@public
def get_credential(credential_id: int) -> Any:
    version = service.published_version_of(credential_id)
    return jsonify(VersionOutSchema().dump(version))


@bp.post("/credentials")
@requires_scope("credentials:write")
@roles_required(Role.DESIGNER, Role.ISSUER_ADMIN)
def create_credential() -> Any:
    body = json_body(CredentialInSchema())
    issuer = db.session.get(Issuer, body.pop("issuer_id"))
    if issuer is None:
        raise NotFound(_("There is no issuer with that id."))
    credential = service.create_credential(current_user, issuer, body)
    return jsonify(VersionOutSchema().dump(credential.latest_version)), 201


@bp.post("/credentials/<int:credential_id>/publish")
@requires_scope("credentials:write")
@roles_required(Role.DESIGNER, Role.ISSUER_ADMIN)
def publish_credential(credential_id: int) -> Any:
    credential = service.get_for_editing(current_user, credential_id)
    version = service.publish(current_user, credential)
    return jsonify(VersionOutSchema().dump(version))
