"""API: a teacher's own submissions (another teacher's are 404)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.api import bp, json_body
from app.auth.scopes import requires_scope
from app.db import db
from app.errors import InvalidInput
from app.models.submissions import Submission, SubmissionStatus
from app.pagination import api_page, page_args
from app.responses import file_response
from app.reviews import service as reviews
from app.security import body_limit, login_required
from app.storage import storage
from app.submissions import service

DECIDED = (SubmissionStatus.PASSED, SubmissionStatus.NOT_YET)


class StartSchema(Schema):
    credential_id = fields.Integer(required=True)


class AnswerSchema(Schema):
    text = fields.String(load_default=None)
    url = fields.String(load_default=None)


class SubmitSchema(Schema):
    evidence_public = fields.Boolean(load_default=False)


class DirectUploadSchema(Schema):
    prompt_id = fields.Integer(required=True)
    filename = fields.String(load_default="", validate=validate.Length(max=255))
    content_type = fields.String(required=True, validate=validate.Length(max=120))


class CompleteUploadSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(max=2000))


def dump(submission: Submission, feedback: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The teacher's view of one submission; ``feedback`` when the caller fetched it already
    (a list fetches every row's at once: :func:`feedback_of`)."""
    return {
        "id": submission.id,
        "status": submission.status,
        "credential_id": submission.credential_id,
        "version_id": submission.version_id,
        "attempt": submission.attempt,
        "previous_id": submission.previous_id,
        "created_at": submission.created_at.isoformat(),
        "updated_at": submission.updated_at.isoformat(),
        "submitted_at": submission.submitted_at.isoformat() if submission.submitted_at else None,
        "content_sha256": submission.content_sha256,
        "evidence_public": submission.evidence_public,
        "answers": [
            {"prompt_id": a.prompt_id, "text": a.text, "url": a.url} for a in submission.answers
        ],
        "files": [
            {
                "id": f.id,
                "prompt_id": f.prompt_id,
                "filename": f.filename,
                "kind": f.kind,
                "size": f.size,
                "sha256": f.sha256,
            }
            for f in submission.files
        ],
        "missing": service.problems(submission) if submission.is_draft else [],
        "decided_at": submission.decided_at.isoformat() if submission.decided_at else None,
        "feedback": _feedback(submission) if feedback is None else feedback,
        "events": [
            {"from": e.from_status, "to": e.to_status, "at": e.at.isoformat()}
            for e in submission.events
        ],
    }


def _feedback(submission: Submission) -> list[dict[str, Any]]:
    return reviews.feedback(submission)


def feedback_of(submissions: list[Submission]) -> dict[int, list[dict[str, Any]]]:
    """Every listed submission's feedback at once (two statements for the page)."""
    return reviews.feedback_for(submissions)


def _saved(submission: Submission, status: int = 200) -> Any:
    return jsonify(dump(submission)), status


@bp.post("/submissions")
@requires_scope("evidence:write")
@login_required
def start_submission() -> Any:
    body = json_body(StartSchema())
    return _saved(service.start(current_user, body["credential_id"]), 201)


@bp.get("/submissions")
@requires_scope("evidence:write")
@login_required
def my_submissions() -> Any:
    """The teacher's submissions, newest first, a page at a time (?page, ?per_page)."""
    page = service.mine(current_user, page_args(), full=True)
    feedback = feedback_of(page.items)
    return jsonify(
        api_page(
            page,
            "submissions",
            lambda items: [dump(s, feedback[s.id]) for s in items],
            "api.my_submissions",
        )
    )


@bp.get("/submissions/<int:submission_id>")
@requires_scope("evidence:write")
@login_required
def get_submission(submission_id: int) -> Any:
    return jsonify(dump(service.get_own(current_user, submission_id)))


@bp.put("/submissions/<int:submission_id>/answers/<int:prompt_id>")
@requires_scope("evidence:write")
@login_required
def put_answer(submission_id: int, prompt_id: int) -> Any:
    body = json_body(AnswerSchema())
    submission = service.get_own(current_user, submission_id, lock=True)
    service.save_answer(current_user, submission, prompt_id, body)
    return _saved(submission)


@bp.post("/submissions/<int:submission_id>/files")
@requires_scope("evidence:write")
@body_limit(service.upload_limit_for)
@login_required
def upload_file(submission_id: int) -> Any:
    submission = service.get_own(current_user, submission_id, lock=True)
    upload = request.files.get("file")
    prompt_id = request.form.get("prompt_id", "")
    if upload is None or not prompt_id.isdigit():
        raise InvalidInput(
            _("Send a multipart form with prompt_id and file."), {"file": [_("Required.")]}
        )
    record = service.add_file(
        current_user, submission, int(prompt_id), upload.stream, upload.filename or ""
    )
    try:  # committed here, not at the request's edge, so a failed commit deletes the file
        db.session.commit()
    except Exception:
        storage().delete(record.storage_key)  # no object without its record
        raise
    return jsonify(dump(submission)), 201


@bp.get("/submissions/<int:submission_id>/files/<int:file_id>")
@requires_scope("evidence:write")
@login_required
def download_file(submission_id: int, file_id: int) -> Any:
    record = service.own_file(service.get_own(current_user, submission_id), file_id)
    return file_response(record)


@bp.delete("/submissions/<int:submission_id>/files/<int:file_id>")
@requires_scope("evidence:write")
@login_required
def delete_file(submission_id: int, file_id: int) -> Any:
    submission = service.get_own(current_user, submission_id, lock=True)
    service.remove_file(current_user, submission, file_id)
    return _saved(submission)


@bp.post("/submissions/<int:submission_id>/uploads")
@requires_scope("evidence:write")
@login_required
def begin_upload(submission_id: int) -> Any:
    body = json_body(DirectUploadSchema())
    submission = service.get_own(current_user, submission_id)
    post = service.begin_direct_upload(
        current_user, submission, body["prompt_id"], body["filename"], body["content_type"]
    )
    return jsonify(post), 201


@bp.post("/submissions/<int:submission_id>/uploads/complete")
@requires_scope("evidence:write")
@login_required
def complete_upload(submission_id: int) -> Any:
    body = json_body(CompleteUploadSchema())
    submission = service.get_own(current_user, submission_id, lock=True)
    service.complete_direct_upload(current_user, submission, body["token"])
    return _saved(submission, 201)


@bp.post("/submissions/<int:submission_id>/submit")
@requires_scope("evidence:write")
@login_required
def submit_submission(submission_id: int) -> Any:
    body = json_body(SubmitSchema()) if request.content_length else {"evidence_public": False}
    submission = service.get_own(current_user, submission_id, lock=True)
    service.submit(current_user, submission, evidence_public=body["evidence_public"])
    return _saved(submission)


@bp.post("/submissions/<int:submission_id>/withdraw")
@requires_scope("evidence:write")
@login_required
def withdraw_submission(submission_id: int) -> Any:
    submission = service.get_own(current_user, submission_id, lock=True)
    service.withdraw(current_user, submission)
    return _saved(submission)


@bp.post("/submissions/<int:submission_id>/attempts")
@requires_scope("evidence:write")
@login_required
def new_attempt(submission_id: int) -> Any:
    previous = service.get_own(current_user, submission_id)
    submission, redo = service.try_again(current_user, previous)
    return jsonify({**dump(submission), "not_prefilled": redo}), 201
