"""The designer's pages: list, create (form or JSON), edit a draft, publish, version, retire."""

from __future__ import annotations

import json
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from app.credentials import bp, service
from app.credentials.forms import (
    LEVEL_ROWS,
    ActionForm,
    CriterionForm,
    DetailsForm,
    ImageForm,
    NewCredentialForm,
    PromptForm,
)
from app.credentials.schemas import CredentialInSchema
from app.errors import InvalidInput, NotFound
from app.forms import attempt
from app.images import validate_badge_image
from app.models.credentials import Credential, CredentialVersion
from app.models.orgs import Role
from app.pagination import page_args
from app.security import roles_required

designer = roles_required(Role.DESIGNER, Role.ISSUER_ADMIN)
ITEM_KINDS = {"prompts": "prompt", "criteria": "criterion"}
DESIGN_PER_PAGE = 50


def _credential(credential_id: int) -> Credential:
    return service.get_for_editing(current_user, credential_id)


def _draft(credential: Credential) -> CredentialVersion:
    return service.draft_of(credential)


def _back(credential: Credential, anchor: str = "") -> Any:
    return redirect(url_for("credentials.show", credential_id=credential.id) + anchor)


@bp.get("/design")
@designer
def index() -> Any:
    page = service.credentials_for(current_user, page_args(default=DESIGN_PER_PAGE))
    return render_template(
        "credentials/index.html",
        credentials=page.items,
        page=page,
        action=ActionForm(),
    )


@bp.route("/design/new", methods=["GET", "POST"])
@designer
def new() -> Any:
    form = NewCredentialForm()
    issuers = service.editable_issuers(current_user)
    form.issuer.choices = [(i.id, i.name) for i in issuers]
    if form.validate_on_submit():
        issuer = next((i for i in issuers if i.id == form.issuer.data), None)
        success = _("Draft created. Fill in the details, prompts and rubric, then publish.")
        with attempt(form, success) as outcome:
            if issuer is None:
                raise NotFound(_("Choose one of your issuers."))
            data = _new_data(form)
            credential = service.create_credential(current_user, issuer, data)
        if outcome.ok:
            return _back(credential)
    status = 422 if request.method == "POST" else 200
    return render_template("credentials/new.html", form=form), status


def _new_data(form: NewCredentialForm) -> dict[str, Any]:
    raw = (form.import_json.data or "").strip()
    if not raw:
        if not form.slug.data or not form.title.data:
            raise InvalidInput(
                _("Give the credential a title and a web address name, or import JSON."),
                {"title": [_("Required.")], "slug": [_("Required.")]},
            )
        return {"slug": form.slug.data, "title": form.title.data}
    try:
        parsed = json.loads(raw)
    except ValueError as error:
        raise InvalidInput(
            _("The JSON could not be read: %(error)s.", error=error),
            {"import_json": [_("Not JSON.")]},
        ) from error
    if not isinstance(parsed, dict):
        raise InvalidInput(_("The JSON must be an object."), {"import_json": [_("Not an object.")]})
    parsed["issuer_id"] = form.issuer.data
    try:
        data: dict[str, Any] = CredentialInSchema().load(parsed)
    except ValidationError as error:
        raise InvalidInput(
            _("The JSON has problems: %(problems)s", problems=json.dumps(error.messages)),
            {"import_json": [_("See above.")]},
        ) from error
    data.pop("issuer_id", None)
    return data


@bp.get("/design/<int:credential_id>")
@designer
def show(credential_id: int) -> Any:
    credential = _credential(credential_id)
    version = credential.draft_version or credential.latest_version
    return render_template(
        "credentials/show.html",
        credential=credential,
        version=version,
        problems=service.publish_problems(version) if version.is_draft else [],
        action=ActionForm(),
        image_form=ImageForm(),
    )


def _lines(text: str | None, names: tuple[str, ...], label: str) -> list[dict[str, str]]:
    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != len(names) or not parts[-1 if label == "resources" else 2].startswith(
            ("http://", "https://")
        ):
            pattern = " | ".join(names)
            raise InvalidInput(
                _(
                    "Line %(number)s of resources should look like “%(pattern)s” "
                    "with a web address.",
                    number=number,
                    pattern=pattern,
                )
                if label == "resources"
                else _(
                    "Line %(number)s of alignments should look like “%(pattern)s” "
                    "with a web address.",
                    number=number,
                    pattern=pattern,
                ),
                {label: [_("Line %(number)s: %(pattern)s", number=number, pattern=pattern)]},
            )
        rows.append(dict(zip(names, parts, strict=True)))
    return rows


@bp.route("/design/<int:credential_id>/details", methods=["GET", "POST"])
@designer
def details(credential_id: int) -> Any:
    credential = _credential(credential_id)
    version = _draft(credential)
    form = DetailsForm(obj=None if request.method == "POST" else version)
    levels = max((len(c.levels) for c in version.criteria), default=0)
    form.pass_min_level.choices = [(-1, _("No level rule"))] + [
        (n, version.level_name(n) or _("Level %(n)s", n=n + 1)) for n in range(levels)
    ]
    if request.method == "GET":
        form.research_resources.data = "\n".join(
            f"{r['title']} | {r['url']}" for r in version.research_resources or []
        )
        form.alignments.data = "\n".join(
            " | ".join(a.get(k, "") for k in ("framework", "code", "url", "name"))
            for a in version.alignments or []
        )
        form.tags.data = ", ".join(version.tags or [])
        form.pass_min_level.data = -1 if version.pass_min_level is None else version.pass_min_level
    if form.validate_on_submit():
        with attempt(form, _("Details saved.")) as outcome:
            data = {
                "title": form.title.data,
                "language": form.language.data,
                "competency": form.competency.data,
                "key_method": form.key_method.data,
                "method_components": form.method_components.data,
                "research_resources": _lines(
                    form.research_resources.data, ("title", "url"), "resources"
                ),
                "alignments": _lines(
                    form.alignments.data, ("framework", "code", "url", "name"), "alignments"
                ),
                "tags": [t for t in (form.tags.data or "").split(",") if t.strip()],
                "grade_bands": form.grade_bands.data or [],
                "estimated_hours": form.estimated_hours.data,
                "validity_years": form.validity_years.data,
                "pass_min_level": None
                if form.pass_min_level.data == -1
                else form.pass_min_level.data,
                "pass_min_total": form.pass_min_total.data,
                "max_attempts": form.max_attempts.data,
                "review_days": form.review_days.data or 7,
                "second_opinion_percent": form.second_opinion_percent.data or 0,
                "second_opinion_first_n": form.second_opinion_first_n.data or 0,
                "avoid_previous_reviewer": bool(form.avoid_previous_reviewer.data),
            }
            service.set_details(version, data)
        if outcome.ok:
            return _back(credential)
    status = 422 if request.method == "POST" else 200
    return render_template("credentials/details.html", form=form, credential=credential), status


@bp.route("/design/<int:credential_id>/prompts/new", methods=["GET", "POST"])
@bp.route("/design/<int:credential_id>/prompts/<int:item_id>", methods=["GET", "POST"])
@designer
def prompt(credential_id: int, item_id: int | None = None) -> Any:
    credential = _credential(credential_id)
    version = _draft(credential)
    existing = service._child(version.prompts, item_id, "prompt") if item_id else None
    form = PromptForm(obj=None if request.method == "POST" else existing)
    if form.validate_on_submit():
        with attempt(form, _("Prompt saved.")) as outcome:
            data = form.data_for_service()
            if data["kind"] == "file" and not data["allowed_kinds"]:
                raise InvalidInput(
                    _("Tick the file kinds this prompt accepts."),
                    {"allowed_kinds": [_("Required.")]},
                )
            if data["min_words"] and data["max_words"] and data["min_words"] > data["max_words"]:
                raise InvalidInput(
                    _("The minimum is more than the maximum."), {"min_words": [_("Too high.")]}
                )
            service.save_prompt(version, data, item_id)
        if outcome.ok:
            return _back(credential, "#prompts")
    status = 422 if request.method == "POST" else 200
    return render_template(
        "credentials/prompt.html", form=form, credential=credential, existing=existing
    ), status


@bp.route("/design/<int:credential_id>/criteria/new", methods=["GET", "POST"])
@bp.route("/design/<int:credential_id>/criteria/<int:item_id>", methods=["GET", "POST"])
@designer
def criterion(credential_id: int, item_id: int | None = None) -> Any:
    credential = _credential(credential_id)
    version = _draft(credential)
    existing = service._child(version.criteria, item_id, "criterion") if item_id else None
    form = CriterionForm()
    form.prompt_ids.choices = [(p.id, f"{p.position + 1}. {p.label}") for p in version.prompts]
    if request.method == "GET":
        _fill_criterion_form(form, existing, version)
    if form.validate_on_submit():
        with attempt(form, _("Criterion saved.")) as outcome:
            levels = form.levels_for_service()
            if len(levels) < 2:
                raise InvalidInput(
                    _("Give at least two performance levels, lowest first."),
                    {"levels": [_("Two or more.")]},
                )
            service.save_criterion(
                version,
                {
                    "title": form.title.data,
                    "description": form.description.data,
                    "prompt_ids": form.prompt_ids.data or [],
                    "levels": levels,
                },
                item_id,
            )
        if outcome.ok:
            return _back(credential, "#rubric")
    status = 422 if request.method == "POST" else 200
    return render_template(
        "credentials/criterion.html", form=form, credential=credential, existing=existing
    ), status


def _fill_criterion_form(form: CriterionForm, existing: Any, version: CredentialVersion) -> None:
    if existing is not None:
        form.title.data = existing.title
        form.description.data = existing.description
        form.prompt_ids.data = [p.id for p in existing.prompts]
        source = existing.levels
    else:
        # Suggest the level names already used in this rubric, so levels line up across criteria.
        source = version.criteria[0].levels if version.criteria else []
    for index, row in enumerate(form.levels):
        level = source[index] if index < len(source) else None
        row.form.name.data = level.name if level else ""
        row.form.descriptor.data = level.descriptor if level and existing is not None else ""
        row.form.points.data = level.points if level else None
    assert len(form.levels) == LEVEL_ROWS


@bp.post("/design/<int:credential_id>/<any(prompts, criteria):kind>/<int:item_id>/delete")
@designer
def delete_item(credential_id: int, kind: str, item_id: int) -> Any:
    credential = _credential(credential_id)
    if ActionForm().validate_on_submit():
        service.delete_item(_draft(credential), ITEM_KINDS[kind], item_id)
        flash(_("Removed."), "success")
    return _back(credential, "#prompts" if kind == "prompts" else "#rubric")


@bp.post("/design/<int:credential_id>/<any(prompts, criteria):kind>/<int:item_id>/move")
@designer
def move_item(credential_id: int, kind: str, item_id: int) -> Any:
    credential = _credential(credential_id)
    if ActionForm().validate_on_submit():
        step = -1 if request.form.get("direction") == "up" else 1
        service.move_item(_draft(credential), ITEM_KINDS[kind], item_id, step)
    return _back(credential, "#prompts" if kind == "prompts" else "#rubric")


@bp.post("/design/<int:credential_id>/image")
@designer
def image(credential_id: int) -> Any:
    credential = _credential(credential_id)
    form = ImageForm()
    if not form.validate_on_submit():
        flash(_("Choose a PNG or SVG file to upload."), "error")
        return _back(credential), 422
    upload = form.image.data
    data = upload.stream.read(1024 * 1024 + 1)
    with attempt(success=_("Badge image saved.")) as outcome:
        safe, mimetype = validate_badge_image(data, upload.filename or "")
        service.set_image(current_user, credential, safe, mimetype)
    if not outcome.ok:
        return redirect(url_for("credentials.show", credential_id=credential.id)), 303
    return _back(credential)


@bp.post("/design/<int:credential_id>/<any(publish, 'new-version', retire, unretire):action>")
@designer
def act(credential_id: int, action: str) -> Any:
    credential = _credential(credential_id)
    if not ActionForm().validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return _back(credential)
    with attempt():
        if action == "publish":
            version = service.publish(current_user, credential)
            message = _("Version %(n)s is published and frozen.", n=version.number)
        elif action == "new-version":
            version = service.new_version(current_user, credential)
            message = _("Version %(n)s is a draft copied from the last version.", n=version.number)
        elif action == "retire":
            service.retire(current_user, credential)
            message = _("Retired: it no longer shows in the catalog.")
        else:
            service.unretire(current_user, credential)
            message = _("Back in the catalog.")
        flash(message, "success")
    return _back(credential)
