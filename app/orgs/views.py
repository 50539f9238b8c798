"""Organisation pages: list, create (platform admin), people and invitations, schools."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.forms import EmptyForm
from app.credit import domains
from app.errors import AppError
from app.forms import attempt
from app.models.orgs import District, Issuer, Role
from app.orgs import bp, service
from app.orgs.forms import DistrictForm, DomainForm, InviteForm, IssuerForm, SchoolForm
from app.pagination import page_args
from app.security import admin_required, login_required, public


def _org(kind: str, slug: str) -> Issuer | District:
    org = service.issuer_by_slug(slug) if kind == "issuers" else service.district_by_slug(slug)
    service.require_manager(current_user, org)
    return org


def _invite_form(org: Issuer | District) -> InviteForm:
    form = InviteForm()
    roles = service.ISSUER_ROLES if isinstance(org, Issuer) else (Role.CREDIT_OFFICER,)
    form.role.choices = [(r.value, r.label) for r in roles]
    return form


@bp.get("/orgs")
@login_required
def index() -> Any:
    return render_template(
        "orgs/index.html",
        issuers=service.managed_issuers(current_user, page_args(prefix="issuers_")),
        districts=service.managed_districts(current_user, page_args(prefix="districts_")),
    )


@bp.route("/orgs/issuers/new", methods=["GET", "POST"])
@admin_required
def new_issuer() -> Any:
    form = IssuerForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            issuer = service.create_issuer(
                current_user,
                form.name.data or "",
                form.slug.data or "",
                form.url.data or "",
                form.email.data or "",
                form.description.data or "",
            )
            flash(_("%(name)s is created. Invite its first admin.", name=issuer.name), "success")
        if outcome.ok:
            return redirect(url_for("orgs.show", kind="issuers", slug=issuer.slug))
    status = 422 if request.method == "POST" else 200
    return render_template("orgs/new.html", form=form, kind="issuer"), status


@bp.route("/orgs/districts/new", methods=["GET", "POST"])
@admin_required
def new_district() -> Any:
    form = DistrictForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            district = service.create_district(
                current_user,
                form.name.data or "",
                form.slug.data or "",
                (form.schools.data or "").splitlines(),
            )
            flash(
                _("%(name)s is created. Invite its first credit officer.", name=district.name),
                "success",
            )
        if outcome.ok:
            return redirect(url_for("orgs.show", kind="districts", slug=district.slug))
    status = 422 if request.method == "POST" else 200
    return render_template("orgs/new.html", form=form, kind="district"), status


@bp.get("/orgs/<any(issuers, districts):kind>/<slug>")
@login_required
def show(kind: str, slug: str) -> Any:
    org = _org(kind, slug)
    return _page(kind, org)


def _page(kind: str, org: Issuer | District, status: int = 200, **forms: Any) -> Any:
    context = {
        "invite_form": _invite_form(org),
        "school_form": SchoolForm(),
        "domain_form": DomainForm(),
        "action": EmptyForm(),
        **forms,
    }
    if isinstance(org, District):
        context["schools"] = service.schools_of(org, page_args(prefix="schools_"))
        context["domains"] = domains.domains_of(org, page_args(prefix="domains_"))
    return render_template(
        "orgs/show.html",
        kind=kind,
        org=org,
        grants=service.grants_of(org, page_args(prefix="people_")),
        invitations=service.pending_invitations(org, page_args(prefix="invitations_")),
        **context,
    ), status


@bp.post("/orgs/<any(issuers, districts):kind>/<slug>/invite")
@login_required
def invite(kind: str, slug: str) -> Any:
    org = _org(kind, slug)
    form = _invite_form(org)
    if form.validate_on_submit():
        with attempt(form, _("Invitation sent to %(email)s.", email=form.email.data)) as outcome:
            service.invite(current_user, org, form.email.data or "", Role(form.role.data))
        if outcome.ok:
            return redirect(url_for("orgs.show", kind=kind, slug=slug))
    return _page(kind, org, 422, invite_form=form)


@bp.post("/orgs/<any(issuers, districts):kind>/<slug>/grants/<int:grant_id>/revoke")
@login_required
def revoke(kind: str, slug: str, grant_id: int) -> Any:
    org = _org(kind, slug)
    if EmptyForm().validate_on_submit():
        with attempt(success=_("The role is removed.")):
            service.revoke_grant(current_user, org, grant_id)
    return redirect(url_for("orgs.show", kind=kind, slug=slug))


@bp.post("/orgs/districts/<slug>/schools")
@login_required
def add_school(slug: str) -> Any:
    district = _org("districts", slug)
    assert isinstance(district, District)
    form = SchoolForm()
    if form.validate_on_submit():
        with attempt(form, _("School added.")) as outcome:
            service.add_school(current_user, district, form.name.data or "")
        if outcome.ok:
            return redirect(url_for("orgs.show", kind="districts", slug=slug))
    return _page("districts", district, 422, school_form=form)


@bp.post("/orgs/districts/<slug>/domains")
@admin_required
def add_domain(slug: str) -> Any:
    district = _org("districts", slug)
    assert isinstance(district, District)
    form = DomainForm()
    status = 422
    if form.validate_on_submit():
        with attempt(form) as outcome:
            row = domains.claim_domain(current_user, district, form.domain.data or "")
            flash(
                _(
                    "Teachers with a confirmed address at %(domain)s may now join.",
                    domain=row.domain,
                ),
                "success",
            )
        if outcome.error is not None:
            status = outcome.error.status
        else:
            return redirect(
                url_for("orgs.show", kind="districts", slug=slug, _anchor="domains-heading")
            )
    return _page("districts", district, status, domain_form=form)


@bp.post("/orgs/districts/<slug>/domains/<domain>/remove")
@admin_required
def remove_domain(slug: str, domain: str) -> Any:
    district = _org("districts", slug)
    assert isinstance(district, District)
    if EmptyForm().validate_on_submit():
        with attempt(
            success=_("%(domain)s is removed; members who joined through it stay.", domain=domain)
        ):
            domains.release_domain(current_user, district, domain)
    return redirect(url_for("orgs.show", kind="districts", slug=slug, _anchor="domains-heading"))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def invitation(token: str) -> Any:
    try:
        found = service.invitation_for(token)
    except AppError as error:
        return render_template("orgs/invitation.html", problem=error.message), error.status
    if not current_user.is_authenticated:
        return render_template("orgs/invitation.html", invitation=found, token=token)
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        with attempt() as outcome:
            service.accept(current_user, token)
            organisation = found.issuer or found.district
            assert organisation is not None  # service.invite names one; deleting it cascades
            flash(
                _("You are now %(role)s at %(org)s.", role=found.role.label, org=organisation.name),
                "success",
            )
        if outcome.error is not None:
            return render_template(
                "orgs/invitation.html", invitation=found, token=token, form=form
            ), outcome.error.status
        return redirect(url_for("auth.account"))
    return render_template("orgs/invitation.html", invitation=found, token=token, form=form)
