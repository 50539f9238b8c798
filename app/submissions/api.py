"""API: a teacher's own submissions (another teacher's are 404)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_login import current_user
from marshmallow import Schema, fields

from app.api import bp
from app.auth.api import json_body
from app.db import db
from app.errors import InvalidInput
from app.security import login_required
from app.submissions import service


class StartSchema(Schema):
    credential_id = fields.Integer(required=True)


class AnswerSchema(Schema):
    text = fields.String(load_default=None)
    url = fields.String(load_default=None)


def _dump(submission: Any) -> dict[str, Any]:
    return {
        "id": submission.id,
        "status": submission.status,
        "credential_id": submission.credential_id,
        "version_id": submission.version_id,
        "attempt": submission.attempt,
        "submitted_at": submission.submitted_at.isoformat() if submission.submitted_at else None,
        "content_sha256": submission.content_sha256,
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
        "events": [
            {"from": e.from_status, "to": e.to_status, "at": e.at.isoformat()}
            for e in submission.events
        ],
    }


@bp.post("/submissions")
@login_required
def start_submission() -> Any:
    body = json_body(StartSchema())
    submission = service.start(current_user, body["credential_id"])
    db.session.commit()
    return jsonify(_dump(submission)), 201


@bp.get("/submissions")
@login_required
def my_submissions() -> Any:
    return jsonify({"submissions": [_dump(s) for s in service.mine(current_user)]})


@bp.get("/submissions/<int:submission_id>")
@login_required
def get_submission(submission_id: int) -> Any:
    return jsonify(_dump(service.get_own(current_user, submission_id)))


@bp.put("/submissions/<int:submission_id>/answers/<int:prompt_id>")
@login_required
def put_answer(submission_id: int, prompt_id: int) -> Any:
    submission = service.get_own(current_user, submission_id)
    body = json_body(AnswerSchema())
    service.save_answer(current_user, submission, prompt_id, body)
    db.session.commit()
    return jsonify(_dump(submission))


@bp.post("/submissions/<int:submission_id>/files")
@login_required
def upload_file(submission_id: int) -> Any:
    submission = service.get_own(current_user, submission_id)
    upload = request.files.get("file")
    prompt_id = request.form.get("prompt_id", "")
    if upload is None or not prompt_id.isdigit():
        raise InvalidInput(
            "Send a multipart form with prompt_id and file.", {"file": ["Required."]}
        )
    record = service.add_file(
        current_user, submission, int(prompt_id), upload.stream, upload.filename or ""
    )
    try:
        db.session.commit()
    except Exception:
        service.storage().delete(record.storage_key)  # no object without its record
        raise
    return jsonify(_dump(submission)), 201


@bp.post("/submissions/<int:submission_id>/submit")
@login_required
def submit_submission(submission_id: int) -> Any:
    submission = service.get_own(current_user, submission_id)
    service.submit(current_user, submission)
    db.session.commit()
    return jsonify(_dump(submission))


@bp.post("/submissions/<int:submission_id>/withdraw")
@login_required
def withdraw_submission(submission_id: int) -> Any:
    submission = service.get_own(current_user, submission_id)
    service.withdraw(current_user, submission)
    db.session.commit()
    return jsonify(_dump(submission))
