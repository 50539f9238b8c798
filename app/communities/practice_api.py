"""API: a community's meetings (list, schedule, attendance and notes), credit for attended
meetings, and protocol runs (start, take turns, move on, close). The same rules as the pages:
members only (404 for anyone else), facilitators schedule and take attendance (403 for a
member who is not one)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from app.api import bp, json_body
from app.auth.scopes import requires_scope
from app.communities import attendance_credit, meetings, protocols, service
from app.communities.practice_schemas import (
    AttendanceInSchema,
    AttendanceOutSchema,
    ContributionOutSchema,
    CreditInSchema,
    MeetingInSchema,
    MeetingOutSchema,
    RunInSchema,
    StepInSchema,
    TurnInSchema,
    dump_run,
)
from app.errors import InvalidInput
from app.pagination import api_page, page_args
from app.security import login_required


@bp.get("/communities/<int:community_id>/meetings")
@requires_scope("communities")
@login_required
def list_community_meetings(community_id: int) -> Any:
    """Upcoming meetings, soonest first; ``?when=past`` for those begun, latest first."""
    found = service.member_view(current_user, community_id)
    when = request.args.get("when", "upcoming")
    if when not in ("upcoming", "past"):
        raise InvalidInput(_("when is upcoming or past."), {"when": [_("upcoming or past.")]})
    page = (meetings.upcoming if when == "upcoming" else meetings.past)(found, page_args())
    return jsonify(
        api_page(
            page,
            "meetings",
            MeetingOutSchema(many=True).dump,
            "api.list_community_meetings",
            community_id=community_id,
            when=when,
        )
    )


@bp.post("/communities/<int:community_id>/meetings")
@requires_scope("communities")
@login_required
def create_community_meeting(community_id: int) -> Any:
    """``{title, date: YYYY-MM-DD, time: HH:MM, timezone, duration_minutes, location?,
    link?, agenda?, facilitator_id?}``: a facilitator schedules a meeting; the members are
    mailed (201)."""
    body = json_body(MeetingInSchema())
    made = meetings.schedule(current_user, community_id, body)
    return jsonify(MeetingOutSchema().dump(made)), 201


@bp.get("/communities/<int:community_id>/meetings/<int:meeting_id>")
@requires_scope("communities")
@login_required
def get_community_meeting(community_id: int, meeting_id: int) -> Any:
    """A meeting with its attendance: everyone's for a facilitator, a member's own."""
    found, meeting = meetings.meeting_view(current_user, community_id, meeting_id)
    dumped: dict[str, Any] = MeetingOutSchema().dump(meeting)
    dumped["attendance"] = api_page(
        meetings.attendance(found, meeting, page_args()),
        "members",
        AttendanceOutSchema(many=True).dump,
        "api.get_community_meeting",
        community_id=community_id,
        meeting_id=meeting_id,
    )
    return jsonify(dumped)


@bp.put("/communities/<int:community_id>/meetings/<int:meeting_id>/attendance")
@requires_scope("communities")
@login_required
def put_meeting_attendance(community_id: int, meeting_id: int) -> Any:
    """``{attendance: [{user_id, present}], notes?}``: a facilitator records who was
    present (once the meeting has begun) and, optionally, the notes."""
    body = json_body(AttendanceInSchema())
    rows = meetings.take_attendance(
        current_user, community_id, meeting_id, [dict(m) for m in body["attendance"]]
    )
    if "notes" in body:
        meetings.write_notes(current_user, community_id, meeting_id, body["notes"])
    return jsonify({"attendance": [{"user_id": r.user_id, "present": r.present} for r in rows]})


@bp.post("/communities/<int:community_id>/attendance-credit")
@requires_scope("credit:write")
@login_required
def create_attendance_credit_request(community_id: int) -> Any:
    """``{meeting_ids?}``: ask the community's district for credit for the meetings you
    attended there and have not presented (all, or those listed) → the credit request (201).
    409 with the reason when the cap is reached, nothing waits or no credit applies."""
    body = json_body(CreditInSchema())
    made = attendance_credit.ask(current_user, community_id, body["meeting_ids"])
    return jsonify(
        {
            "id": made.id,
            "status": made.status,
            "district_id": made.district_id,
            "name": made.badge_name,
            "requested_hours": str(made.requested_hours),
            "hours": str(made.hours) if made.hours is not None else None,
            "reason": made.decision_reason or None,
            "meetings": made.verification.get("meetings", []),
        }
    ), 201


@bp.get("/communities/<int:community_id>/protocol-runs")
@requires_scope("communities")
@login_required
def list_protocol_runs(community_id: int) -> Any:
    """The community's protocol runs, open ones first; ``protocols`` lists the built-in
    protocols and their steps."""
    found = service.member_view(current_user, community_id)
    dumped = api_page(
        protocols.runs(found, page_args()),
        "runs",
        lambda runs: [dump_run(r) for r in runs],
        "api.list_protocol_runs",
        community_id=community_id,
    )
    dumped["protocols"] = [
        {
            "slug": p.slug,
            "name": str(p.name),
            "purpose": str(p.purpose),
            "steps": [
                {"name": str(s.name), "speakers": list(s.speakers), "tone": s.tone} for s in p.steps
            ],
        }
        for p in protocols.PROTOCOLS.values()
    ]
    return jsonify(dumped)


@bp.post("/communities/<int:community_id>/protocol-runs")
@requires_scope("communities")
@login_required
def start_protocol_run(community_id: int) -> Any:
    """``{protocol, title, presenter_id?, text?, link?, submission_id?}``: start a run you
    facilitate (201)."""
    body = json_body(RunInSchema())
    run = protocols.start(current_user, community_id, body)
    return jsonify(dump_run(run, protocols.contributions(run))), 201


@bp.get("/communities/<int:community_id>/protocol-runs/<int:run_id>")
@requires_scope("communities")
@login_required
def get_protocol_run(community_id: int, run_id: int) -> Any:
    """A run with its steps and every contribution (the record, once closed)."""
    _found, run = protocols.run_view(current_user, community_id, run_id)
    return jsonify(dump_run(run, protocols.contributions(run)))


@bp.post("/communities/<int:community_id>/protocol-runs/<int:run_id>/contributions")
@requires_scope("communities")
@login_required
def add_protocol_contribution(community_id: int, run_id: int) -> Any:
    """``{body, tone?: warm|cool}``: your turn in the current step (201); 409 when the step
    is not yours to speak in or the run is closed."""
    body = json_body(TurnInSchema())
    made = protocols.contribute(current_user, community_id, run_id, body)
    return jsonify(ContributionOutSchema().dump(made)), 201


@bp.post("/communities/<int:community_id>/protocol-runs/<int:run_id>/steps")
@requires_scope("communities")
@login_required
def move_protocol_run(community_id: int, run_id: int) -> Any:
    """``{action: advance, step?}`` moves the run to its next step; ``{action: close}``
    closes it after the last step (the run's facilitator, or the community's)."""
    body = json_body(StepInSchema())
    if body["action"] == "advance":
        run = protocols.advance(current_user, community_id, run_id, body["step"])
    else:
        run = protocols.close(current_user, community_id, run_id)
    return jsonify(dump_run(run))
