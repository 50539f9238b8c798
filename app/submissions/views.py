"""The teacher's pages: my submissions, a draft with its prompts, submit, withdraw, download.

The draft page works without JavaScript (each form posts and redirects); with it, answers
save as the teacher types (the same routes answer JSON to ``Accept: application/json``) and
large files go straight to S3.
"""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.forms import EmptyForm
from app.db import db
from app.errors import Conflict, InvalidInput, wants_json
from app.forms import attempt
from app.models.submissions import Submission, SubmissionStatus
from app.pagination import page_args
from app.responses import file_response
from app.reviews.service import feedback
from app.security import body_limit, content_security_policy, login_required
from app.storage import storage
from app.submissions import bp, service
from app.submissions.api import dump

NEXT_STEP = {
    SubmissionStatus.DRAFT: _l("Finish the prompts and submit."),
    SubmissionStatus.SUBMITTED: _l("Waiting for a reviewer."),
    SubmissionStatus.IN_REVIEW: _l("A reviewer is scoring it."),
    SubmissionStatus.PASSED: _l("Passed: your badge is on its way."),
    SubmissionStatus.NOT_YET: _l("Read the feedback and start a new attempt."),
    SubmissionStatus.WITHDRAWN: _l("Withdrawn: start a new attempt when you are ready."),
}
STATUS_NAMES = {
    SubmissionStatus.DRAFT: _l("Draft"),
    SubmissionStatus.SUBMITTED: _l("Submitted"),
    SubmissionStatus.IN_REVIEW: _l("In review"),
    SubmissionStatus.PASSED: _l("Passed"),
    SubmissionStatus.NOT_YET: _l("Not yet"),
    SubmissionStatus.WITHDRAWN: _l("Withdrawn"),
}


def _page(submission: Submission, anchor: str = "") -> Any:
    return redirect(url_for("submissions.show", submission_id=submission.id) + anchor)


def _form_ok() -> bool:
    """The posted form carries a valid CSRF token (checked app-wide too; this names it)."""
    if EmptyForm().validate_on_submit():
        return True
    if wants_json():
        raise InvalidInput(_("The page expired; reload it and try again."))
    flash(_("The form expired; please try again."), "error")
    return False


@bp.get("/submissions")
@login_required
def index() -> Any:
    return render_template(
        "submissions/index.html",
        submissions=service.mine(current_user, page_args()),
        next_step=NEXT_STEP,
        status_names=STATUS_NAMES,
    )


@bp.post("/submissions/start/<int:credential_id>")
@login_required
def start(credential_id: int) -> Any:
    if not _form_ok():
        return redirect(url_for("submissions.index"))
    try:
        submission = service.start(current_user, credential_id)
    except Conflict as error:
        db.session.rollback()
        existing = service.open_attempt(current_user, credential_id)
        if existing is None:  # the attempt limit, not an open draft
            flash(error.message, "error")
            return redirect(url_for("submissions.index"))
        flash(_("You already have this credential open; here it is."), "info")
        return _page(existing)
    flash(_("Your draft is ready. Answers save as you type; come back any time."), "success")
    return _page(submission)


@bp.post("/submissions/<int:submission_id>/again")
@login_required
def again(submission_id: int) -> Any:
    previous = service.get_own(current_user, submission_id)
    if not _form_ok():
        return _page(previous)
    with attempt() as outcome:
        submission, redo = service.try_again(current_user, previous)
    if not outcome.ok:
        return _page(previous)
    message = _(
        "Attempt %(number)s is ready, filled in from your last one.", number=submission.attempt
    )
    if redo:
        message += " " + _(
            "This version of the credential changed; answer again: %(prompts)s",
            prompts="; ".join(redo),
        )
    flash(message, "success")
    return _page(submission)


@bp.get("/submissions/<int:submission_id>")
@login_required
def show(submission_id: int) -> Any:
    submission = service.get_own(current_user, submission_id)
    direct = submission.is_draft and service.direct_uploads_enabled()
    response = render_template(
        "submissions/show.html",
        s=submission,
        answers={a.prompt_id: a for a in submission.answers},
        missing=service.problems(submission) if submission.is_draft else [],
        form=EmptyForm(),
        next_step=NEXT_STEP,
        status_names=STATUS_NAMES,
        direct_min_bytes=service.DIRECT_UPLOAD_MIN_BYTES if direct else 0,
        attempts_left=service.attempts_left(current_user, submission.credential_id),
        file_limit=service.file_limit,
        feedback=feedback(submission),
    )
    headers = {}
    if direct:
        origin = storage().upload_origin()  # type: ignore[union-attr]
        headers["Content-Security-Policy"] = content_security_policy(connect_src=origin)
    return response, 200, headers


@bp.post("/submissions/<int:submission_id>/answers/<int:prompt_id>")
@login_required
def save_answer(submission_id: int, prompt_id: int) -> Any:
    """Save one answer: a form post (redirect) or the page's autosave (JSON)."""
    submission = service.get_own(current_user, submission_id, lock=True)
    anchor = f"#prompt-{prompt_id}"
    if not _form_ok():
        return _page(submission, anchor)
    data = {"text": request.form.get("text"), "url": request.form.get("url")}
    if wants_json():  # errors answer JSON through the error handlers
        answer = service.save_answer(current_user, submission, prompt_id, data)
        return jsonify(
            {
                "saved_at": answer.updated_at.isoformat(),
                "words": service.words(answer.text),
                "missing": service.problems(submission),
            }
        )
    with attempt(success=_("Saved.")):
        service.save_answer(current_user, submission, prompt_id, data)
    return _page(submission, anchor)


@bp.post("/submissions/<int:submission_id>/files")
@body_limit(service.upload_limit_for)
@login_required
def upload(submission_id: int) -> Any:
    submission = service.get_own(current_user, submission_id, lock=True)
    upload = request.files.get("file")
    prompt_id = request.form.get("prompt_id", "")
    anchor = f"#prompt-{prompt_id}" if prompt_id.isdigit() else ""
    if not _form_ok():
        return _page(submission, anchor)
    if upload is None or not upload.filename or not prompt_id.isdigit():
        flash(_("Choose a file to upload."), "error")
        return _page(submission, anchor)
    with attempt() as outcome:
        record = service.add_file(
            current_user, submission, int(prompt_id), upload.stream, upload.filename
        )
    if not outcome.ok:
        return _page(submission, anchor)
    try:  # committed here, not at the request's edge, so a failed commit deletes the file
        db.session.commit()
    except Exception:
        storage().delete(record.storage_key)
        raise
    flash(_("%(name)s is uploaded.", name=record.filename), "success")
    return _page(submission, anchor)


@bp.post("/submissions/<int:submission_id>/files/<int:file_id>/delete")
@login_required
def remove_file(submission_id: int, file_id: int) -> Any:
    submission = service.get_own(current_user, submission_id, lock=True)
    if _form_ok():
        with attempt(success=_("The file is removed.")):
            service.remove_file(current_user, submission, file_id)
    return _page(submission)


@bp.post("/submissions/<int:submission_id>/uploads")
@login_required
def begin_upload(submission_id: int) -> Any:
    """The page asks for a presigned S3 form for a large file (JSON)."""
    submission = service.get_own(current_user, submission_id)
    _form_ok()
    prompt_id = request.form.get("prompt_id", "")
    if not prompt_id.isdigit():
        raise InvalidInput(_("Say which prompt the file is for."), {"prompt_id": [_("Required.")]})

    post = service.begin_direct_upload(
        current_user,
        submission,
        int(prompt_id),
        request.form.get("filename", ""),
        request.form.get("content_type", ""),
    )
    return jsonify(post), 201


@bp.post("/submissions/<int:submission_id>/uploads/complete")
@login_required
def complete_upload(submission_id: int) -> Any:
    submission = service.get_own(current_user, submission_id, lock=True)
    _form_ok()
    record = service.complete_direct_upload(current_user, submission, request.form.get("token", ""))
    flash(_("%(name)s is uploaded.", name=record.filename), "success")
    return jsonify(dump(submission)), 201


@bp.get("/submissions/<int:submission_id>/files/<int:file_id>")
@login_required
def download(submission_id: int, file_id: int) -> Any:
    submission = service.get_own(current_user, submission_id)
    return file_response(service.own_file(submission, file_id))


@bp.post("/submissions/<int:submission_id>/<any(submit, withdraw):action>")
@login_required
def act(submission_id: int, action: str) -> Any:
    submission = service.get_own(current_user, submission_id, lock=True)
    if _form_ok():
        with attempt():
            if action == "submit":
                service.submit(
                    current_user,
                    submission,
                    evidence_public=request.form.get("evidence_public") == "yes",
                )
                message = _("Submitted. It is frozen now, exactly as a reviewer will see it.")
            else:
                service.withdraw(current_user, submission)
                message = _("Withdrawn. You can start a new attempt from it whenever you like.")
            flash(message, "success")
    return _page(submission)
