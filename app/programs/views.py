"""Pages: a listed outside program (anyone), and a district's credit officers' curation
(their list, the new and edit forms, retire and restore)."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.forms import EmptyForm
from app.credit import access, policies
from app.forms import attempt
from app.models.orgs import District, Role
from app.models.programs import OutsideProgram
from app.pagination import kept_paging, page_args
from app.programs import bp, pages, service
from app.programs.forms import NEW_POLICY, NO_POLICY, ProgramForm
from app.security import public, roles_required

officer_only = roles_required(Role.CREDIT_OFFICER)
PER_PAGE = 20
# A policy's unit as the policy choices name it (the officer's credit page says the same).
UNITS = {"hours": _l("hours"), "ceu": _l("ceu")}

# The service's field names -> the form's.
FORM_FIELDS = {
    "competency_ids": "competencies",
    "policy_id": "policy",
    "new_policy": "policy",
    "hours": "policy_hours",
    "unit": "policy_unit",
    "category_id": "policy_category",
}


@bp.get("/catalog/outside-programs/<int:program_id>")
@public
def show(program_id: int) -> Any:
    program = service.listed(program_id)
    member = current_user.is_authenticated and (
        access.membership(current_user, program.district_id) is not None
    )
    return render_template(
        "programs/show.html", p=pages.card(program, badge_classes=True), member=member
    )


# --- a district's credit officers ------------------------------------------------------------


@bp.get("/districts/<int:district_id>/outside-programs")
@officer_only
def index(district_id: int) -> Any:
    district = access.officer_district(current_user, district_id)
    found = service.district_programs(current_user, district.id, page_args(default=PER_PAGE))
    return render_template(
        "programs/index.html",
        district=district,
        page=found,
        cards=[pages.card(p, badge_classes=True) for p in found.items],
        form=EmptyForm(),
        paging=kept_paging(),
    )


def _choices(form: ProgramForm, district: District) -> None:
    form.competencies.choices = service.competency_choices()
    form.policy.choices = [
        (NO_POLICY, _("None yet: an officer decides each request")),
        *[
            (
                str(p.id),
                (
                    _(
                        "%(label)s: %(hours)s %(unit)s of %(category)s, approved automatically",
                        label=p.label,
                        hours=p.hours,
                        unit=UNITS.get(p.unit, p.unit),
                        category=p.category.name,
                    )
                    if p.auto_approve
                    else _(
                        "%(label)s: %(hours)s %(unit)s of %(category)s",
                        label=p.label,
                        hours=p.hours,
                        unit=UNITS.get(p.unit, p.unit),
                        category=p.category.name,
                    )
                ),
            )
            for p in service.policy_choices(district)
        ],
        (NEW_POLICY, _("A new policy for the first badge class (below)")),
    ]
    form.policy_category.choices = [(str(c.id), c.name) for c in policies.categories(district)]


def _fill(form: ProgramForm, program: OutsideProgram) -> None:
    form.title.data = program.title
    form.provider.data = program.provider
    form.url.data = program.url
    form.description.data = program.description
    form.estimated_hours.data = pages.hours_text(program.estimated_hours)
    form.competencies.data = [c.id for c in program.competencies]
    form.badge_class_urls.data = "\n".join(program.badge_class_urls)
    form.policy.data = str(program.policy_id) if program.policy_id else NO_POLICY


def _field_errors(form: ProgramForm, fields: dict[str, Any]) -> None:
    """Field messages of the service under the form's names (``attempt`` put those whose names
    match already)."""
    for name, messages in fields.items():
        target = getattr(form, FORM_FIELDS.get(name, ""), None)
        if target is not None and isinstance(messages, list):
            target.errors = [*list(target.errors), *[str(m) for m in messages]]


def _form_page(form: ProgramForm, district: District, program: OutsideProgram | None) -> Any:
    return render_template(
        "programs/form.html",
        form=form,
        district=district,
        program=program,
        new_policy=NEW_POLICY,
    ), (422 if request.method == "POST" else 200)


@bp.route("/districts/<int:district_id>/outside-programs/new", methods=["GET", "POST"])
@officer_only
def new(district_id: int) -> Any:
    district = access.officer_district(current_user, district_id)
    form = ProgramForm()
    _choices(form, district)
    if request.method == "POST" and form.validate_on_submit():
        with attempt(form, _("Outside program added: it is in the catalog now.")) as outcome:
            made = service.create_program(current_user, district.id, form.data_for_service())
        if outcome.ok:
            return redirect(url_for("programs.edit", program_id=made.id), 303)
        _field_errors(form, outcome.error.fields if outcome.error is not None else {})
        district = access.officer_district(current_user, district_id)
        _choices(form, district)
    return _form_page(form, district, None)


@bp.route("/outside-programs/<int:program_id>/edit", methods=["GET", "POST"])
@officer_only
def edit(program_id: int) -> Any:
    program = service.for_editing(current_user, program_id)
    district = program.district
    form = ProgramForm()
    _choices(form, district)
    if request.method == "GET":
        _fill(form, program)
    elif form.validate_on_submit():
        with attempt(form, _("Saved.")) as outcome:
            service.update_program(current_user, program.id, form.data_for_service())
        if outcome.ok:
            return redirect(url_for("programs.edit", program_id=program_id), 303)
        _field_errors(form, outcome.error.fields if outcome.error is not None else {})
        program = service.for_editing(current_user, program_id)
        district = program.district
        _choices(form, district)
    return _form_page(form, district, program)


@bp.post("/outside-programs/<int:program_id>/status")
@officer_only
def status(program_id: int) -> Any:
    program = service.for_editing(current_user, program_id)
    district_id = program.district_id
    if EmptyForm().validate_on_submit():
        retire = request.form.get("action") != "restore"
        message = (
            _("Retired: the catalog and recommendations no longer show it.")
            if retire
            else _("Restored: it is in the catalog again.")
        )
        with attempt(success=message):
            service.set_retired(current_user, program_id, retire)
    return redirect(url_for("programs.index", district_id=district_id, **kept_paging()), 303)
