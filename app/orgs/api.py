"""API: the e-mail domains a district claims (teachers at a claimed domain may join it).

Credit officers of the district and platform admins list them; only platform admins add or
remove one.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.api import bp, json_body
from app.auth.scopes import requires_scope
from app.credit import domains
from app.db import db
from app.errors import NotFound
from app.models.credit import DistrictDomain
from app.models.orgs import District
from app.pagination import api_page, page_args
from app.security import admin_required, login_required


class DomainSchema(Schema):
    domain = fields.String(required=True, validate=validate.Length(min=1, max=300))


def dump_domain(row: DistrictDomain) -> dict[str, Any]:
    return {"domain": row.domain, "district_id": row.district_id}


def _district(district_id: int) -> District:
    district = db.session.get(District, district_id)
    if district is None:
        raise NotFound(_("There is no such district."))
    return district


@bp.get("/districts/<int:district_id>/domains")
@requires_scope("ledger:read", "credit:write", "admin")
@login_required
def district_domains(district_id: int) -> Any:
    """The district's claimed domains, alphabetically, a page at a time."""
    page = domains.listed_domains(current_user, district_id, page_args())
    return jsonify(
        api_page(
            page,
            "domains",
            lambda rows: [dump_domain(r) for r in rows],
            "api.district_domains",
            district_id=district_id,
        )
    )


@bp.post("/districts/<int:district_id>/domains")
@requires_scope("admin")
@admin_required
def claim_district_domain(district_id: int) -> Any:
    body = json_body(DomainSchema())
    row = domains.claim_domain(current_user, _district(district_id), body["domain"])
    location = url_for(
        "api.release_district_domain", district_id=district_id, domain=row.domain, _external=True
    )
    return jsonify(dump_domain(row)), 201, {"Location": location}


@bp.delete("/districts/<int:district_id>/domains/<domain>")
@requires_scope("admin")
@admin_required
def release_district_domain(district_id: int, domain: str) -> Any:
    domains.release_domain(current_user, _district(district_id), domain)
    return "", 204
