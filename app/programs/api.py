"""API: a district's outside programs. Any signed-in token that may ask for credit
(``credit:write``) or read ledgers (``ledger:read``) reads the listed ones (the catalog shows
them to everyone anyway); the district's credit officers, with ``credit:write``, create and
change them and also see the retired ones."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_login import current_user

from app.api import bp, json_body
from app.auth.scopes import requires_scope
from app.models.orgs import Role
from app.pagination import api_page, page_args
from app.programs import service
from app.programs.schemas import ProgramInSchema, ProgramPatchSchema, dump_program
from app.security import login_required, roles_required


@bp.get("/districts/<int:district_id>/outside-programs")
@requires_scope("credit:write", "ledger:read")
@login_required
def district_outside_programs(district_id: int) -> Any:
    """The district's listed programs by title, a page at a time (its officers: the retired
    ones too, after the listed). 404 for a district that does not exist."""
    page = service.district_listing(current_user, district_id, page_args())
    return jsonify(
        api_page(
            page,
            "outside_programs",
            lambda items: [dump_program(p) for p in items],
            "api.district_outside_programs",
            district_id=district_id,
        )
    )


@bp.post("/districts/<int:district_id>/outside-programs")
@requires_scope("credit:write")
@roles_required(Role.CREDIT_OFFICER)
def create_outside_program(district_id: int) -> Any:
    """``{title, provider, url (https), description?, estimated_hours?, competency_ids?,
    badge_class_urls: [...], policy_id? | new_policy?: {hours, unit?, category_id,
    auto_approve?}}`` → the program (201). Officers of the district only (404 for others);
    422 with field messages for anything wrong, 409 when a new policy's badge class already
    has one; nothing is stored then."""
    body = json_body(ProgramInSchema())
    program = service.create_program(current_user, district_id, body)
    return jsonify(dump_program(service.for_editing(current_user, program.id))), 201


@bp.get("/outside-programs/<int:program_id>")
@requires_scope("credit:write", "ledger:read")
@login_required
def get_outside_program(program_id: int) -> Any:
    """A listed program (a retired one only for its district's officers; 404 otherwise)."""
    return jsonify(dump_program(service.visible(current_user, program_id)))


@bp.patch("/outside-programs/<int:program_id>")
@requires_scope("credit:write")
@roles_required(Role.CREDIT_OFFICER)
def update_outside_program(program_id: int) -> Any:
    """Any of the fields of the POST, and ``retired`` (true retires, false restores)."""
    body = json_body(ProgramPatchSchema())
    service.update_program(current_user, program_id, body)
    return jsonify(dump_program(service.for_editing(current_user, program_id)))
