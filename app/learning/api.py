"""API: published frameworks (anyone), and a teacher's own self-assessments, pre-assessments,
recommendations and growth plans (a token with the ``learning`` scope)."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_login import current_user

from app.api import bp, json_body
from app.auth.scopes import requires_scope
from app.learning import assessments, frameworks, plans, recommend
from app.learning.plan_schemas import (
    CoachInSchema,
    CoachOutSchema,
    CommentInSchema,
    CommentOutSchema,
    GoalInSchema,
    GoalOutSchema,
    PlanInSchema,
    PlanPatchSchema,
    PlanSummarySchema,
    ProgressInSchema,
    ProgressOutSchema,
    plan_for,
)
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


# --- growth plans -------------------------------------------------------------------------


@bp.get("/growth-plans")
@requires_scope("learning")
@login_required
def my_growth_plans() -> Any:
    """The teacher's own plans, newest first, a page at a time."""
    page = plans.my_plans(current_user, page_args())
    return jsonify(
        api_page(page, "growth_plans", PlanSummarySchema(many=True).dump, "api.my_growth_plans")
    )


@bp.post("/growth-plans")
@requires_scope("learning")
@login_required
def create_growth_plan() -> Any:
    """``{title}`` → the new plan (201), not shared with her district."""
    body = json_body(PlanInSchema())
    made = plans.create_plan(current_user, body)
    return jsonify(plan_for(plans.view_plan(current_user, made.id).plan, "owner")), 201


@bp.get("/growth-plans/<int:plan_id>")
@requires_scope("learning")
@login_required
def get_growth_plan(plan_id: int) -> Any:
    """A plan its owner, one of her coaches, or (while shared) her district's credit
    officers may read: goals, progress and comments; ``access`` says which reader you are.
    404 for anyone else."""
    view = plans.view_plan(current_user, plan_id)
    return jsonify(plan_for(view.plan, view.access.value))


@bp.patch("/growth-plans/<int:plan_id>")
@requires_scope("learning")
@login_required
def update_growth_plan(plan_id: int) -> Any:
    """``{title?, shared_with_district?}`` (the owner only) → the plan."""
    body = json_body(PlanPatchSchema())
    plans.update_plan(current_user, plan_id, body)
    return jsonify(plan_for(plans.view_plan(current_user, plan_id).plan, "owner"))


@bp.post("/growth-plans/<int:plan_id>/goals")
@requires_scope("learning")
@login_required
def create_goal(plan_id: int) -> Any:
    """``{what, why?, indicator, unit, target_value, target_date, competency_ids?,
    credential_ids?}`` → the goal (201)."""
    body = json_body(GoalInSchema())
    goal = plans.add_goal(current_user, plan_id, body)
    return jsonify(GoalOutSchema().dump(goal)), 201


@bp.post("/goals/<int:goal_id>/progress")
@requires_scope("learning")
@login_required
def record_goal_progress(goal_id: int) -> Any:
    """``{recorded_on?, value?, note?}`` (a value or a note) → the entry (201)."""
    body = json_body(ProgressInSchema())
    entry = plans.record_progress(current_user, goal_id, body)
    return jsonify(ProgressOutSchema().dump(entry)), 201


@bp.post("/goals/<int:goal_id>/comments")
@requires_scope("learning")
@login_required
def comment_on_goal(goal_id: int) -> Any:
    """``{body}`` by the plan's owner or one of her coaches → the comment (201)."""
    body = json_body(CommentInSchema())
    made = plans.comment(current_user, goal_id, body)
    return jsonify(CommentOutSchema().dump(made)), 201


@bp.post("/growth-plans/<int:plan_id>/coaches")
@requires_scope("learning")
@login_required
def invite_plan_coach(plan_id: int) -> Any:
    """``{email}`` → the invitation (201); the mail leaves after the commit."""
    body = json_body(CoachInSchema())
    coach = plans.invite_coach(current_user, plan_id, body["email"])
    return jsonify(CoachOutSchema().dump(coach)), 201


@bp.delete("/growth-plans/<int:plan_id>/coaches/<int:coach_id>")
@requires_scope("learning")
@login_required
def remove_plan_coach(plan_id: int, coach_id: int) -> Any:
    """Take a coach off the plan (204)."""
    plans.remove_coach(current_user, plan_id, coach_id)
    return "", 204
