"""Reviewer pages (queue, blind review with the scoring form, evidence files) and the issuer
admin's pages (reviewer pool, queues, inter-rater agreement). Lists are paged
(``?page=``/``?per_page=``, app.pagination)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.forms import EmptyForm
from app.db import utcnow
from app.errors import InvalidInput
from app.forms import attempt
from app.models.orgs import Role
from app.models.reviews import ReviewKind
from app.orgs.picking import managed_issuer, pick_issuer
from app.pagination import kept_paging, page_args
from app.responses import file_response
from app.reviews import bp, pool, service
from app.security import roles_required

reviewer = roles_required(Role.REVIEWER)
issuer_admin = roles_required(Role.ISSUER_ADMIN)


@bp.get("/reviews")
@reviewer
def index() -> Any:
    return render_template(
        "reviews/index.html",
        queue=service.my_queue(current_user, page_args()),
        recent=service.my_recent(current_user),
        labels=service.KIND_LABELS,
        ReviewKind=ReviewKind,
        now=utcnow(),
    )


@bp.get("/reviews/<int:review_id>")
@reviewer
def show(review_id: int) -> Any:
    review = service.get_mine(current_user, review_id)
    return render_template(
        "reviews/show.html",
        review=review,
        view=service.blind(review),
        label=service.KIND_LABELS[ReviewKind(review.kind)],
        form=EmptyForm(),
    )


@bp.post("/reviews/<int:review_id>")
@reviewer
def score(review_id: int) -> Any:
    review = service.get_mine(current_user, review_id, lock=True)
    if not EmptyForm().validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return redirect(url_for("reviews.show", review_id=review_id))
    final = request.form.get("action") == "submit"
    scores = []
    for criterion in review.submission.version.criteria:
        level = request.form.get(f"level-{criterion.id}", "")
        if level.isdigit():
            scores.append(
                {
                    "criterion_id": criterion.id,
                    "level_id": int(level),
                    "comment": request.form.get(f"comment-{criterion.id}", ""),
                }
            )
    with attempt() as saved:
        outcome = service.save_scores(
            current_user, review, scores, request.form.get("comment", ""), final=final
        )
    if not saved.ok:
        if final:  # keep what was typed: save it as a draft, then show what is missing
            review = service.get_mine(current_user, review_id, lock=True)
            service.save_scores(
                current_user, review, scores, request.form.get("comment", ""), final=False
            )
        return redirect(url_for("reviews.show", review_id=review_id))
    if final:
        passed = outcome.decision and outcome.decision.value == "pass"
        decision = _("Pass") if passed else _("Not yet")
        flash(
            _(
                "Submitted: %(decision)s (%(total)s points). Thank you.",
                decision=decision,
                total=outcome.total,
            ),
            "success",
        )
        return redirect(url_for("reviews.index"))
    flash(_("Draft saved. Submit when every criterion has a level."), "success")
    return redirect(url_for("reviews.show", review_id=review_id))


@bp.get("/reviews/<int:review_id>/files/<int:file_id>")
@reviewer
def evidence(review_id: int, file_id: int) -> Any:
    review = service.get_mine(current_user, review_id)
    record, name = service.reviewer_file(review, file_id)
    return file_response(record, filename=name)


# Issuer admins ----------------------------------------------------------------------------


@bp.get("/reviews/admin")
@issuer_admin
def admin_index() -> Any:
    return pick_issuer("reviews.admin", _("Review queues"))


@bp.get("/reviews/admin/<slug>")
@issuer_admin
def admin(slug: str) -> Any:
    issuer = managed_issuer(slug)
    args = page_args()
    pool.ensure_profiles(current_user, issuer)  # pool rows created on first look
    profiles = pool.profiles(current_user, issuer, args)
    credentials = pool.credentials_of(issuer)
    return render_template(
        "reviews/admin.html",
        issuer=issuer,
        profiles=profiles,
        stats=pool.queue_stats(current_user, issuer),
        raters=pool.inter_rater(current_user, issuer),
        credentials=credentials,
        titles=dict(credentials),
        form=EmptyForm(),
    )


def _back_to_pool(slug: str, profile_id: int) -> str:
    """The pool page the form was posted from (its ``?page``/``?per_page`` kept), at the row."""
    return url_for("reviews.admin", slug=slug, **kept_paging()) + f"#reviewer-{profile_id}"


def _date(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise InvalidInput(
            _("Give the date as YYYY-MM-DD."), {"away_until": [_("A date.")]}
        ) from error


@bp.post("/reviews/admin/<slug>/reviewers/<int:profile_id>")
@issuer_admin
def update_reviewer(slug: str, profile_id: int) -> Any:
    issuer = managed_issuer(slug)
    row = pool.profile(current_user, issuer, profile_id)
    if EmptyForm().validate_on_submit():
        with attempt(success=_("%(name)s: saved.", name=row.user.name)):
            capacity = request.form.get("capacity", "")
            if not capacity.isdigit():
                raise InvalidInput(_("Capacity is a whole number."), {"capacity": [_("A number.")]})
            pool.update_profile(
                current_user,
                row,
                capacity=int(capacity),
                paused=request.form.get("paused") == "yes",
                away_until=_date(request.form.get("away_until", "")),
                senior=request.form.get("senior") == "yes",
            )
    return redirect(_back_to_pool(slug, profile_id))


@bp.post("/reviews/admin/<slug>/reviewers/<int:profile_id>/qualify")
@issuer_admin
def qualify(slug: str, profile_id: int) -> Any:
    issuer = managed_issuer(slug)
    row = pool.profile(current_user, issuer, profile_id)
    if EmptyForm().validate_on_submit():
        credential = request.form.get("credential_id", "")
        with attempt(success=_("%(name)s is qualified.", name=row.user.name)):
            pool.qualify(
                current_user,
                row,
                credential_id=int(credential) if credential.isdigit() else None,
                tag=request.form.get("tag") or None,
            )
    return redirect(_back_to_pool(slug, profile_id))


@bp.post("/reviews/admin/<slug>/reviewers/<int:profile_id>/qualifications/<int:qid>/delete")
@issuer_admin
def unqualify(slug: str, profile_id: int, qid: int) -> Any:
    issuer = managed_issuer(slug)
    row = pool.profile(current_user, issuer, profile_id)
    if EmptyForm().validate_on_submit():
        with attempt(success=_("Qualification removed.")):
            pool.unqualify(current_user, row, qid)
    return redirect(_back_to_pool(slug, profile_id))
