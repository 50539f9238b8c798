"""API: a teacher's action research (a token with the ``learning`` scope). Another teacher's
project is 404; a coach reads only the projects of plans she was invited to, and gives
feedback; her district reads while the plan is shared."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from app.api import bp, json_body
from app.auth.scopes import requires_scope
from app.db import db
from app.errors import InvalidInput
from app.learning import research
from app.learning.research_schemas import (
    CheckpointInSchema,
    EntryInSchema,
    FeedbackInSchema,
    FeedbackOutSchema,
    FileOutSchema,
    ProjectInSchema,
    ProjectPatchSchema,
    ProjectSummarySchema,
    ToSubmissionSchema,
    checkpoint_for,
    project_for,
)
from app.pagination import api_page, page_args
from app.security import body_limit, login_required
from app.storage import storage
from app.submissions.api import dump as dump_submission


def _project(project_id: int, status: int = 200) -> Any:
    view = research.view_project(current_user, project_id)
    warnings = research.project_warnings(view.project)
    return jsonify(project_for(view.project, view.access.value, warnings)), status


@bp.get("/action-research")
@requires_scope("learning")
@login_required
def my_action_research() -> Any:
    """The teacher's own projects, newest first, a page at a time."""
    page = research.my_projects(current_user, page_args())
    return jsonify(
        api_page(
            page,
            "action_research",
            ProjectSummarySchema(many=True).dump,
            "api.my_action_research",
        )
    )


@bp.post("/action-research")
@requires_scope("learning")
@login_required
def create_action_research() -> Any:
    """``{title, plan_id, goal_id?, credential_id?, question?, context?, change?,
    data_plan?}`` → the project (201), with ``warnings`` for words that look like student
    names (it is saved all the same)."""
    body = json_body(ProjectInSchema())
    made = research.create_project(current_user, body)
    return _project(made.id, 201)


@bp.get("/action-research/<int:project_id>")
@requires_scope("learning")
@login_required
def get_action_research(project_id: int) -> Any:
    """The project with its checkpoints, files and feedback, for its owner, the plan's
    coaches or (while the plan is shared) her district; ``access`` says which reader."""
    return _project(project_id)


@bp.patch("/action-research/<int:project_id>")
@requires_scope("learning")
@login_required
def update_action_research(project_id: int) -> Any:
    """``{title?, question?, context?, change?, data_plan?, goal_id?, credential_id?,
    status?}`` (the owner only; ``status``: underway or done) → the project."""
    body = json_body(ProjectPatchSchema())
    research.update_project(current_user, project_id, body)
    return _project(project_id)


@bp.post("/action-research/<int:project_id>/checkpoints")
@requires_scope("learning")
@login_required
def add_action_research_checkpoint(project_id: int) -> Any:
    """``{due_on, focus?}`` → the checkpoint (201), numbered in date order."""
    body = json_body(CheckpointInSchema())
    made = research.add_checkpoint(current_user, project_id, body)
    return jsonify(checkpoint_for(made, research.checkpoint_warnings(made))), 201


@bp.post("/action-research/<int:project_id>/checkpoints/<int:number>")
@requires_scope("learning")
@login_required
def post_action_research_entry(project_id: int, number: int) -> Any:
    """``{did, found}`` → the posted checkpoint, with ``warnings`` for likely student names.
    The first posting mails the plan's coaches."""
    body = json_body(EntryInSchema())
    checkpoint = research.post_entry(current_user, project_id, number, body)
    return jsonify(checkpoint_for(checkpoint, research.checkpoint_warnings(checkpoint)))


@bp.post("/action-research/<int:project_id>/checkpoints/<int:number>/files")
@requires_scope("learning")
@body_limit(research.upload_limit)
@login_required
def upload_action_research_file(project_id: int, number: int) -> Any:
    """A multipart form with ``file`` → the stored file (201)."""
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput(_("Send a multipart form with a file."), {"file": [_("Required.")]})
    record = research.add_file(
        current_user, project_id, number, upload.stream, upload.filename or ""
    )
    try:  # committed here, not at the request's edge, so a failed commit deletes the file
        db.session.commit()
    except Exception:
        storage().delete(record.storage_key)  # no object without its record
        raise
    return jsonify(FileOutSchema().dump(record)), 201


@bp.post("/action-research/<int:project_id>/checkpoints/<int:number>/feedback")
@requires_scope("learning")
@login_required
def give_action_research_feedback(project_id: int, number: int) -> Any:
    """``{body}`` by one of the plan's coaches (or the owner's reply) on a posted checkpoint
    → the feedback (201); a coach's is mailed to the teacher."""
    body = json_body(FeedbackInSchema())
    made = research.give_feedback(current_user, project_id, number, body)
    return jsonify(FeedbackOutSchema().dump(made)), 201


@bp.post("/action-research/<int:project_id>/to-submission")
@requires_scope("learning")
@login_required
def action_research_to_submission(project_id: int) -> Any:
    """``{credential_id?, checkpoints?: [number], files?: [id]}`` → the new draft (201) and
    ``not_placed``: what no prompt of the credential could take. 409 with the open
    attempt's address when she already has one for that credential."""
    body = json_body(ToSubmissionSchema())
    carried = research.to_submission(current_user, project_id, body)
    return jsonify({**dump_submission(carried.submission), "not_placed": carried.not_placed}), 201
