"""API: published frameworks (anyone), and a teacher's own self-assessments, pre-assessments
and recommendations (a token with the ``learning`` scope)."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_login import current_user

from app.api import bp, json_body
from app.auth.scopes import requires_scope
from app.learning import assessments, frameworks, recommend
from app.learning.schemas import (
    AttemptInSchema,
    AttemptOutSchema,
    FrameworkOutSchema,
    FrameworkSummarySchema,
    PreAssessmentOutSchema,
    SelfAssessmentInSchema,
    SelfAssessmentOutSchema,
    recommendation,
)
from app.pagination import api_page, page_args
from app.security import login_required, public


@bp.get("/frameworks")
@public
def list_frameworks() -> Any:
    """Published competency frameworks by title, a page at a time (?page, ?per_page)."""
    page = frameworks.published_page(page_args())
    return jsonify(
        api_page(page, "frameworks", FrameworkSummarySchema(many=True).dump, "api.list_frameworks")
    )


@bp.get("/frameworks/<int:framework_id>")
@public
def get_framework(framework_id: int) -> Any:
    """A published framework: its comfort scale, domains and competencies, each with the ids
    of the credentials that certify it and the size of its pre-assessment."""
    return jsonify(FrameworkOutSchema().dump(frameworks.published_framework(framework_id)))


@bp.post("/self-assessments")
@requires_scope("learning")
@login_required
def create_self_assessment() -> Any:
    """``{framework_id, ratings: [{competency_id, level}]}`` → the stored self-assessment
    (201). 422 with field messages for anything wrong; nothing is stored then."""
    body = json_body(SelfAssessmentInSchema())
    assessment = assessments.take_self_assessment(
        current_user, body["framework_id"], body["ratings"]
    )
    return jsonify(SelfAssessmentOutSchema().dump(assessment)), 201


@bp.get("/self-assessments")
@requires_scope("learning")
@login_required
def my_self_assessments() -> Any:
    """The teacher's self-assessments, newest first, a page at a time."""
    page = assessments.my_self_assessments(current_user, page_args())
    return jsonify(
        api_page(
            page,
            "self_assessments",
            SelfAssessmentOutSchema(many=True).dump,
            "api.my_self_assessments",
        )
    )


@bp.get("/pre-assessments/<int:competency_id>")
@requires_scope("learning")
@login_required
def get_pre_assessment(competency_id: int) -> Any:
    """A competency's quiz: the questions and options, never the answers."""
    return jsonify(PreAssessmentOutSchema().dump(assessments.quiz(competency_id)))


@bp.post("/pre-assessments/<int:competency_id>/attempts")
@requires_scope("learning")
@login_required
def create_attempt(competency_id: int) -> Any:
    """``{answers: [{question_id, choice}|{question_id, text}]}`` (``choice``: the option's
    position from 0) → the attempt with its score and each answer marked (201)."""
    body = json_body(AttemptInSchema())
    attempt = assessments.take_pre_assessment(current_user, competency_id, body["answers"])
    return jsonify(AttemptOutSchema().dump(attempt)), 201


@bp.get("/recommendations")
@requires_scope("learning")
@login_required
def my_recommendations() -> Any:
    """Credentials suggested from the teacher's latest results, best first, each with its
    reasons in words; ``draft_id`` names her open draft of it ("continue your draft"). A
    page at a time; the same few statements whatever the number of credentials or takes."""
    ranked = recommend.recommendations(current_user)
    page = recommend.page_of(ranked, page_args())
    return jsonify(
        api_page(
            page,
            "recommendations",
            lambda items: [recommendation(item) for item in items],
            "api.my_recommendations",
        )
    )
