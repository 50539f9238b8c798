"""The teacher's pages: my submissions, a draft with its prompts, submit, withdraw, download."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.auth.forms import EmptyForm
from app.db import db
from app.errors import AppError, Conflict, NotFound
from app.forms import report_error
from app.models.submissions import EvidenceFile, Submission, SubmissionStatus
from app.security import login_required
from app.submissions import bp, service

NEXT_STEP = {
    SubmissionStatus.DRAFT: "Finish the prompts and submit.",
    SubmissionStatus.SUBMITTED: "Waiting for a reviewer.",
    SubmissionStatus.IN_REVIEW: "A reviewer is scoring it.",
    SubmissionStatus.PASSED: "Passed: your badge is on its way.",
    SubmissionStatus.NOT_YET: "Read the feedback and try again.",
    SubmissionStatus.WITHDRAWN: "Withdrawn.",
}


def _page(submission: Submission) -> Any:
    return redirect(url_for("submissions.show", submission_id=submission.id))


@bp.get("/submissions")
@login_required
def index() -> Any:
    return render_template(
        "submissions/index.html", submissions=service.mine(current_user), next_step=NEXT_STEP
    )


@bp.post("/submissions/start/<int:credential_id>")
@login_required
def start(credential_id: int) -> Any:
    if not EmptyForm().validate_on_submit():
        flash("The form expired; please try again.", "error")
        return redirect(url_for("submissions.index"))
    try:
        submission = service.start(current_user, credential_id)
    except Conflict:
        db.session.rollback()
        existing = next(
            s
            for s in service.mine(current_user)
            if s.credential_id == credential_id and s.status in ("draft", "submitted", "in_review")
        )
        flash("You already have this credential open; here it is.", "info")
        return _page(existing)
    db.session.commit()
    flash("Your draft is ready. Answers save when you press Save; come back any time.", "success")
    return _page(submission)


@bp.get("/submissions/<int:submission_id>")
@login_required
def show(submission_id: int) -> Any:
    submission = service.get_own(current_user, submission_id)
    answers = {a.prompt_id: a for a in submission.answers}
    return render_template(
        "submissions/show.html",
        s=submission,
        answers=answers,
        missing=service.problems(submission) if submission.is_draft else [],
        form=EmptyForm(),
        next_step=NEXT_STEP,
    )


@bp.post("/submissions/<int:submission_id>/answers/<int:prompt_id>")
@login_required
def save_answer(submission_id: int, prompt_id: int) -> Any:
    submission = service.get_own(current_user, submission_id)
    if EmptyForm().validate_on_submit():
        try:
            service.save_answer(
                current_user,
                submission,
                prompt_id,
                {"text": request.form.get("text"), "url": request.form.get("url")},
            )
        except AppError as error:
            report_error(error)
        else:
            db.session.commit()
            flash("Saved.", "success")
    return redirect(
        url_for("submissions.show", submission_id=submission_id) + f"#prompt-{prompt_id}"
    )


@bp.post("/submissions/<int:submission_id>/files")
@login_required
def upload(submission_id: int) -> Any:
    submission = service.get_own(current_user, submission_id)
    upload = request.files.get("file")
    prompt_id = request.form.get("prompt_id", "")
    if EmptyForm().validate_on_submit() and upload is not None and prompt_id.isdigit():
        try:
            record = service.add_file(
                current_user, submission, int(prompt_id), upload.stream, upload.filename or ""
            )
        except AppError as error:
            report_error(error)
        else:
            try:
                db.session.commit()
            except Exception:
                service.storage().delete(record.storage_key)
                raise
            flash(f"{record.filename} is uploaded.", "success")
    else:
        flash("Choose a file to upload.", "error")
    return redirect(
        url_for("submissions.show", submission_id=submission_id) + f"#prompt-{prompt_id}"
    )


@bp.get("/submissions/<int:submission_id>/files/<int:file_id>")
@login_required
def download(submission_id: int, file_id: int) -> Any:
    submission = service.get_own(current_user, submission_id)
    record = db.session.scalar(
        select(EvidenceFile).where(
            EvidenceFile.id == file_id, EvidenceFile.submission_id == submission.id
        )
    )
    if record is None:
        raise NotFound("There is no such file.")
    response = Response(
        service.storage().open(record.storage_key), mimetype="application/octet-stream"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{record.filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/submissions/<int:submission_id>/<any(submit, withdraw):action>")
@login_required
def act(submission_id: int, action: str) -> Any:
    submission = service.get_own(current_user, submission_id)
    if EmptyForm().validate_on_submit():
        try:
            if action == "submit":
                service.submit(current_user, submission)
                message = "Submitted. It is frozen now, exactly as a reviewer will see it."
            else:
                service.withdraw(current_user, submission)
                message = "Withdrawn."
        except AppError as error:
            report_error(error)
        else:
            db.session.commit()
            flash(message, "success")
    return _page(submission)
