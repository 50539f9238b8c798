"""API: my districts, credit requests for teachers, the ledger for HR systems."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.api import bp, json_body
from app.auth.scopes import requires_scope
from app.credit import access, export, memberships, requests
from app.errors import InvalidInput
from app.pagination import api_page, page_args
from app.security import login_required

PAGE = 500


class CreditRequestSchema(Schema):
    district_id = fields.Integer(required=True)
    assertion_id = fields.String(load_default=None, validate=validate.Length(max=2000))
    url = fields.String(load_default=None, validate=validate.Length(max=2000))
    jws = fields.String(load_default=None, validate=validate.Length(max=200_000))
    image = fields.String(load_default=None)  # base64 of a baked PNG/SVG

    @validates_schema
    def _one(self, data: dict[str, Any], **_kwargs: Any) -> None:
        given = [k for k in ("assertion_id", "url", "jws", "image") if data.get(k)]
        if len(given) != 1:
            raise ValidationError(
                _("Give exactly one of assertion_id, url, jws, image."), "_schema"
            )


def dump_request(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "status": item.status,
        "district_id": item.district_id,
        "assertion_id": item.assertion_key,
        "badge": item.badge_name,
        "issuer": item.issuer_name,
        "hours": str(item.hours) if item.hours is not None else None,
        "category": item.category.name if item.category else None,
        "reason": item.decision_reason or None,
    }


@bp.get("/districts")
@requires_scope("credit:write", "ledger:read")
@login_required
def list_districts() -> Any:
    """The districts the caller belongs to or is an officer of, by name, a page at a time."""
    page = memberships.my_districts(current_user, page_args())
    return jsonify(
        api_page(
            page,
            "districts",
            lambda rows: [
                {
                    "id": r.district.id,
                    "name": r.district.name,
                    "member": r.member,
                    "officer": r.officer,
                }
                for r in rows
            ],
            "api.list_districts",
        )
    )


@bp.post("/credit-requests")
@requires_scope("credit:write")
@login_required
def create_credit_request() -> Any:
    body = json_body(CreditRequestSchema())
    image = None
    if body["image"]:
        try:
            image = base64.b64decode(body["image"], validate=True)
        except (binascii.Error, ValueError) as error:
            raise InvalidInput(_("image must be base64."), {"image": [_("Not base64.")]}) from error
    uid = body["assertion_id"]
    if uid and "/" in uid:
        uid = uid.rstrip("/").rsplit("/", 1)[-1].removesuffix(".json")
    item = requests.request_credit(
        current_user,
        body["district_id"],
        assertion_uid=uid,
        url=body["url"],
        jws=body["jws"],
        image=image,
    )
    return jsonify(dump_request(item)), 201


@bp.get("/districts/<int:district_id>/ledger")
@requires_scope("ledger:read")
@login_required
def district_ledger(district_id: int) -> Any:
    """Ledger lines for HR systems (credit officer token), oldest first, paginated."""
    district = access.officer_district(current_user, district_id)
    since_text = request.args.get("since", "")
    since = None
    if since_text:
        try:
            since = datetime.fromisoformat(since_text.replace("Z", "+00:00"))
        except ValueError as error:
            raise InvalidInput(
                _("since is an ISO 8601 time, like 2026-01-31T00:00:00Z.")
            ) from error
        if since.tzinfo is None:
            raise InvalidInput(_("since needs a time zone (end it with Z for UTC)."))
    after = request.args.get("after", "0")
    size = request.args.get("limit", str(PAGE))
    if not after.isdigit() or not size.isdigit() or not 1 <= int(size) <= PAGE:
        raise InvalidInput(_("after is an entry id; limit is 1 to %(most)s.", most=PAGE))
    rows = export.ledger_rows(
        current_user, district, since=since, after_id=int(after), limit=int(size) + 1
    )
    more = len(rows) > int(size)
    rows = rows[: int(size)]
    following = (
        url_for(
            "api.district_ledger",
            district_id=district_id,
            after=rows[-1]["entry_id"],
            since=since_text or None,
            limit=size if size != str(PAGE) else None,
            _external=True,
        )
        if more
        else None
    )
    return jsonify({"entries": rows, "next": following})
