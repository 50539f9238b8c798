"""Pages of professional learning communities: my communities and those I may join, a
community (members and what each shows, threads, invitations and requests), a thread, the
facilitator's progress view, and peer feedback on drafts (asking from the draft page,
reading a colleague's draft and commenting against the rubric)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.forms import EmptyForm
from app.communities import bp, feedback, service, threads
from app.communities.forms import (
    AskForm,
    CommunityForm,
    InviteForm,
    ReplyForm,
    SharingForm,
    ThreadForm,
)
from app.db import db
from app.errors import InvalidInput
from app.forms import attempt
from app.models.submissions import Submission
from app.pagination import page_args
from app.responses import file_response
from app.security import body_limit, login_required
from app.storage import storage
from app.submissions import service as submissions

PER_PAGE = 10
MEMBERS_PER_PAGE = 20
POSTS_PER_PAGE = 20


def _status() -> int:
    return 422 if request.method == "POST" else 200


def _to(community_id: int, anchor: str = "") -> Any:
    return redirect(
        url_for("communities.show", community_id=community_id, _anchor=anchor or None), 303
    )


def _upload(form: Any) -> threads.Upload | None:
    file = form.file.data
    if file is None or not getattr(file, "filename", ""):
        return None
    return threads.Upload(file.stream, file.filename)


def _commit_files(keys: list[str]) -> None:
    """Commit now, not at the request's edge, so a failed commit deletes the stored files."""
    try:
        db.session.commit()
    except Exception:
        for key in keys:
            storage().delete(key)
        raise


# --- lists and creating -------------------------------------------------------------------


@bp.get("/communities")
@login_required
def index() -> Any:
    return render_template(
        "communities/index.html",
        mine=service.mine(current_user, page_args(prefix="mine_", default=PER_PAGE)),
        invited=service.invited(current_user, page_args(prefix="inv_", default=PER_PAGE)),
        discover=service.discover(current_user, page_args(prefix="find_", default=PER_PAGE)),
        scope_label=service.scope_label,
        action=EmptyForm(formdata=None),
    )


def _choices(form: CommunityForm) -> None:
    form.credential.choices = [(0, _("None: an inquiry question")), *service.credential_choices()]
    districts = service.district_choices(current_user)
    form.district.choices = districts or [(0, _("You belong to no district yet"))]


@bp.route("/communities/new", methods=["GET", "POST"])
@login_required
def new() -> Any:
    form = CommunityForm()
    _choices(form)
    if request.method == "POST" and form.validate_on_submit():
        data = {
            "title": form.title.data,
            "purpose": form.purpose.data,
            "credential_id": form.credential.data or None,
            "scope": form.scope.data,
            "district_id": form.district.data or None,
            "visibility": form.visibility.data,
        }
        with attempt(form, _("Community created. Invite your colleagues.")) as outcome:
            made = service.create(current_user, data)
        if outcome.ok:
            return _to(made.id, "invite")
        fields = outcome.error.fields if outcome.error is not None else {}
        form.credential.errors = list(fields.get("credential_id", []))
        form.district.errors = list(fields.get("district_id", []))
    return render_template("communities/new.html", form=form), _status()


# --- one community ------------------------------------------------------------------------


def _page(community_id: int, status: int = 200, **forms: Any) -> Any:
    found = service.view(current_user, community_id)
    if not found.is_member:
        return render_template(
            "communities/join.html",
            found=found,
            community=found.community,
            scope_label=service.scope_label(found.community),
            action=EmptyForm(formdata=None),
        ), status
    member = found.member
    return render_template(
        "communities/show.html",
        found=found,
        community=found.community,
        scope_label=service.scope_label(found.community),
        members=service.members(found, page_args(prefix="m_", default=MEMBERS_PER_PAGE)),
        threads=threads.threads(found, page_args(prefix="t_", default=PER_PAGE)),
        feedback_requests=feedback.open_requests(found, page_args(prefix="f_", default=PER_PAGE)),
        requests=service.requests_waiting(found, page_args(prefix="r_", default=PER_PAGE)),
        invitations=service.invitations_waiting(found, page_args(prefix="i_", default=PER_PAGE)),
        action=EmptyForm(formdata=None),
        invite_form=forms.get("invite") or InviteForm(formdata=None),
        sharing_form=forms.get("sharing") or SharingForm(formdata=None, obj=member),
        thread_form=forms.get("thread") or ThreadForm(formdata=None),
        file_kinds=threads.FILE_KINDS,
        file_mb=threads.file_limit() // (1024 * 1024),
    ), status


@bp.get("/communities/<int:community_id>")
@login_required
def show(community_id: int) -> Any:
    return _page(community_id)


@bp.post("/communities/<int:community_id>/join")
@login_required
def join(community_id: int) -> Any:
    service.view(current_user, community_id)  # 404 unless she may see it
    if not EmptyForm().validate_on_submit():
        return _page(community_id, 422)
    with attempt() as outcome:
        member = service.join(current_user, community_id)
    if outcome.ok:
        flash(
            _("Welcome: you are a member now.")
            if member.is_active
            else _("Request sent: a facilitator will decide, and you will get an e-mail."),
            "success",
        )
    return _to(community_id)


@bp.post("/communities/<int:community_id>/leave")
@login_required
def leave(community_id: int) -> Any:
    service.view(current_user, community_id)
    if not EmptyForm().validate_on_submit():
        return _page(community_id, 422)
    with attempt() as outcome:
        service.leave(current_user, community_id)
    if outcome.ok:
        flash(_("You left the community."), "success")
        return redirect(url_for("communities.index"), 303)
    return _to(community_id)


@bp.post("/communities/<int:community_id>/invitations")
@login_required
def invite(community_id: int) -> Any:
    service.facilitator_view(current_user, community_id)
    form = InviteForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            made = service.invite(current_user, community_id, form.email.data)
        if outcome.ok:
            flash(_("Invitation sent to %(email)s.", email=made.email), "success")
            return _to(community_id, "invite")
    return _page(community_id, 422, invite=form)


@bp.post("/communities/<int:community_id>/invitations/<int:invitation_id>/delete")
@login_required
def withdraw_invitation(community_id: int, invitation_id: int) -> Any:
    service.facilitator_view(current_user, community_id)
    if not EmptyForm().validate_on_submit():
        return _page(community_id, 422)
    service.withdraw_invitation(current_user, community_id, invitation_id)
    flash(_("Invitation withdrawn."), "success")
    return _to(community_id, "invite")


@bp.post("/communities/<int:community_id>/requests/<int:member_id>")
@login_required
def decide(community_id: int, member_id: int) -> Any:
    service.facilitator_view(current_user, community_id)
    decision = request.form.get("decision")
    if not EmptyForm().validate_on_submit():
        return _page(community_id, 422)
    if decision not in ("approve", "decline"):
        raise InvalidInput(_("Approve or decline."), {"decision": [_("approve or decline.")]})
    member = service.decide(current_user, community_id, member_id, decision == "approve")
    flash(
        _("%(name)s is a member now.", name=member.user.name)
        if decision == "approve"
        else _("Request from %(name)s declined.", name=member.user.name),
        "success",
    )
    return _to(community_id, "requests")


@bp.post("/communities/<int:community_id>/members/<int:member_id>/remove")
@login_required
def remove(community_id: int, member_id: int) -> Any:
    service.facilitator_view(current_user, community_id)
    if not EmptyForm().validate_on_submit():
        return _page(community_id, 422)
    with attempt(success=_("Member removed.")):
        service.remove(current_user, community_id, member_id)
    return _to(community_id, "members")


@bp.post("/communities/<int:community_id>/members/<int:member_id>/facilitator")
@login_required
def name_facilitator(community_id: int, member_id: int) -> Any:
    service.facilitator_view(current_user, community_id)
    if not EmptyForm().validate_on_submit():
        return _page(community_id, 422)
    with attempt() as outcome:
        member = service.make_facilitator(current_user, community_id, member_id)
    if outcome.ok:
        flash(_("%(name)s is a facilitator now.", name=member.user.name), "success")
    return _to(community_id, "members")


@bp.post("/communities/<int:community_id>/sharing")
@login_required
def sharing(community_id: int) -> Any:
    service.member_view(current_user, community_id)
    form = SharingForm()
    if form.validate_on_submit():
        service.set_sharing(
            current_user, community_id, {name: bool(form[name].data) for name in service.SHARING}
        )
        flash(_("Your sharing choices are saved."), "success")
        return _to(community_id, "sharing")
    return _page(community_id, 422, sharing=form)


# --- threads ------------------------------------------------------------------------------


@bp.post("/communities/<int:community_id>/threads")
@body_limit(threads.upload_limit)
@login_required
def new_thread(community_id: int) -> Any:
    service.member_view(current_user, community_id)
    form = ThreadForm()
    if form.validate_on_submit():
        data = {"title": form.title.data, "body": form.body.data, "link": form.link.data}
        with attempt(form) as outcome:
            made = threads.start_thread(current_user, community_id, data, _upload(form))
        if outcome.ok:
            _commit_files(threads.stored_keys(made.id))
            flash(_("Thread started."), "success")
            return redirect(
                url_for("communities.thread", community_id=community_id, thread_id=made.id), 303
            )
    return _page(community_id, 422, thread=form)


def _thread_page(community_id: int, thread_id: int, status: int = 200, form: Any = None) -> Any:
    found, thread = threads.thread_view(current_user, community_id, thread_id)
    return render_template(
        "communities/thread.html",
        found=found,
        community=found.community,
        thread=thread,
        posts=threads.posts(thread, page_args(default=POSTS_PER_PAGE)),
        form=form or ReplyForm(formdata=None),
        file_kinds=threads.FILE_KINDS,
        file_mb=threads.file_limit() // (1024 * 1024),
    ), status


@bp.get("/communities/<int:community_id>/threads/<int:thread_id>")
@login_required
def thread(community_id: int, thread_id: int) -> Any:
    return _thread_page(community_id, thread_id)


@bp.post("/communities/<int:community_id>/threads/<int:thread_id>/posts")
@body_limit(threads.upload_limit)
@login_required
def reply(community_id: int, thread_id: int) -> Any:
    threads.thread_view(current_user, community_id, thread_id)
    form = ReplyForm()
    if form.validate_on_submit():
        data = {"body": form.body.data, "link": form.link.data}
        with attempt(form) as outcome:
            post = threads.reply(current_user, community_id, thread_id, data, _upload(form))
        if outcome.ok:
            _commit_files([f.storage_key for f in post.files])
            flash(_("Reply posted."), "success")
            page = threads.posts(post.thread, page_args(default=POSTS_PER_PAGE)).pages
            return redirect(
                url_for(
                    "communities.thread",
                    community_id=community_id,
                    thread_id=thread_id,
                    page=page if page > 1 else None,
                    _anchor=f"post-{post.id}",
                ),
                303,
            )
    return _thread_page(community_id, thread_id, 422, form)


@bp.get("/communities/<int:community_id>/files/<int:file_id>")
@login_required
def download(community_id: int, file_id: int) -> Any:
    return file_response(threads.post_file(current_user, community_id, file_id))


# --- the facilitator's progress view ------------------------------------------------------


@bp.get("/communities/<int:community_id>/progress")
@login_required
def progress(community_id: int) -> Any:
    found = service.facilitator_view(current_user, community_id)
    return render_template(
        "communities/progress.html",
        community=found.community,
        progress=service.progress(current_user, community_id, page_args(default=MEMBERS_PER_PAGE)),
        stages=service.Stage,
    )


# --- peer feedback ------------------------------------------------------------------------


@bp.app_template_global("peer_feedback_for")
def peer_feedback_for(submission: Submission) -> dict[str, Any]:
    """What the draft page shows of peer feedback (``templates/communities/_draft.html``):
    the teacher's own submission only."""
    found = feedback.for_draft(current_user, submission)
    form = AskForm(formdata=None)
    form.community.choices = found.communities
    return {"feedback": found, "form": form}


@bp.post("/submissions/<int:submission_id>/peer-feedback")
@login_required
def ask(submission_id: int) -> Any:
    draft = submissions.get_own(current_user, submission_id)  # 404 unless hers
    form = AskForm()
    form.community.choices = feedback.for_draft(current_user, draft).communities
    if form.validate_on_submit():
        with attempt(form) as outcome:
            made = feedback.ask(
                current_user,
                submission_id,
                {"community_id": form.community.data, "note": form.note.data},
            )
        if outcome.ok:
            flash(
                _(
                    "Asked “%(community)s”: its members can read this draft and comment "
                    "until you submit it.",
                    community=made.community.title,
                ),
                "success",
            )
    else:
        flash(_("The form expired; please try again."), "error")
    return redirect(
        url_for("submissions.show", submission_id=submission_id, _anchor="peer-feedback"), 303
    )


def _feedback_page(request_id: int, status: int = 200) -> Any:
    found = feedback.request_view(current_user, request_id)
    return render_template(
        "communities/feedback.html",
        view=found,
        s=found.submission,
        action=EmptyForm(formdata=None),
    ), status


@bp.get("/peer-feedback/<int:request_id>")
@login_required
def feedback_request(request_id: int) -> Any:
    return _feedback_page(request_id)


@bp.post("/peer-feedback/<int:request_id>/comments")
@login_required
def comment(request_id: int) -> Any:
    found = feedback.request_view(current_user, request_id)
    if not EmptyForm().validate_on_submit():
        return _feedback_page(request_id, 422)
    data: dict[str, Any] = {
        "comments": [
            {"criterion_id": c.id, "body": request.form.get(f"criterion-{c.id}", "")}
            for c in found.version.criteria
        ],
        "overall": request.form.get("overall", ""),
    }
    with attempt() as outcome:
        feedback.comment(current_user, request_id, data)
    if not outcome.ok:
        return _feedback_page(request_id, 422)
    flash(_("Thank you: your comments are saved. She reads them on her draft."), "success")
    return redirect(url_for("communities.feedback_request", request_id=request_id), 303)


@bp.get("/peer-feedback/<int:request_id>/files/<int:file_id>")
@login_required
def feedback_file(request_id: int, file_id: int) -> Any:
    return file_response(feedback.draft_file(current_user, request_id, file_id))
