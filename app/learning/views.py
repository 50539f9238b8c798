"""Pages: published frameworks (anyone), a teacher's learning (self-assessment,
pre-assessments, results, recommendations), and the designer's framework editor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.db import utcnow
from app.errors import InvalidInput, NotFound
from app.forms import attempt
from app.learning import assessments, bp, frameworks, plans, recommend
from app.learning.forms import (
    ActionForm,
    CompetencyForm,
    DetailsForm,
    DomainForm,
    NewFrameworkForm,
    QuestionForm,
    lines,
)
from app.learning.plan_forms import CoachForm, CommentForm, GoalForm, PlanForm, ProgressForm
from app.models.learning import Competency, Framework, Goal
from app.pagination import page_args
from app.security import login_required, public, roles_required

designer = roles_required(*frameworks.DESIGN_ROLES)
RECOMMENDATIONS_PER_PAGE = 5
FRAMEWORKS_PER_PAGE = 10


def _status() -> int:
    return 422 if request.method == "POST" else 200


# --- anyone -------------------------------------------------------------------------------


@bp.get("/learning/frameworks")
@public
def frameworks_index() -> Any:
    page = frameworks.published_page(page_args(default=FRAMEWORKS_PER_PAGE), current_user)
    return render_template("learning/frameworks.html", page=page)


@bp.get("/learning/frameworks/<int:framework_id>")
@public
def framework(framework_id: int) -> Any:
    found = frameworks.published_framework(framework_id)
    refs = frameworks.credential_refs(cr.id for c in found.competencies for cr in c.credentials)
    signed_in = current_user.is_authenticated
    scores = (
        assessments.latest_scores(current_user, [c.id for c in found.competencies])
        if signed_in
        else {}
    )
    taken = assessments.latest_dates(current_user, [found.id]) if signed_in else {}
    return render_template(
        "learning/framework.html",
        framework=found,
        refs=refs,
        scores=scores,
        last_taken=taken.get(found.id),
    )


# --- the teacher's own --------------------------------------------------------------------


@bp.get("/learning")
@login_required
def index() -> Any:
    ranked = recommend.with_outside_programs(current_user)
    suggestions = recommend.page_of(
        ranked, page_args(prefix="rec_", default=RECOMMENDATIONS_PER_PAGE)
    )
    page = frameworks.published_page(
        page_args(prefix="fw_", default=FRAMEWORKS_PER_PAGE), current_user
    )
    taken = assessments.latest_dates(current_user, [f.id for f in page.items])
    return render_template("learning/index.html", suggestions=suggestions, page=page, taken=taken)


def _ratings_from_form(found: Framework) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """The levels chosen on the page (a competency left blank is not rated this time)."""
    ratings: list[dict[str, Any]] = []
    chosen: dict[int, str] = {}
    for competency in found.competencies:
        raw = request.form.get(f"level-{competency.id}", "").strip()
        if not raw:
            continue
        chosen[competency.id] = raw
        ratings.append(
            {"competency_id": competency.id, "level": int(raw) if raw.isdigit() else raw}
        )
    return ratings, chosen


@bp.route("/learning/frameworks/<int:framework_id>/self-assessment", methods=["GET", "POST"])
@login_required
def self_assessment(framework_id: int) -> Any:
    found = frameworks.published_framework(framework_id)
    form = ActionForm()
    chosen: dict[int, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        ratings, chosen = _ratings_from_form(found)
        with attempt(form, _("Saved. Here is where you stand, and what changed.")) as outcome:
            assessments.take_self_assessment(current_user, found.id, ratings)
        if outcome.ok:
            return redirect(url_for("learning.results", framework_id=found.id), 303)
    elif request.method == "GET":
        latest = assessments.results(current_user, found.id).assessment
        if latest is not None:  # start from her last answers: a retake changes what moved
            chosen = {r.competency_id: str(r.level) for r in latest.ratings}
    return render_template(
        "learning/self_assessment.html", framework=found, form=form, chosen=chosen
    ), _status()


@bp.get("/learning/frameworks/<int:framework_id>/results")
@login_required
def results(framework_id: int) -> Any:
    found = assessments.results(current_user, framework_id)
    history = assessments.my_self_assessments(
        current_user, page_args(prefix="history_"), framework_id=found.framework.id
    )
    return render_template("learning/results.html", results=found, history=history)


@bp.get("/learning/self-assessments/<int:assessment_id>")
@login_required
def past_self_assessment(assessment_id: int) -> Any:
    found = assessments.results(current_user, assessment_id=assessment_id)
    return render_template("learning/results.html", results=found, history=None)


def _answers_from_form(competency: Competency) -> tuple[list[dict[str, Any]], dict[int, str]]:
    answers: list[dict[str, Any]] = []
    given: dict[int, str] = {}
    for question in competency.questions:
        raw = request.form.get(f"q-{question.id}", "")
        given[question.id] = raw
        if question.is_choice:
            choice: Any = int(raw) if raw.isdigit() else (raw or None)
            answers.append({"question_id": question.id, "choice": choice})
        else:
            answers.append({"question_id": question.id, "text": raw})
    return answers, given


@bp.route("/learning/competencies/<int:competency_id>/pre-assessment", methods=["GET", "POST"])
@login_required
def pre_assessment(competency_id: int) -> Any:
    competency = assessments.quiz(competency_id)
    form = ActionForm()
    given: dict[int, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        answers, given = _answers_from_form(competency)
        with attempt(form) as outcome:
            taken = assessments.take_pre_assessment(current_user, competency.id, answers)
        if outcome.ok:
            return redirect(url_for("learning.attempt_page", attempt_id=taken.id), 303)
    return render_template(
        "learning/pre_assessment.html", competency=competency, form=form, given=given
    ), _status()


@bp.get("/learning/pre-assessments/<int:attempt_id>")
@login_required
def attempt_page(attempt_id: int) -> Any:
    taken = assessments.own_attempt(current_user, attempt_id)
    return render_template(
        "learning/attempt.html", attempt=taken, before=assessments.attempt_before(taken)
    )


# --- designers ----------------------------------------------------------------------------


def _saved(form: Any, message: str, change: Callable[[], Any], then: Callable[[Any], str]) -> Any:
    """The designer pages' one step: for a valid posted ``form``, run ``change`` (a service
    call) under :func:`attempt`; when it worked, a 303 to ``then(its result)``. None when the
    form is invalid or the service refused it (its messages are on ``form``): the caller
    shows the page again with 422."""
    if not form.validate_on_submit():
        return None
    with attempt(form, message) as outcome:
        result = change()
    return redirect(then(result), 303) if outcome.ok else None


def _to_editor(framework_id: int, anchor: str | None = None) -> Callable[[Any], str]:
    return lambda _result: url_for("learning.design", framework_id=framework_id, _anchor=anchor)


def _to_competency(competency_id: int, anchor: str | None = None) -> Callable[[Any], str]:
    return lambda _result: url_for(
        "learning.design_competency", competency_id=competency_id, _anchor=anchor
    )


@bp.get("/learning/design")
@designer
def design_index() -> Any:
    page = frameworks.frameworks_for(current_user, page_args())
    return render_template("learning/design_index.html", page=page)


@bp.route("/learning/design/new", methods=["GET", "POST"])
@designer
def design_new() -> Any:
    """A new framework, published by one of the user's issuers or districts (one choice is
    preselected when she has only one)."""
    form = NewFrameworkForm()
    owners = frameworks.editable_owners(current_user)
    form.owner.choices = [(frameworks.owner_key(o), frameworks.owner_label(o)) for o in owners]
    if request.method == "GET":
        form.scale.data = "\n".join(str(level) for level in frameworks.DEFAULT_SCALE)
        if len(owners) == 1:
            form.owner.data = frameworks.owner_key(owners[0])
    done = _saved(
        form,
        _("Framework created. Add its domains and competencies."),
        lambda: frameworks.create_framework(
            current_user,
            frameworks.owner_by_key(current_user, form.owner.data),
            {
                "slug": form.slug.data,
                "title": form.title.data,
                "language": form.language.data,
                "description": form.description.data,
                "scale": lines(form.scale.data),
            },
        ),
        lambda created: url_for("learning.design", framework_id=created.id),
    )
    return done or (render_template("learning/design_new.html", form=form), _status())


def _editor(framework_id: int, status: int = 200, **forms: Any) -> Any:
    """The framework editor, with ``forms`` (one that failed) in place of fresh ones."""
    found = frameworks.get_for_editing(current_user, framework_id)
    details = forms.get("details") or DetailsForm(prefix="details")
    if "details" not in forms:
        details.title.data = found.title
        details.language.data = found.language
        details.description.data = found.description
        details.scale.data = "\n".join(found.scale_descriptors)
    domain_forms = {}
    for domain in found.domains:
        edit = forms.get(f"domain-{domain.id}") or DomainForm(prefix=f"domain-{domain.id}")
        if f"domain-{domain.id}" not in forms:
            edit.title.data, edit.description.data = domain.title, domain.description
        add = forms.get(f"add-{domain.id}") or CompetencyForm(prefix=f"add-{domain.id}")
        domain_forms[domain.id] = (edit, add)
    return render_template(
        "learning/design.html",
        framework=found,
        details=details,
        domain_forms=domain_forms,
        new_domain=forms.get("new_domain") or DomainForm(prefix="new-domain"),
        action=ActionForm(),
        problems=frameworks.publish_problems(found),
    ), status


@bp.get("/learning/design/<int:framework_id>")
@designer
def design(framework_id: int) -> Any:
    return _editor(framework_id)


@bp.post("/learning/design/<int:framework_id>/details")
@designer
def design_details(framework_id: int) -> Any:
    found = frameworks.get_for_editing(current_user, framework_id)
    form = DetailsForm(prefix="details")
    done = _saved(
        form,
        _("Details saved."),
        lambda: frameworks.set_details(
            current_user,
            found,
            {
                "title": form.title.data,
                "language": form.language.data,
                "description": form.description.data,
                "scale": lines(form.scale.data),
            },
        ),
        _to_editor(framework_id),
    )
    return done or _editor(framework_id, 422, details=form)


@bp.post("/learning/design/<int:framework_id>/domains")
@designer
def design_add_domain(framework_id: int) -> Any:
    found = frameworks.get_for_editing(current_user, framework_id)
    form = DomainForm(prefix="new-domain")
    done = _saved(
        form,
        _("Domain added."),
        lambda: frameworks.add_domain(
            current_user, found, {"title": form.title.data, "description": form.description.data}
        ),
        lambda added: url_for(
            "learning.design", framework_id=framework_id, _anchor=f"domain-{added.id}"
        ),
    )
    return done or _editor(framework_id, 422, new_domain=form)


@bp.post("/learning/design/domains/<int:domain_id>")
@designer
def design_domain(domain_id: int) -> Any:
    """Save a domain's title and description, or (``action=remove``) remove it."""
    domain = frameworks.domain_for_editing(current_user, domain_id)
    framework_id = domain.framework_id
    form = DomainForm(prefix=f"domain-{domain.id}")
    if request.form.get("action") == "remove":
        message, change = (
            _("Domain removed."),
            lambda: frameworks.remove_domain(current_user, domain),
        )
    else:
        message, change = (
            _("Domain saved."),
            lambda: frameworks.update_domain(
                current_user,
                domain,
                {"title": form.title.data, "description": form.description.data},
            ),
        )
    done = _saved(form, message, change, _to_editor(framework_id))
    return done or _editor(framework_id, 422, **{f"domain-{domain_id}": form})


@bp.post("/learning/design/domains/<int:domain_id>/competencies")
@designer
def design_add_competency(domain_id: int) -> Any:
    domain = frameworks.domain_for_editing(current_user, domain_id)
    framework_id = domain.framework_id
    form = CompetencyForm(prefix=f"add-{domain.id}")
    form.credentials.choices = []  # linked on the competency's own page
    done = _saved(
        form,
        _("Competency added. Link the credentials that certify it."),
        lambda: frameworks.add_competency(
            current_user, domain, {"title": form.title.data, "description": form.description.data}
        ),
        lambda added: url_for("learning.design_competency", competency_id=added.id),
    )
    return done or _editor(framework_id, 422, **{f"add-{domain_id}": form})


def _competency_form(competency: Competency) -> CompetencyForm:
    form = CompetencyForm(prefix="competency")
    form.credentials.choices = frameworks.credential_choices(competency.framework)
    return form


def _competency_page(
    competency_id: int,
    status: int = 200,
    form: CompetencyForm | None = None,
    question: QuestionForm | None = None,
) -> Any:
    competency = frameworks.competency_for_editing(current_user, competency_id)
    if form is None:
        form = _competency_form(competency)
        form.title.data, form.description.data = competency.title, competency.description
        form.credentials.data = [c.id for c in competency.credentials]
    return render_template(
        "learning/design_competency.html",
        competency=competency,
        framework=competency.framework,
        form=form,
        question=question or QuestionForm(prefix="question"),
        action=ActionForm(),
    ), status


@bp.route("/learning/design/competencies/<int:competency_id>", methods=["GET", "POST"])
@designer
def design_competency(competency_id: int) -> Any:
    """The competency, its credentials and its pre-assessment; posting saves or (with
    ``action=remove``) removes it."""
    competency = frameworks.competency_for_editing(current_user, competency_id)
    if request.method == "GET":
        return _competency_page(competency_id)
    form = _competency_form(competency)
    if request.form.get("action") == "remove":
        done = _saved(
            form,
            _("Competency removed."),
            lambda: frameworks.remove_competency(current_user, competency),
            _to_editor(competency.framework_id),
        )
    else:
        done = _saved(
            form,
            _("Competency saved."),
            lambda: frameworks.update_competency(
                current_user,
                competency,
                {
                    "title": form.title.data,
                    "description": form.description.data,
                    "credentials": list(form.credentials.data or []),
                },
            ),
            _to_competency(competency_id),
        )
    return done or _competency_page(competency_id, 422, form=form)


@bp.post("/learning/design/competencies/<int:competency_id>/questions")
@designer
def design_add_question(competency_id: int) -> Any:
    competency = frameworks.competency_for_editing(current_user, competency_id)
    form = QuestionForm(prefix="question")
    correct = form.correct.data
    done = _saved(
        form,
        _("Question added."),
        lambda: frameworks.add_question(
            current_user,
            competency,
            {
                "kind": form.kind.data,
                "prompt": form.prompt.data,
                "options": lines(form.options.data),
                "correct": correct - 1 if isinstance(correct, int) else None,
            },
        ),
        _to_competency(competency_id, "questions"),
    )
    return done or _competency_page(competency_id, 422, question=form)


@bp.post("/learning/design/questions/<int:question_id>/remove")
@designer
def design_remove_question(question_id: int) -> Any:
    question = frameworks.question_for_editing(current_user, question_id)
    done = _saved(
        ActionForm(),
        _("Question removed."),
        lambda: frameworks.remove_question(current_user, question),
        _to_competency(question.competency_id),
    )
    if done is None:
        raise InvalidInput(_("The form expired; reload the page and try again."))
    return done


@bp.post("/learning/design/<int:framework_id>/publish")
@designer
def design_publish(framework_id: int) -> Any:
    found = frameworks.get_for_editing(current_user, framework_id)
    done = _saved(
        ActionForm(),
        _("Published: teachers can now assess themselves on it."),
        lambda: frameworks.publish(current_user, found),
        _to_editor(framework_id),
    )
    return done or _editor(framework_id, 422)


# --- the growth plan ----------------------------------------------------------------------

PLANS_PER_PAGE = 10


@bp.route("/learning/plans", methods=["GET", "POST"])
@login_required
def plans_index() -> Any:
    form = PlanForm()
    if request.method == "POST" and form.validate_on_submit():
        with attempt(form, _("Plan created. Now write your first goal.")) as outcome:
            made = plans.create_plan(current_user, {"title": form.title.data})
        if outcome.ok:
            return redirect(url_for("learning.plan_new_goal", plan_id=made.id), 303)
    mine = plans.my_plans(current_user, page_args(prefix="mine_", default=PLANS_PER_PAGE))
    coached = plans.coached_plans(
        current_user, page_args(prefix="coached_", default=PLANS_PER_PAGE)
    )
    shared = plans.shared_plans(current_user, page_args(prefix="shared_", default=PLANS_PER_PAGE))
    return render_template(
        "learning/plans.html", form=form, mine=mine, coached=coached, shared=shared
    ), _status()


def _plan_page(plan_id: int, status: int = 200, **forms: Any) -> Any:
    view = plans.view_plan(current_user, plan_id)
    goal_forms = {
        g.id: {
            "progress": forms.get(f"progress-{g.id}")
            or ProgressForm(prefix=f"progress-{g.id}", formdata=None),
            "comment": forms.get(f"comment-{g.id}")
            or CommentForm(prefix=f"comment-{g.id}", formdata=None),
        }
        for g in view.plan.goals
    }
    charts = {g.id: plans.chart(g) for g in view.plan.goals}
    return render_template(
        "learning/plan.html",
        view=view,
        plan=view.plan,
        charts=charts,
        goal_forms=goal_forms,
        coach_form=forms.get("coach") or CoachForm(formdata=None),
        action=ActionForm(formdata=None),
        today=utcnow().date(),
        number=plans.number,
    ), status


@bp.get("/learning/plans/<int:plan_id>")
@login_required
def plan(plan_id: int) -> Any:
    return _plan_page(plan_id)


_GOAL_TEXT = ("what", "why", "indicator", "unit", "target_value", "target_date")


def _goal_form(goal: Goal | None = None) -> GoalForm:
    """The goal form with what a goal may serve; editing, filled from ``goal`` on GET."""
    form = GoalForm()
    form.competencies.choices, form.credentials.choices = plans.goal_choices()
    if goal is not None:
        for label, choices in (
            ("competencies", [(c.id, c.title) for c in goal.competencies]),
            (
                "credentials",
                [
                    (c.id, _("Credential %(id)s (no longer published)", id=c.id))
                    for c in goal.credentials
                ],
            ),
        ):  # a goal's own links stay offered (a credential since retired)
            field = getattr(form, label)
            offered = {value for value, _label in field.choices}
            field.choices += [(i, t) for i, t in choices if i not in offered]
    if goal is not None and request.method == "GET":
        for name in _GOAL_TEXT:
            value = getattr(goal, name)
            getattr(form, name).data = plans.number(value) if name == "target_value" else str(value)
        form.target_date.data = goal.target_date.isoformat()
        form.competencies.data = [c.id for c in goal.competencies]
        form.credentials.data = [c.id for c in goal.credentials]
    return form


def _save_goal(form: GoalForm, message: str, save: Callable[[dict[str, Any]], Goal]) -> Any:
    """Add or change a goal from ``form``: the redirect to it on the plan, or None (the
    messages are on the form, the links' too)."""
    if request.method != "POST" or not form.validate_on_submit():
        return None
    data: dict[str, Any] = {name: getattr(form, name).data for name in _GOAL_TEXT}
    data["competency_ids"] = form.competencies.data or []
    data["credential_ids"] = form.credentials.data or []
    with attempt(form, message) as outcome:
        goal = save(data)
    if outcome.ok:
        return redirect(
            url_for("learning.plan", plan_id=goal.plan_id, _anchor=f"goal-{goal.id}"), 303
        )
    fields = outcome.error.fields if outcome.error is not None else {}
    form.competencies.errors = list(fields.get("competency_ids", []))
    form.credentials.errors = list(fields.get("credential_ids", []))
    return None


@bp.route("/learning/plans/<int:plan_id>/goals/new", methods=["GET", "POST"])
@login_required
def plan_new_goal(plan_id: int) -> Any:
    plans.own_plan(current_user, plan_id)
    form = _goal_form()
    done = _save_goal(
        form, _("Goal added."), lambda data: plans.add_goal(current_user, plan_id, data)
    )
    found = plans.own_plan(current_user, plan_id)
    return done or (
        render_template("learning/plan_goal.html", plan=found, goal=None, form=form),
        _status(),
    )


@bp.route("/learning/goals/<int:goal_id>/edit", methods=["GET", "POST"])
@login_required
def plan_edit_goal(goal_id: int) -> Any:
    """Change a goal of her own plan (the same rules as adding one)."""
    form = _goal_form(plans.own_goal(current_user, goal_id))
    done = _save_goal(
        form, _("Goal saved."), lambda data: plans.update_goal(current_user, goal_id, data)
    )
    goal = plans.own_goal(current_user, goal_id)
    return done or (
        render_template("learning/plan_goal.html", plan=goal.plan, goal=goal, form=form),
        _status(),
    )


@bp.route("/learning/goals/<int:goal_id>/delete", methods=["GET", "POST"])
@login_required
def plan_delete_goal(goal_id: int) -> Any:
    """Ask first (what goes with the goal), then delete it."""
    goal = plans.own_goal(current_user, goal_id)
    plan_id = goal.plan_id
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        with attempt(form, _("Goal deleted, with its progress and comments.")) as outcome:
            plans.remove_goal(current_user, goal_id)
        if outcome.ok:
            return redirect(url_for("learning.plan", plan_id=plan_id), 303)
        goal = plans.own_goal(current_user, goal_id)
    return render_template(
        "learning/plan_goal_delete.html", goal=goal, plan=goal.plan, form=form
    ), _status()


@bp.post("/learning/plans/<int:plan_id>/sharing")
@login_required
def plan_sharing(plan_id: int) -> Any:
    form = ActionForm()
    share = request.form.get("share")
    if form.validate_on_submit():
        if share not in ("on", "off"):
            raise InvalidInput(_("Choose on or off."), {"share": [_("on or off.")]})
        on = share == "on"
        plans.update_plan(current_user, plan_id, {"shared_with_district": on})
        flash(
            _("Your district's credit officers can now read this plan.")
            if on
            else _("This plan is no longer shared with your district."),
            "success",
        )
        return redirect(url_for("learning.plan", plan_id=plan_id, _anchor="sharing"), 303)
    plans.own_plan(current_user, plan_id)
    return _plan_page(plan_id, 422)


@bp.post("/learning/plans/<int:plan_id>/coaches")
@login_required
def plan_invite_coach(plan_id: int) -> Any:
    form = CoachForm()
    plans.own_plan(current_user, plan_id)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            coach = plans.invite_coach(current_user, plan_id, form.email.data)
        if outcome.ok:
            flash(_("Invitation sent to %(email)s.", email=coach.email), "success")
            return redirect(url_for("learning.plan", plan_id=plan_id, _anchor="coaches"), 303)
    return _plan_page(plan_id, 422, coach=form)


@bp.post("/learning/plans/<int:plan_id>/coaches/<int:coach_id>/remove")
@login_required
def plan_remove_coach(plan_id: int, coach_id: int) -> Any:
    form = ActionForm()
    plans.own_plan(current_user, plan_id)
    if not form.validate_on_submit():
        return _plan_page(plan_id, 422)
    plans.remove_coach(current_user, plan_id, coach_id)
    flash(_("Coach removed: she no longer sees this plan."), "success")
    return redirect(url_for("learning.plan", plan_id=plan_id, _anchor="coaches"), 303)


def _commentable_plan_id(goal_id: int) -> int:
    """The plan of a goal ``current_user`` may comment on (hers, or one she coaches); 404
    otherwise (a district reader reads only)."""
    plan_id = plans.goal_plan_id(goal_id)
    if plan_id is None or not plans.view_plan(current_user, plan_id).access.may_comment:
        raise NotFound(_("There is no goal with that id on a plan you coach."))
    return plan_id


@bp.post("/learning/goals/<int:goal_id>/progress")
@login_required
def goal_progress(goal_id: int) -> Any:
    plan_id = plans.own_goal(current_user, goal_id).plan_id  # 404 unless hers
    form = ProgressForm(prefix=f"progress-{goal_id}")
    if form.validate_on_submit():
        with attempt(form, _("Progress recorded.")) as outcome:
            plans.record_progress(
                current_user,
                goal_id,
                {
                    "recorded_on": form.recorded_on.data,
                    "value": form.value.data,
                    "note": form.note.data,
                },
            )
        if outcome.ok:
            return redirect(
                url_for("learning.plan", plan_id=plan_id, _anchor=f"goal-{goal_id}"), 303
            )
    return _plan_page(plan_id, 422, **{f"progress-{goal_id}": form})


@bp.route("/learning/progress/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def progress_edit(entry_id: int) -> Any:
    """Change a progress entry of her own plan; the page also offers to delete it."""
    entry = plans.own_entry(current_user, entry_id)
    form = ProgressForm(prefix="progress")
    if request.method == "GET":
        form.recorded_on.data = entry.recorded_on.isoformat()
        form.value.data = plans.number(entry.value)
        form.note.data = entry.note
    elif form.validate_on_submit():
        goal_id, plan_id = entry.goal_id, entry.goal.plan_id
        with attempt(form, _("Progress entry saved.")) as outcome:
            plans.update_progress(
                current_user,
                entry_id,
                {
                    "recorded_on": form.recorded_on.data,
                    "value": form.value.data,
                    "note": form.note.data,
                },
            )
        if outcome.ok:
            return redirect(
                url_for("learning.plan", plan_id=plan_id, _anchor=f"goal-{goal_id}"), 303
            )
        entry = plans.own_entry(current_user, entry_id)
    return render_template(
        "learning/plan_progress.html",
        entry=entry,
        goal=entry.goal,
        plan=entry.goal.plan,
        form=form,
        action=ActionForm(formdata=None),
        number=plans.number,
    ), _status()


@bp.post("/learning/progress/<int:entry_id>/delete")
@login_required
def progress_delete(entry_id: int) -> Any:
    entry = plans.own_entry(current_user, entry_id)
    goal_id, plan_id = entry.goal_id, entry.goal.plan_id
    if not ActionForm().validate_on_submit():
        raise InvalidInput(_("The form expired; reload the page and try again."))
    plans.remove_progress(current_user, entry_id)
    flash(_("Progress entry deleted."), "success")
    return redirect(url_for("learning.plan", plan_id=plan_id, _anchor=f"goal-{goal_id}"), 303)


@bp.post("/learning/comments/<int:comment_id>/delete")
@login_required
def comment_delete(comment_id: int) -> Any:
    """Delete a comment she wrote (on her plan, or a plan she coaches)."""
    plan_id = plans.own_comment(current_user, comment_id).goal.plan_id
    if not ActionForm().validate_on_submit():
        raise InvalidInput(_("The form expired; reload the page and try again."))
    goal_id = plans.remove_comment(current_user, comment_id)
    flash(_("Comment deleted."), "success")
    return redirect(url_for("learning.plan", plan_id=plan_id, _anchor=f"comments-{goal_id}"), 303)


@bp.post("/learning/goals/<int:goal_id>/comments")
@login_required
def goal_comment(goal_id: int) -> Any:
    plan_id = _commentable_plan_id(goal_id)
    form = CommentForm(prefix=f"comment-{goal_id}")
    if form.validate_on_submit():
        with attempt(form, _("Comment posted.")) as outcome:
            made = plans.comment(current_user, goal_id, {"body": form.body.data})
        if outcome.ok:
            return redirect(
                url_for("learning.plan", plan_id=plan_id, _anchor=f"comment-{made.id}"), 303
            )
    return _plan_page(plan_id, 422, **{f"comment-{goal_id}": form})
