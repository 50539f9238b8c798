"""Pages of a community's practice: its meetings (upcoming and past, scheduling, notes,
attendance, credit for attended meetings) and its protocol runs (starting one, taking turns
step by step, the read-only record). Members only; anyone else gets 404."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.auth.forms import EmptyForm
from app.communities import attendance_credit, bp, meetings, protocols, service
from app.communities.practice_forms import ContributionForm, MeetingForm, NotesForm, RunForm
from app.forms import attempt
from app.pagination import page_args
from app.security import login_required

PER_PAGE = 10
MEMBERS_PER_PAGE = 50


def _status() -> int:
    return 422 if request.method == "POST" else 200


# --- meetings -------------------------------------------------------------------------------


def _meetings_page(community_id: int, status: int = 200, form: Any = None) -> Any:
    found = service.member_view(current_user, community_id)
    return render_template(
        "communities/meetings.html",
        found=found,
        community=found.community,
        upcoming=meetings.upcoming(found, page_args(prefix="up_", default=PER_PAGE)),
        past=meetings.past(found, page_args(prefix="past_", default=PER_PAGE)),
        when=meetings.when_label,
        form=form or MeetingForm(formdata=None),
        offer=attendance_credit.offer(current_user, found),
        action=EmptyForm(formdata=None),
    ), status


@bp.get("/communities/<int:community_id>/meetings")
@login_required
def meetings_index(community_id: int) -> Any:
    return _meetings_page(community_id)


@bp.post("/communities/<int:community_id>/meetings")
@login_required
def schedule_meeting(community_id: int) -> Any:
    service.facilitator_view(current_user, community_id)
    form = MeetingForm()
    if form.validate_on_submit():
        data = {
            "title": form.title.data,
            "date": form.date.data,
            "time": form.time.data,
            "timezone": form.timezone.data,
            "duration_minutes": form.duration_minutes.data,
            "location": form.location.data,
            "link": form.link.data,
            "agenda": form.agenda.data,
        }
        with attempt(form) as outcome:
            made = meetings.schedule(current_user, community_id, data)
        if outcome.ok:
            flash(_("Meeting scheduled. The members were sent an e-mail."), "success")
            return redirect(
                url_for("communities.meeting", community_id=community_id, meeting_id=made.id), 303
            )
    return _meetings_page(community_id, 422, form)


def _meeting_page(community_id: int, meeting_id: int, status: int = 200, notes: Any = None) -> Any:
    found, meeting = meetings.meeting_view(current_user, community_id, meeting_id)
    return render_template(
        "communities/meeting.html",
        found=found,
        community=found.community,
        meeting=meeting,
        when=meetings.when_label(meeting),
        agenda=meetings.agenda_items(meeting),
        begun=meetings.has_begun(meeting),
        attendance=meetings.attendance(
            found, meeting, page_args(prefix="a_", default=MEMBERS_PER_PAGE)
        ),
        notes_form=notes or NotesForm(formdata=None, obj=meeting),
        action=EmptyForm(formdata=None),
    ), status


@bp.get("/communities/<int:community_id>/meetings/<int:meeting_id>")
@login_required
def meeting(community_id: int, meeting_id: int) -> Any:
    return _meeting_page(community_id, meeting_id)


@bp.post("/communities/<int:community_id>/meetings/<int:meeting_id>/notes")
@login_required
def meeting_notes(community_id: int, meeting_id: int) -> Any:
    service.facilitator_view(current_user, community_id)
    form = NotesForm()
    if form.validate_on_submit():
        with attempt(form, _("Notes saved.")) as outcome:
            meetings.write_notes(current_user, community_id, meeting_id, form.notes.data)
        if outcome.ok:
            return redirect(
                url_for(
                    "communities.meeting",
                    community_id=community_id,
                    meeting_id=meeting_id,
                    _anchor="notes",
                ),
                303,
            )
    return _meeting_page(community_id, meeting_id, 422, form)


def _to_meeting(community_id: int, meeting_id: int, anchor: str) -> Any:
    return redirect(
        url_for(
            "communities.meeting", community_id=community_id, meeting_id=meeting_id, _anchor=anchor
        ),
        303,
    )


@bp.post("/communities/<int:community_id>/meetings/<int:meeting_id>/attendance")
@login_required
def meeting_attendance(community_id: int, meeting_id: int) -> Any:
    service.facilitator_view(current_user, community_id)
    if not EmptyForm().validate_on_submit():
        return _meeting_page(community_id, meeting_id, 422)
    marks = [
        {"user_id": int(key.removeprefix("present-")), "present": value == "yes"}
        for key, value in request.form.items()
        if key.startswith("present-") and key.removeprefix("present-").isdigit()
    ]
    with attempt() as outcome:
        meetings.take_attendance(current_user, community_id, meeting_id, marks)
    if not outcome.ok:
        return _meeting_page(community_id, meeting_id, 422)
    flash(_("Attendance saved."), "success")
    return _to_meeting(community_id, meeting_id, "attendance")


@bp.post("/communities/<int:community_id>/meetings/<int:meeting_id>/credit")
@login_required
def send_attendance(community_id: int, meeting_id: int) -> Any:
    service.facilitator_view(current_user, community_id)
    if not EmptyForm().validate_on_submit():
        return _meeting_page(community_id, meeting_id, 422)
    with attempt() as outcome:
        sent = attendance_credit.send_attendance(current_user, community_id, meeting_id)
    if outcome.ok:
        made = len(sent.requests)
        skipped = "; ".join(f"{person.name}: {why}" for person, why in sent.skipped)
        flash(
            ngettext(
                "Attendance sent for credit: %(num)d request.",
                "Attendance sent for credit: %(num)d requests.",
                made,
            )
            + (" " + _("Not sent: %(who)s", who=skipped) if skipped else ""),
            "success",
        )
    return _to_meeting(community_id, meeting_id, "attendance")


@bp.post("/communities/<int:community_id>/attendance-credit")
@login_required
def ask_attendance_credit(community_id: int) -> Any:
    service.member_view(current_user, community_id)
    if not EmptyForm().validate_on_submit():
        return _meetings_page(community_id, 422)
    with attempt() as outcome:
        made = attendance_credit.ask(current_user, community_id)
    if outcome.ok:
        asked = made.requested_hours
        if made.status == "approved":
            flash(_("%(hours)s hours credited for your meetings.", hours=made.hours), "success")
        else:
            flash(
                _(
                    "Asked %(kind)s credit: %(hours)s hours, sent to your district's credit "
                    "officers.",
                    kind=made.badge_name.split(":")[0],
                    hours=asked,
                )
                + (f" {made.decision_reason}" if made.decision_reason else ""),
                "success",
            )
    return redirect(
        url_for("communities.meetings_index", community_id=community_id, _anchor="credit"), 303
    )


# --- protocols -----------------------------------------------------------------------------


def _run_form(found: Any, form: RunForm) -> RunForm:
    form.protocol.choices = [(p.slug, str(p.name)) for p in protocols.PROTOCOLS.values()]
    form.presenter.choices = protocols.presenter_choices(found)
    form.submission.choices = [(0, _("None")), *protocols.draft_choices(current_user)]
    if request.method == "GET" or form.presenter.data is None:
        form.presenter.data = current_user.id
    return form


def _protocols_page(community_id: int, status: int = 200, form: Any = None) -> Any:
    found = service.member_view(current_user, community_id)
    return render_template(
        "communities/protocols.html",
        found=found,
        community=found.community,
        runs=protocols.runs(found, page_args(default=PER_PAGE)),
        catalogue=protocols.PROTOCOLS,
        form=_run_form(found, form or RunForm(formdata=None)),
    ), status


@bp.get("/communities/<int:community_id>/protocols")
@login_required
def protocols_index(community_id: int) -> Any:
    return _protocols_page(community_id)


@bp.post("/communities/<int:community_id>/protocols")
@login_required
def start_protocol(community_id: int) -> Any:
    found = service.member_view(current_user, community_id)
    form = _run_form(found, RunForm())
    if form.validate_on_submit():
        data = {
            "protocol": form.protocol.data,
            "presenter_id": form.presenter.data,
            "title": form.title.data,
            "text": form.text.data,
            "link": form.link.data,
            "submission_id": form.submission.data or None,
        }
        with attempt(form) as outcome:
            run = protocols.start(current_user, community_id, data)
        if outcome.ok:
            flash(_("Protocol started: you facilitate it."), "success")
            return redirect(
                url_for("communities.protocol_run", community_id=community_id, run_id=run.id), 303
            )
        fields = outcome.error.fields if outcome.error is not None else {}
        form.presenter.errors = list(fields.get("presenter_id", []))
        form.submission.errors = list(fields.get("submission_id", []))
    return _protocols_page(community_id, 422, form)


def _run_page(community_id: int, run_id: int, status: int = 200, form: Any = None) -> Any:
    found, run = protocols.run_view(current_user, community_id, run_id)
    protocol = protocols.protocol_of(run)
    return render_template(
        "communities/protocol_run.html",
        found=found,
        community=found.community,
        run=run,
        protocol=protocol,
        step=protocols.current_step(run),
        turns=protocols.contributions(run),
        speaks=protocols.speaks(run, current_user),
        steers=protocols.may_steer(found, run, current_user),
        form=form or ContributionForm(formdata=None),
        action=EmptyForm(formdata=None),
        CHOOSE=protocols.CHOOSE,
    ), status


@bp.get("/communities/<int:community_id>/protocols/<int:run_id>")
@login_required
def protocol_run(community_id: int, run_id: int) -> Any:
    return _run_page(community_id, run_id)


def _to_run(community_id: int, run_id: int, anchor: str = "now") -> Any:
    return redirect(
        url_for(
            "communities.protocol_run", community_id=community_id, run_id=run_id, _anchor=anchor
        ),
        303,
    )


@bp.post("/communities/<int:community_id>/protocols/<int:run_id>/contributions")
@login_required
def contribute(community_id: int, run_id: int) -> Any:
    protocols.run_view(current_user, community_id, run_id)
    form = ContributionForm()
    if form.validate_on_submit():
        with attempt(form, _("Thank you: your turn is recorded.")) as outcome:
            protocols.contribute(
                current_user,
                community_id,
                run_id,
                {"body": form.body.data, "tone": form.tone.data or None},
            )
        if outcome.ok:
            return _to_run(community_id, run_id)
    return _run_page(community_id, run_id, 422, form)


@bp.post("/communities/<int:community_id>/protocols/<int:run_id>/advance")
@login_required
def advance_protocol(community_id: int, run_id: int) -> Any:
    protocols.run_view(current_user, community_id, run_id)
    if not EmptyForm().validate_on_submit():
        return _run_page(community_id, run_id, 422)
    with attempt() as outcome:
        run = protocols.advance(
            current_user,
            community_id,
            run_id,
            protocols.step_number(request.form.get("step")),
        )
    if outcome.ok:
        flash(_("Next step: %(step)s.", step=protocols.current_step(run).name), "success")
    return _to_run(community_id, run_id)


@bp.post("/communities/<int:community_id>/protocols/<int:run_id>/close")
@login_required
def close_protocol(community_id: int, run_id: int) -> Any:
    protocols.run_view(current_user, community_id, run_id)
    if not EmptyForm().validate_on_submit():
        return _run_page(community_id, run_id, 422)
    with attempt(success=_("Protocol closed: its record stays in the community.")) as outcome:
        protocols.close(current_user, community_id, run_id)
    if outcome.ok:
        return _to_run(community_id, run_id, "record")
    return _to_run(community_id, run_id)
