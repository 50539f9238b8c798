"""The earner's backpack and public badge pages, and the issuer admin's badge pages
(issued badges and revocation, signing keys and rotation, bulk issuance). Lists are paged
(``?page=``/``?per_page=``, app.pagination); the admin page's bulk uploads page on their own
(``?bulk_page=``)."""

from __future__ import annotations

import re
from typing import Any

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.forms import EmptyForm
from app.errors import InvalidInput, NotFound, wants_json
from app.forms import attempt
from app.issuance import bp, documents, keys, service
from app.issuance import bulk as bulk_issuance
from app.models.orgs import Role
from app.orgs.picking import managed_issuer, pick_issuer
from app.pagination import kept_paging, page_args
from app.security import login_required, public, roles_required
from app.verify import service as verifier

issuer_admin = roles_required(Role.ISSUER_ADMIN)
DOWNLOADS = {
    "json": ("application/ld+json", "json"),
    "jws": ("application/jose", "jws"),
    "png": ("image/png", "png"),
    "svg": ("image/svg+xml", "svg"),
}


def _paging() -> dict[str, Any]:
    """This request's paging arguments (the badge list and the bulk list)."""
    return kept_paging("bulk_")


def _file_name(item: Any, ext: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", item.version.title.lower()).strip("-")[:60] or "badge"
    return f"{slug}-{item.uid[:8]}.{ext}"


@bp.get("/badges")
@login_required
def index() -> Any:
    badges = service.my_badges_page(current_user, page_args())
    return render_template(
        "issuance/index.html",
        badges=badges,
        keep=_paging(),
        documents=documents,
        service=service,
        form=EmptyForm(),
    )


@bp.get("/badges/<uid>/download/<any(json, jws, png, svg):fmt>")
@login_required
def download(uid: str, fmt: str) -> Any:
    return badge_download(service.get_own(current_user, uid), fmt)


def badge_download(item: Any, fmt: str) -> Any:
    """The earner's badge as a file: its JSON, its JWS, or its baked PNG or SVG (the page and
    the API answer the same file)."""
    if item.jws is None:
        raise InvalidInput(_("This badge is not signed yet; try again in a moment."))
    mimetype, ext = DOWNLOADS[fmt]
    if fmt == "json":
        import json

        from badges.jws import decode

        data: bytes = json.dumps(decode(item.jws)[1], indent=2).encode()
    elif fmt == "jws":
        data = item.jws.encode()
    else:
        data = service.baked(item, fmt)
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{_file_name(item, ext)}"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.post("/badges/<uid>/public")
@login_required
def toggle_public(uid: str) -> Any:
    item = service.get_own(current_user, uid)
    if EmptyForm().validate_on_submit():
        on = request.form.get("public") == "on"
        service.set_public(current_user, item, on)
        flash(
            _("Your public badge page is on: anyone with the link can see it.")
            if on
            else _("Your public badge page is off."),
            "success",
        )
    return redirect(url_for("issuance.index", **_paging()) + f"#badge-{uid}")


@bp.get("/b/<uid>")
@public
def public_badge(uid: str) -> Any:
    """The page an earner shares (off until they switch it on); verified live."""
    item = service.by_uid(uid)
    if not item.public:
        raise NotFound(_("There is no public page for this badge (its earner keeps it private)."))
    return render_template(
        "issuance/public.html",
        item=item,
        status=verifier.badge_status(item),
        documents=documents,
        linkedin=service.linkedin_url(item),
    )


# Issuer admins ------------------------------------------------------------------------------


@bp.get("/issued-badges")
@issuer_admin
def admin_index() -> Any:
    return pick_issuer("issuance.admin", _("Issued badges"))


@bp.get("/issuers/<slug>/badges")
@issuer_admin
def admin(slug: str) -> Any:
    issuer = managed_issuer(slug)
    return render_template(
        "issuance/admin.html",
        issuer=issuer,
        issued=service.issued_by(current_user, issuer, page_args()),
        keys=keys.keys_of(issuer),
        bulks=service.bulk_history(current_user, issuer, page_args(prefix="bulk_", default=10)),
        keep=_paging(),
        documents=documents,
        form=EmptyForm(),
    )


@bp.post("/issuers/<slug>/badges/<uid>/revoke")
@issuer_admin
def revoke(slug: str, uid: str) -> Any:
    issuer = managed_issuer(slug)
    item = service.by_uid(uid)
    if item.issuer_id != issuer.id:
        raise NotFound(_("There is no such badge at this issuer."))
    if EmptyForm().validate_on_submit():
        with attempt(success=_("The badge is revoked; verifiers see it from now on.")):
            service.revoke(current_user, item, request.form.get("reason", ""))
    return redirect(url_for("issuance.admin", slug=slug, **_paging()) + "#issued")


@bp.post("/issuers/<slug>/keys/rotate")
@issuer_admin
def rotate(slug: str) -> Any:
    issuer = managed_issuer(slug)
    if EmptyForm().validate_on_submit():
        key = service.rotate_key(current_user, issuer)
        flash(
            _(
                "Key %(key)s is now current. Every live badge is being re-signed with it; "
                "earners are told a fresh copy is ready.",
                key=key.kid[:8],
            ),
            "success",
        )
    return redirect(url_for("issuance.admin", slug=slug) + "#keys")


@bp.post("/issuers/<slug>/bulk")
@issuer_admin
def bulk(slug: str) -> Any:
    issuer = managed_issuer(slug)
    upload = request.files.get("file")
    if not EmptyForm().validate_on_submit() or upload is None or not upload.filename:
        flash(_("Choose a CSV file to upload."), "error")
        return redirect(url_for("issuance.admin", slug=slug) + "#bulk")
    with attempt() as outcome:
        job = bulk_issuance.start(
            current_user, issuer, upload.filename, upload.stream.read(bulk_issuance.max_bytes() + 1)
        )
    if not outcome.ok:
        return redirect(url_for("issuance.admin", slug=slug) + "#bulk")
    return redirect(url_for("issuance.bulk_status", slug=slug, bulk_id=job.id))


@bp.get("/issuers/<slug>/bulk/<int:bulk_id>")
@issuer_admin
def bulk_status(slug: str, bulk_id: int) -> Any:
    issuer = managed_issuer(slug)
    job = bulk_issuance.get(current_user, issuer, bulk_id)
    rate = bulk_issuance.rate(job)
    if wants_json():
        return jsonify(
            {
                "id": job.id,
                "status": job.status,
                "total": job.total,
                "done": job.done,
                "issued": job.issued,
                "skipped": job.skipped,
                "rows_per_second": round(rate, 1) if rate is not None else None,
                "errors": job.errors,
            }
        )
    return render_template("issuance/bulk.html", issuer=issuer, job=job, rate=rate)
