"""Teachers' credit pages (districts, progress chart, requests, transcript) and credit
officers' pages (teachers' progress, pending requests, policies, categories, export)."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import (
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.auth.forms import EmptyForm
from app.credit import (
    access,
    approvals,
    bp,
    cycles,
    domains,
    ledger,
    memberships,
    policies,
    reports,
    requests,
)
from app.credit.export import LEDGER_COLUMNS, iter_ledger_rows
from app.db import db
from app.exports import safe_row
from app.forms import attempt
from app.issuance import service as issuance
from app.models.credentials import Credential
from app.models.credit import RequestStatus
from app.models.orgs import Role
from app.pagination import MAX_PER_PAGE, page_args
from app.security import login_required, roles_required

officer_only = roles_required(Role.CREDIT_OFFICER)


@bp.get("/credit")
@login_required
def index() -> Any:
    args = page_args(prefix="districts_")
    districts = memberships.my_districts(current_user, args)
    mine = [row.district for row in districts.items if row.member]
    cycles.open_first_cycles(current_user, mine)  # on first look; the request's edge commits
    progress = reports.progress_in(current_user, mine)
    badges = [b for b in issuance.my_badges(current_user) if not b.revoked]
    return render_template(
        "credit/index.html",
        presented=requests.presented(current_user, [b.uid for b in badges]),
        districts=mine,
        pages=districts,
        officer_of=[row.district for row in districts.items if row.officer],
        progress=progress,
        joinable=domains.domain_districts(current_user, joinable=True),
        requests=requests.requests_of(current_user, page_args(prefix="requests_")),
        badges=badges,
        form=EmptyForm(),
    )


@bp.post("/credit/<int:district_id>/join")
@login_required
def join(district_id: int) -> Any:
    if EmptyForm().validate_on_submit():
        with attempt():
            row = domains.join_by_domain(current_user, district_id)
            flash(
                _(
                    "You joined %(name)s; your renewal cycle has started.",
                    name=row.district.name,
                ),
                "success",
            )
    return redirect(url_for("credit.index"))


@bp.get("/credit/join/<token>")
@login_required
def accept(token: str) -> Any:
    row = memberships.accept_invitation(current_user, token)
    flash(_("You joined %(name)s.", name=row.district.name), "success")
    return redirect(url_for("credit.index"))


@bp.post("/credit/<int:district_id>/requests")
@login_required
def ask(district_id: int) -> Any:
    if not EmptyForm().validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return redirect(url_for("credit.index"))
    upload = request.files.get("image")
    with attempt() as outcome:
        made = requests.request_credit(
            current_user,
            district_id,
            assertion_uid=request.form.get("assertion_uid") or None,
            url=request.form.get("url") or None,
            jws=request.form.get("jws") or None,
            image=upload.stream.read(5 * 1024 * 1024 + 1) if upload and upload.filename else None,
        )
    if not outcome.ok:
        return redirect(url_for("credit.index") + f"#district-{district_id}")
    if made.status == "approved":
        flash(
            _("%(badge)s: %(hours)s hours credited.", badge=made.badge_name, hours=made.hours),
            "success",
        )
    else:
        flash(
            _(
                "%(badge)s: verified and sent to your district's credit officer.",
                badge=made.badge_name,
            ),
            "success",
        )
    return redirect(url_for("credit.index") + f"#district-{district_id}")


@bp.get("/credit/<int:district_id>/transcript")
@login_required
def transcript(district_id: int) -> Any:
    district = access.member_district(current_user, district_id)
    return render_template(
        "credit/transcript.html",
        district=district,
        teacher=current_user,
        lines=ledger.transcript(current_user, district, page_args(default=MAX_PER_PAGE)),
        progress=reports.progress(current_user, district),
    )


# Credit officers ----------------------------------------------------------------------------


@bp.get("/districts/<int:district_id>/credit")
@officer_only
def officer(district_id: int) -> Any:
    district = access.officer_district(current_user, district_id)
    school = request.args.get("school", "")
    categories = policies.categories(district)
    rows = reports.overview(
        current_user,
        district,
        page_args(prefix="teachers_"),
        int(school) if school.isdigit() else None,
        categories,
    )
    return render_template(
        "credit/officer.html",
        district=district,
        rows=rows,
        school=school,
        pending=requests.pending(current_user, district, page_args(prefix="pending_")),
        categories=categories,
        policies=policies.policies(district, page_args(prefix="policies_")),
        credentials=db.session.scalars(
            db.select(Credential)
            .options(selectinload(Credential.versions))
            .order_by(Credential.slug)
        ).all(),
        form=EmptyForm(),
    )


def _back(district_id: int, anchor: str = "") -> Any:
    return redirect(url_for("credit.officer", district_id=district_id) + anchor)


@bp.post("/districts/<int:district_id>/credit/requests/<int:request_id>")
@officer_only
def decide(district_id: int, request_id: int) -> Any:
    item = requests.district_request(current_user, request_id)
    if EmptyForm().validate_on_submit():
        with attempt():
            if request.form.get("action") == "deny":
                approvals.deny(current_user, item, request.form.get("reason", ""))
            else:
                category = request.form.get("category_id", "")
                approvals.approve(
                    current_user,
                    item,
                    hours=request.form.get("hours") or None,
                    category_id=int(category) if category.isdigit() else None,
                    reason=request.form.get("reason", ""),
                )
            if item.status == RequestStatus.DENIED.value:
                flash(_("%(badge)s: denied.", badge=item.badge_name), "success")
            else:
                flash(_("%(badge)s: approved.", badge=item.badge_name), "success")
    return _back(item.district_id, "#pending")


@bp.post("/districts/<int:district_id>/credit/categories")
@officer_only
def category(district_id: int) -> Any:
    district = access.officer_district(current_user, district_id)
    if EmptyForm().validate_on_submit():
        with attempt(success=_("Category saved.")):
            policies.set_category(
                current_user,
                district,
                request.form.get("name", ""),
                request.form.get("required_hours") or 0,
                request.form.get("cap_hours") or None,
            )
    return _back(district_id, "#categories")


@bp.post("/districts/<int:district_id>/credit/policies")
@officer_only
def policy(district_id: int) -> Any:
    district = access.officer_district(current_user, district_id)
    if EmptyForm().validate_on_submit():
        credential = request.form.get("credential_id", "")
        category_id = request.form.get("category_id", "")
        with attempt(success=_("Policy saved.")):
            policies.create_policy(
                current_user,
                district,
                hours=request.form.get("hours", ""),
                unit=request.form.get("unit", "hours"),
                category_id=int(category_id) if category_id.isdigit() else 0,
                credential_id=int(credential) if credential.isdigit() else None,
                badge_class_url=request.form.get("badge_class_url") or None,
                auto_approve=request.form.get("auto_approve") == "yes",
            )
    return _back(district_id, "#policies")


@bp.post("/districts/<int:district_id>/credit/meeting-policy")
@officer_only
def meeting_policy(district_id: int) -> Any:
    """The district's policy for meetings of professional learning communities."""
    district = access.officer_district(current_user, district_id)
    if EmptyForm().validate_on_submit():
        category_id = request.form.get("category_id", "")
        with attempt(success=_("Policy for PLC meetings saved.")):
            policies.create_meeting_policy(
                current_user,
                district,
                hours=request.form.get("hours") or 0,
                hours_from_duration=request.form.get("hours_from_duration") == "yes",
                facilitation_hours=request.form.get("facilitation_hours") or None,
                cap_hours=request.form.get("cap_hours") or None,
                category_id=int(category_id) if category_id.isdigit() else 0,
                auto_approve=request.form.get("auto_approve") == "yes",
            )
    return _back(district_id, "#policies")


@bp.post("/districts/<int:district_id>/credit/invite")
@officer_only
def invite(district_id: int) -> Any:
    district = access.officer_district(current_user, district_id)
    if EmptyForm().validate_on_submit():
        with attempt(success=_("Invitation sent.")):
            memberships.invite_member(current_user, district, request.form.get("email", ""))
    return _back(district_id, "#members")


@bp.get("/districts/<int:district_id>/credit/ledger.csv")
@officer_only
def export(district_id: int) -> Any:
    district = access.officer_district(current_user, district_id)

    def generate() -> Any:
        """Rows stream from the database in batches: memory does not grow with the ledger."""
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=LEDGER_COLUMNS)
        writer.writeheader()
        for number, row in enumerate(iter_ledger_rows(current_user, district), 1):
            writer.writerow(safe_row(row))
            if number % 1000 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{district.slug}-credit-ledger.csv"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
