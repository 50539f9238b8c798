"""Pages of a teacher's action research: her projects and those she coaches, a new project,
the project with its steps and checkpoints, the steps' editor, a checkpoint (the entry, files,
feedback) and "Use this in a submission". Rules live in ``app.learning.research``."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.db import db
from app.errors import Conflict, NotFound
from app.forms import attempt
from app.learning import bp
from app.learning import research as projects
from app.learning.forms import ActionForm
from app.learning.research_forms import (
    CheckpointForm,
    EntryForm,
    FeedbackForm,
    NewProjectForm,
    StepsForm,
    SubmissionForm,
)
from app.models.learning import ResearchProject
from app.pagination import page_args
from app.responses import file_response
from app.security import body_limit, login_required
from app.storage import storage

PROJECTS_PER_PAGE = 10
NONE = [("", _l("None"))]


def _status() -> int:
    return 422 if request.method == "POST" else 200


@bp.context_processor
def _words() -> dict[str, Any]:
    """For the learning pages: ``research_status(project.status)`` puts a status in words."""
    return {"research_status": projects.status_label}


def _warn(warnings: list[projects.NameWarning]) -> None:
    for warning in warnings:
        flash(
            _(
                "%(field)s: %(warning)s",
                field=projects.label(warning.field),
                warning=warning.message,
            ),
            "warning",
        )


def _to_project(project_id: int, anchor: str | None = None) -> Any:
    return redirect(url_for("learning.research", project_id=project_id, _anchor=anchor), 303)


def _to_checkpoint(project_id: int, number: int, anchor: str | None = None) -> Any:
    return redirect(
        url_for(
            "learning.research_checkpoint", project_id=project_id, number=number, _anchor=anchor
        ),
        303,
    )


@bp.get("/learning/research")
@login_required
def research_index() -> Any:
    mine = projects.my_projects(current_user, page_args(prefix="mine_", default=PROJECTS_PER_PAGE))
    coached = projects.coached_projects(
        current_user, page_args(prefix="coached_", default=PROJECTS_PER_PAGE)
    )
    return render_template("learning/research_index.html", mine=mine, coached=coached)


@bp.route("/learning/research/new", methods=["GET", "POST"])
@login_required
def research_new() -> Any:
    form = NewProjectForm()
    form.plan_id.choices = [(str(i), t) for i, t in projects.plan_choices(current_user)]
    form.goal_id.choices = NONE + [(str(i), t) for i, t in projects.goal_choices(current_user)]
    form.credential_id.choices = NONE + [(str(i), t) for i, t in projects.credential_choices()]
    if request.method == "GET":
        form.plan_id.data = request.args.get("plan_id") or form.plan_id.data
        form.goal_id.data = request.args.get("goal_id") or ""
    if request.method == "POST" and form.validate_on_submit():
        data = {
            name: getattr(form, name).data
            for name in ("title", "plan_id", "goal_id", "credential_id", "question")
        }
        with attempt(form, _("Your action research is started. Now fill in the steps.")) as outcome:
            project = projects.create_project(current_user, data)
            warnings = projects.project_warnings(project)
        if outcome.ok:
            _warn(warnings)
            return _to_project(project.id)
    return render_template("learning/research_new.html", form=form), _status()


def _project_page(project_id: int, status: int = 200, **forms: Any) -> Any:
    view = projects.view_project(current_user, project_id)
    return render_template(
        "learning/research.html",
        view=view,
        project=view.project,
        checkpoint_form=forms.get("checkpoint") or CheckpointForm(formdata=None),
        action=ActionForm(formdata=None),
        warnings=projects.project_warnings(view.project),
        steps=projects.STEPS,
        labels=projects.LABELS,
    ), status


@bp.get("/learning/research/<int:project_id>")
@login_required
def research(project_id: int) -> Any:
    return _project_page(project_id)


@bp.route("/learning/research/<int:project_id>/steps", methods=["GET", "POST"])
@login_required
def research_steps(project_id: int) -> Any:
    project = projects.own_project(current_user, project_id)
    form = StepsForm(obj=project if request.method == "GET" else None)
    form.goal_id.choices = NONE + [
        (str(i), t) for i, t in projects.goal_choices(current_user, plan_id=project.plan_id)
    ]
    form.credential_id.choices = NONE + [(str(i), t) for i, t in projects.credential_choices()]
    if request.method == "GET":
        form.goal_id.data = str(project.goal_id or "")
        form.credential_id.data = str(project.credential_id or "")
    if request.method == "POST" and form.validate_on_submit():
        names = ("title", *projects.STEP_NAMES, "goal_id", "credential_id")
        data = {name: getattr(form, name).data for name in names}
        with attempt(form, _("Saved.")) as outcome:
            saved = projects.update_project(current_user, project_id, data)
            warnings = projects.project_warnings(saved)
        if outcome.ok:
            _warn(warnings)
            return _to_project(project_id, "steps")
        project = projects.own_project(current_user, project_id)
    return render_template("learning/research_steps.html", project=project, form=form), _status()


@bp.post("/learning/research/<int:project_id>/<any(start, finish):action>")
@login_required
def research_status(project_id: int, action: str) -> Any:
    projects.own_project(current_user, project_id)
    if not ActionForm().validate_on_submit():
        return _project_page(project_id, 422)
    with attempt() as outcome:
        if action == "start":
            projects.start(current_user, project_id)
            flash(_("Your action research is under way."), "success")
        else:
            projects.finish(current_user, project_id)
            flash(_("Finished. Use it in a submission when you are ready."), "success")
    if not outcome.ok:
        return _project_page(project_id, 422)
    return _to_project(project_id)


@bp.post("/learning/research/<int:project_id>/checkpoints")
@login_required
def research_add_checkpoint(project_id: int) -> Any:
    projects.own_project(current_user, project_id)
    form = CheckpointForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            made = projects.add_checkpoint(
                current_user, project_id, {"due_on": form.due_on.data, "focus": form.focus.data}
            )
            number = made.number
            warnings = projects.checkpoint_warnings(made)
        if outcome.ok:
            flash(_("Checkpoint %(number)s added.", number=number), "success")
            _warn(warnings)
            return _to_project(project_id, f"checkpoint-{number}")
    return _project_page(project_id, 422, checkpoint=form)


def _checkpoint_page(project_id: int, number: int, status: int = 200, **forms: Any) -> Any:
    view = projects.view_project(current_user, project_id)
    checkpoint = projects.checkpoint_of(view.project, number)
    owner = view.access == projects.Access.OWNER
    entry = forms.get("entry") or EntryForm(
        formdata=None, data={"did": checkpoint.did, "found": checkpoint.found}
    )
    edit = forms.get("edit") or CheckpointForm(
        formdata=None,
        data={"due_on": checkpoint.due_on.isoformat(), "focus": checkpoint.focus},
    )
    return render_template(
        "learning/research_checkpoint.html",
        view=view,
        project=view.project,
        checkpoint=checkpoint,
        owner=owner,
        entry=entry,
        edit=edit,
        feedback_form=forms.get("feedback") or FeedbackForm(formdata=None),
        action=ActionForm(formdata=None),
        warnings=projects.checkpoint_warnings(checkpoint),
        labels=projects.LABELS,
        kinds=projects.RESEARCH_KINDS,
        limit_mb=projects.file_limit() // projects.MB,
    ), status


@bp.route("/learning/research/<int:project_id>/checkpoints/<int:number>", methods=["GET", "POST"])
@login_required
def research_checkpoint(project_id: int, number: int) -> Any:
    if request.method == "GET":
        return _checkpoint_page(project_id, number)
    project = projects.own_project(current_user, project_id)
    was_posted = projects.checkpoint_of(project, number).is_posted
    form = EntryForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            checkpoint = projects.post_entry(
                current_user, project_id, number, {"did": form.did.data, "found": form.found.data}
            )
            warnings = projects.checkpoint_warnings(checkpoint)
        if outcome.ok:
            flash(
                _("Saved.") if was_posted else _("Posted. Your coaches are told by e-mail."),
                "success",
            )
            _warn(warnings)
            return _to_checkpoint(project_id, number)
    return _checkpoint_page(project_id, number, 422, entry=form)


@bp.post("/learning/research/<int:project_id>/checkpoints/<int:number>/edit")
@login_required
def research_edit_checkpoint(project_id: int, number: int) -> Any:
    projects.own_project(current_user, project_id)
    form = CheckpointForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            checkpoint = projects.edit_checkpoint(
                current_user,
                project_id,
                number,
                {"due_on": form.due_on.data, "focus": form.focus.data},
            )
            moved_to = checkpoint.number
            warnings = projects.checkpoint_warnings(checkpoint)
        if outcome.ok:
            flash(
                _("Saved.")
                if moved_to == number
                else _("Saved: it is checkpoint %(number)s now.", number=moved_to),
                "success",
            )
            _warn(warnings)
            return _to_checkpoint(project_id, moved_to)
    return _checkpoint_page(project_id, number, 422, edit=form)


@bp.post("/learning/research/<int:project_id>/checkpoints/<int:number>/remove")
@login_required
def research_remove_checkpoint(project_id: int, number: int) -> Any:
    projects.own_project(current_user, project_id)
    if not ActionForm().validate_on_submit():
        return _checkpoint_page(project_id, number, 422)
    with attempt() as outcome:
        projects.remove_checkpoint(current_user, project_id, number)
    if not outcome.ok:
        return _checkpoint_page(project_id, number, 422)
    flash(_("Checkpoint %(number)s removed; the later ones moved up.", number=number), "success")
    return _to_project(project_id, "checkpoints")


@bp.post("/learning/research/<int:project_id>/checkpoints/<int:number>/files")
@body_limit(projects.upload_limit)
@login_required
def research_upload(project_id: int, number: int) -> Any:
    projects.own_project(current_user, project_id)
    upload = request.files.get("file")
    if not ActionForm().validate_on_submit():
        return _checkpoint_page(project_id, number, 422)
    if upload is None or not upload.filename:
        flash(_("Choose a file to upload."), "error")
        return _checkpoint_page(project_id, number, 422)
    with attempt() as outcome:
        record = projects.add_file(current_user, project_id, number, upload.stream, upload.filename)
    if not outcome.ok:
        return _checkpoint_page(project_id, number, 422)
    try:  # committed here, not at the request's edge, so a failed commit deletes the file
        db.session.commit()
    except Exception:
        storage().delete(record.storage_key)
        raise
    flash(_("%(name)s is uploaded.", name=record.filename), "success")
    return _to_checkpoint(project_id, number, "files")


@bp.post("/learning/research/<int:project_id>/files/<int:file_id>/remove")
@login_required
def research_remove_file(project_id: int, file_id: int) -> Any:
    project = projects.own_project(current_user, project_id)
    number = projects.file_of(project, file_id).checkpoint.number
    if not ActionForm().validate_on_submit():
        return _checkpoint_page(project_id, number, 422)
    with attempt() as outcome:
        projects.remove_file(current_user, project_id, file_id)
    if not outcome.ok:
        return _checkpoint_page(project_id, number, 422)
    flash(_("The file is removed."), "success")
    return _to_checkpoint(project_id, number, "files")


@bp.get("/learning/research/<int:project_id>/files/<int:file_id>")
@login_required
def research_file(project_id: int, file_id: int) -> Any:
    return file_response(projects.readable_file(current_user, project_id, file_id))


@bp.post("/learning/research/<int:project_id>/checkpoints/<int:number>/feedback")
@login_required
def research_feedback(project_id: int, number: int) -> Any:
    view = projects.view_project(current_user, project_id)
    projects.checkpoint_of(view.project, number)
    if not view.access.may_give_feedback:  # a district reader reads only
        raise NotFound(_("There is no action research with that id on a plan you coach."))
    form = FeedbackForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            made = projects.give_feedback(
                current_user, project_id, number, {"body": form.body.data}
            )
            made_id = made.id
        if outcome.ok:
            flash(_("Feedback posted."), "success")
            return _to_checkpoint(project_id, number, f"feedback-{made_id}")
    return _checkpoint_page(project_id, number, 422, feedback=form)


@bp.route("/learning/research/<int:project_id>/submission", methods=["GET", "POST"])
@login_required
def research_submission(project_id: int) -> Any:
    projects.own_project(current_user, project_id)  # hers only: 404 for her coaches too
    project: ResearchProject = projects.view_project(current_user, project_id).project
    posted = [c for c in project.checkpoints if c.is_posted]
    form = SubmissionForm()
    form.credential_id.choices = [("", _("Choose a credential"))] + [
        (str(i), t) for i, t in projects.credential_choices()
    ]
    form.checkpoints.choices = [
        (c.number, _("Checkpoint %(number)s", number=c.number)) for c in posted
    ]
    form.files.choices = [(f.id, f.filename) for c in posted for f in c.files]
    if request.method == "GET":
        form.credential_id.data = str(project.credential_id or "")
        form.checkpoints.data = [c.number for c in posted]
        form.files.data = [f.id for c in posted for f in c.files]
    existing = None
    if request.method == "POST" and form.validate_on_submit():
        data = {
            "credential_id": form.credential_id.data,
            "checkpoints": form.checkpoints.data or [],
            "files": form.files.data or [],
        }
        with attempt(form) as outcome:
            carried = projects.to_submission(current_user, project_id, data)
            submission_id = carried.submission.id
        if outcome.ok:
            flash(_("Your draft is ready, filled in from your action research."), "success")
            for problem in carried.not_placed:
                flash(_("Not carried: %(problem)s", problem=problem), "warning")
            return redirect(url_for("submissions.show", submission_id=submission_id), 303)
        if isinstance(outcome.error, Conflict) and outcome.error.fields.get("submission_id"):
            existing = int(outcome.error.fields["submission_id"][0])
    return render_template(
        "learning/research_submission.html",
        project=project,
        posted=posted,
        form=form,
        existing=existing,
    ), _status()
