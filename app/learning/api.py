"""API: published frameworks (anyone), designing them (a token with ``credentials:write`` of an
issuer's designer or a district's credit officer), and a teacher's own self-assessments,
pre-assessments, recommendations and growth plans (a token with the ``learning`` scope)."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify
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
    GoalPatchSchema,
    PlanInSchema,
    PlanPatchSchema,
    PlanSummarySchema,
    ProgressInSchema,
    ProgressOutSchema,
    ProgressPatchSchema,
    plan_for,
)
from app.learning.schemas import (
    AttemptInSchema,
    AttemptOutSchema,
    CompetencyInSchema,
    CompetencyPatchSchema,
    DesignCompetencySchema,
    DesignDomainSchema,
    DesignQuestionSchema,
    DomainInSchema,
    FrameworkDesignSchema,
    FrameworkInSchema,
    FrameworkOutSchema,
    FrameworkPatchSchema,
    FrameworkSummarySchema,
    PreAssessmentOutSchema,
    QuestionInSchema,
    SelfAssessmentInSchema,
    SelfAssessmentOutSchema,
    recommendation,
)
from app.pagination import api_page, page_args
from app.security import login_required, public, roles_required


def _with_drafts() -> bool:
    """Whether this request may see drafts: a token holding ``credentials:write`` (then the
    drafts its owner designs show, nobody else's)."""
    return bool(current_user.is_authenticated and "credentials:write" in g.get("token_scopes", ()))


@bp.get("/frameworks")
@public
def list_frameworks() -> Any:
    """Published competency frameworks (issuers' and districts') by title, a page at a time
    (?page, ?per_page); with a token, those of the teacher's own districts first. A token
    with ``credentials:write`` also lists the drafts its owner designs (``status``)."""
    if current_user.is_authenticated:
        page = frameworks.visible_page(current_user, page_args(), drafts=_with_drafts())
    else:
        page = frameworks.published_page(page_args())
    return jsonify(
        api_page(page, "frameworks", FrameworkSummarySchema(many=True).dump, "api.list_frameworks")
    )


@bp.get("/frameworks/<int:framework_id>")
@public
def get_framework(framework_id: int) -> Any:
    """A published framework: its comfort scale, domains and competencies, each with the ids
    of the credentials that certify it and the size of its pre-assessment. A draft answers
    only its own designers' ``credentials:write`` token (404 to anyone else)."""
    if current_user.is_authenticated:
        found = frameworks.visible_framework(current_user, framework_id, drafts=_with_drafts())
    else:
        found = frameworks.published_framework(framework_id)
    return jsonify(FrameworkOutSchema().dump(found))


# --- designing frameworks (an issuer's designers, a district's credit officers) -----------

designer = roles_required(*frameworks.DESIGN_ROLES)


def _design(framework_id: int) -> dict[str, Any]:
    """The framework as its designer sees it, read afresh (everything in it)."""
    dumped: dict[str, Any] = FrameworkDesignSchema().dump(
        frameworks.get_for_editing(current_user, framework_id)
    )
    return dumped


@bp.post("/frameworks")
@requires_scope("credentials:write")
@designer
def create_framework() -> Any:
    """``{issuer_id | district_id, slug, title, description?, scale?}`` → the new draft
    (201). An owner you do not design for is 404."""
    body = json_body(FrameworkInSchema())
    owner = frameworks.owner_for(
        current_user, issuer_id=body.pop("issuer_id"), district_id=body.pop("district_id")
    )
    made = frameworks.create_framework(current_user, owner, body)
    return jsonify(_design(made.id)), 201


@bp.patch("/frameworks/<int:framework_id>")
@requires_scope("credentials:write")
@designer
def update_framework(framework_id: int) -> Any:
    """``{title?, description?, scale?}`` → the framework. The number of levels stays once
    teachers have rated on it (409)."""
    body = json_body(FrameworkPatchSchema())
    found = frameworks.get_for_editing(current_user, framework_id)
    frameworks.set_details(
        current_user, found, {"title": found.title, "description": found.description, **body}
    )
    return jsonify(_design(framework_id))


@bp.post("/frameworks/<int:framework_id>/domains")
@requires_scope("credentials:write")
@designer
def create_domain(framework_id: int) -> Any:
    """``{title, description?}`` → the domain, added last (201)."""
    body = json_body(DomainInSchema())
    found = frameworks.get_for_editing(current_user, framework_id)
    domain = frameworks.add_domain(current_user, found, body)
    return jsonify(DesignDomainSchema().dump(domain)), 201


def _competency_data(body: dict[str, Any]) -> dict[str, Any]:
    data = dict(body)
    if "credential_ids" in data:
        data["credentials"] = data.pop("credential_ids")
    return data


@bp.post("/domains/<int:domain_id>/competencies")
@requires_scope("credentials:write")
@designer
def create_competency(domain_id: int) -> Any:
    """``{title, description?, credential_ids?}`` → the competency (201). An issuer's
    framework links only its own published credentials; a district's, any issuer's."""
    body = json_body(CompetencyInSchema())
    domain = frameworks.domain_for_editing(current_user, domain_id)
    competency = frameworks.add_competency(current_user, domain, _competency_data(body))
    return jsonify(DesignCompetencySchema().dump(competency)), 201


@bp.patch("/competencies/<int:competency_id>")
@requires_scope("credentials:write")
@designer
def update_competency(competency_id: int) -> Any:
    """``{title?, description?, credential_ids?}`` → the competency (what is left out stays)."""
    body = json_body(CompetencyPatchSchema())
    competency = frameworks.competency_for_editing(current_user, competency_id)
    data = {
        "title": competency.title,
        "description": competency.description,
        "credentials": [c.id for c in competency.credentials],
        **_competency_data(body),
    }
    frameworks.update_competency(current_user, competency, data)
    return jsonify(DesignCompetencySchema().dump(competency))


@bp.delete("/competencies/<int:competency_id>")
@requires_scope("credentials:write")
@designer
def delete_competency(competency_id: int) -> Any:
    """Remove a competency (204); 409 once a teacher has rated it or taken its quiz."""
    competency = frameworks.competency_for_editing(current_user, competency_id)
    frameworks.remove_competency(current_user, competency)
    return "", 204


@bp.post("/competencies/<int:competency_id>/questions")
@requires_scope("credentials:write")
@designer
def create_question(competency_id: int) -> Any:
    """``{kind: "choice", prompt, options: [2 to 6], correct}`` (``correct`` from 0) or
    ``{kind: "short", prompt}`` → the question, added last (201)."""
    body = json_body(QuestionInSchema())
    competency = frameworks.competency_for_editing(current_user, competency_id)
    question = frameworks.add_question(current_user, competency, body)
    return jsonify(DesignQuestionSchema().dump(question)), 201


@bp.post("/frameworks/<int:framework_id>/publish")
@requires_scope("credentials:write")
@designer
def publish_framework(framework_id: int) -> Any:
    """Publish the draft: teachers see it from now on. 422 naming what is missing (a domain
    without competencies, no linked credential); 409 when already published."""
    found = frameworks.get_for_editing(current_user, framework_id)
    frameworks.publish(current_user, found)
    return jsonify(_design(framework_id))


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
    reasons in words; ``draft_id`` names her open draft of it ("continue your draft").
    Outside programs of her districts join them, ranked by the same rule, as
    ``{outside_program_id, title, provider, district, credit_hours, reasons, url}`` (ours keep
    ``{credential_id, title, reasons, draft_id, url}``). A page at a time; the same few
    statements whatever the number of credentials, programs or takes."""
    ranked = recommend.with_outside_programs(current_user)
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


@bp.patch("/goals/<int:goal_id>")
@requires_scope("learning")
@login_required
def update_goal(goal_id: int) -> Any:
    """``{what?, why?, indicator?, unit?, target_value?, target_date?, competency_ids?,
    credential_ids?}`` (the plan's owner only; the rules of adding a goal) → the goal."""
    body = json_body(GoalPatchSchema())
    return jsonify(GoalOutSchema().dump(plans.update_goal(current_user, goal_id, body)))


@bp.delete("/goals/<int:goal_id>")
@requires_scope("learning")
@login_required
def delete_goal(goal_id: int) -> Any:
    """Delete a goal with its progress and comments (the plan's owner only; 204)."""
    plans.remove_goal(current_user, goal_id)
    return "", 204


@bp.patch("/progress/<int:entry_id>")
@requires_scope("learning")
@login_required
def update_progress_entry(entry_id: int) -> Any:
    """``{recorded_on?, value?, note?}`` (the plan's owner only) → the entry."""
    body = json_body(ProgressPatchSchema())
    return jsonify(ProgressOutSchema().dump(plans.update_progress(current_user, entry_id, body)))


@bp.delete("/progress/<int:entry_id>")
@requires_scope("learning")
@login_required
def delete_progress_entry(entry_id: int) -> Any:
    """Delete a progress entry (the plan's owner only; 204)."""
    plans.remove_progress(current_user, entry_id)
    return "", 204


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
