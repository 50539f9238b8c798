"""API: a reviewer's queue (paginated), the blind submission, and scoring (a review not yours is
404)."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import Row

from app.api import bp, json_body
from app.auth.scopes import requires_scope
from app.models.orgs import Role
from app.models.reviews import Review
from app.pagination import api_page, page_args
from app.reviews import service
from app.security import roles_required

reviewer = roles_required(Role.REVIEWER)


class ScoreSchema(Schema):
    criterion_id = fields.Integer(required=True)
    level_id = fields.Integer(required=True)
    comment = fields.String(load_default="", validate=validate.Length(max=service.MAX_COMMENT))


class ScoresSchema(Schema):
    scores = fields.List(
        fields.Nested(ScoreSchema), required=True, validate=validate.Length(max=50)
    )
    comment = fields.String(load_default=None, validate=validate.Length(max=service.MAX_COMMENT))
    # Save without submitting; submitted scores are final.
    draft = fields.Boolean(load_default=False)


def _queue_item(row: Row[Review, str]) -> dict[str, Any]:
    review = row.Review
    return {
        "id": review.id,
        "submission_id": review.submission_id,
        "credential_id": review.credential_id,
        "kind": review.kind,
        "status": review.status,
        "due_at": review.due_at.isoformat() if review.due_at else None,
    }


@bp.get("/reviews")
@requires_scope("review")
@reviewer
def review_queue() -> Any:
    """The caller's open reviews, the earliest due first, a page at a time
    (``?page=``, ``?per_page=`` up to 100)."""
    page = service.my_queue(current_user, page_args())
    return jsonify(
        api_page(page, "reviews", lambda rows: [_queue_item(r) for r in rows], "api.review_queue")
    )


@bp.get("/reviews/<int:review_id>")
@requires_scope("review")
@reviewer
def review_detail(review_id: int) -> Any:
    return jsonify(service.blind(service.get_mine(current_user, review_id)))


@bp.post("/reviews/<int:review_id>/scores")
@requires_scope("review")
@reviewer
def review_scores(review_id: int) -> Any:
    body = json_body(ScoresSchema())
    review = service.get_mine(current_user, review_id, lock=True)
    outcome = service.save_scores(
        current_user, review, body["scores"], body["comment"], final=not body["draft"]
    )
    return jsonify(outcome.as_json())
