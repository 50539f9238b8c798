"""The teacher's portfolio settings (``/account/portfolio``) and her public portfolio:
``/people/<handle>`` (the page, with Open Graph and Twitter card tags), ``/embed`` (a compact
page any site may frame), ``/badges.json`` (the feed of her public badges, readable from any
origin) and the images of badges from other issuers. A public view never fetches: it shows
the stored results and queues a re-check of a few stale outside badges (``portfolio-recheck``,
after the commit). Public reads are rate-limited per address like the verifier's."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.auth.forms import EmptyForm
from app.extensions import limiter
from app.forms import attempt
from app.issuance import service as issuance
from app.pagination import PageArgs, api_page, lenient_page_args, page_args
from app.portfolio import bp, service
from app.portfolio.forms import ChooseForm, OutsideForm, ProfileForm
from app.responses import image_response
from app.security import content_security_policy, login_required, public

LIMIT = "60 per minute"
PER_PAGE = 24
COMMUNITIES_PER_PAGE = 10
FEED_COMMUNITIES = 50  # the feed lists her first communities; the page pages them all


# Her settings -------------------------------------------------------------------------------


def _choose_form(badges: list[Any]) -> ChooseForm:
    form = ChooseForm(prefix="choose")
    form.badges.choices = [(b.uid, b.version.title) for b in badges if b.public]
    if request.method == "GET":
        form.badges.data = sorted(service.chosen_uids(current_user))
    return form


def _profile_form() -> ProfileForm:
    form = ProfileForm(prefix="profile")
    if request.method == "GET":
        mine = service.portfolio_of(current_user)
        form.enabled.data = mine.enabled
        form.handle.data = mine.handle or ""
        form.display_name.data = mine.display_name or current_user.name
        form.bio.data = mine.bio
        form.show_communities.data = mine.show_communities
    return form


def _settings(status: int = 200, **forms: Any) -> Any:
    mine = service.portfolio_of(current_user)
    badges = issuance.my_badges(current_user)
    context = {
        "profile_form": _profile_form(),
        "choose_form": _choose_form(badges),
        "outside_form": OutsideForm(prefix="outside"),
        "remove_form": EmptyForm(),
        **forms,
    }
    return (
        render_template(
            "portfolio/settings.html",
            portfolio=mine,
            address=service.public_address(mine),
            embed=service.embed_snippet(mine) if mine.handle else None,
            badges=badges,
            outside=service.outside_page(current_user, page_args(prefix="outside_")),
            max_name=service.MAX_NAME,
            max_bio=service.MAX_BIO,
            handle_hint=service.HANDLE_HINT,
            **context,
        ),
        status,
    )


@bp.get("/account/portfolio")
@login_required
def settings() -> Any:
    return _settings()


@bp.post("/account/portfolio")
@login_required
def save_profile() -> Any:
    form = ProfileForm(prefix="profile")
    if form.validate_on_submit():
        with attempt(form) as outcome:
            saved = service.update(
                current_user,
                enabled=bool(form.enabled.data),
                handle=form.handle.data or "",
                display_name=form.display_name.data or "",
                bio=form.bio.data or "",
                show_communities=bool(form.show_communities.data),
            )
        if outcome.ok:
            flash(
                _("Your public portfolio is on: anyone with its address can see it.")
                if saved.enabled
                else _("Saved. Your public portfolio is off: nobody else can see it."),
                "success",
            )
            return redirect(url_for("portfolio.settings"))
    return _settings(422, profile_form=form)


@bp.post("/account/portfolio/chosen")
@login_required
def choose() -> Any:
    form = _choose_form(issuance.my_badges(current_user))
    if form.validate_on_submit():
        with attempt(form) as outcome:
            count = service.choose_ours(current_user, list(form.badges.data or []))
        if outcome.ok:
            flash(
                ngettext(
                    "Saved: %(num)d badge from this site.",
                    "Saved: %(num)d badges from this site.",
                    count,
                ),
                "success",
            )
            return redirect(url_for("portfolio.settings", _anchor="ours-heading"))
    return _settings(422, choose_form=form)


@bp.post("/account/portfolio/outside")
@login_required
def add_outside() -> Any:
    form = OutsideForm(prefix="outside")
    upload = request.files.get("outside-image")
    if form.validate_on_submit():
        with attempt(form) as outcome:
            image = None
            if upload is not None and upload.filename:
                image = upload.stream.read(service.MAX_UPLOAD_BYTES + 1)
            entry = service.add_outside(
                current_user,
                url=(form.url.data or "").strip() or None,
                jws=(form.jws.data or "").strip() or None,
                image=image,
                filename=upload.filename if upload is not None else None,
            )
        if outcome.ok:
            flash(
                _("“%(name)s” verified and added to your portfolio.", name=entry.badge_name),
                "success",
            )
            return redirect(url_for("portfolio.settings", _anchor="outside-heading"))
    return _settings(422, outside_form=form)


@bp.post("/account/portfolio/badges/<int:badge_id>/remove")
@login_required
def remove(badge_id: int) -> Any:
    if EmptyForm().validate_on_submit():
        with attempt(success=_("The badge is off your portfolio.")):
            service.remove(current_user, badge_id)
    return redirect(url_for("portfolio.settings", _anchor="outside-heading"))


# The public portfolio -----------------------------------------------------------------------


def _communities_args() -> PageArgs:
    """``?plc_page=`` for her communities on the public page; anything odd is page 1."""
    raw = request.args.get("plc_page", "1")
    number = int(raw) if raw.isdigit() and 0 < int(raw) <= 100_000 else 1
    return PageArgs(number, COMMUNITIES_PER_PAGE, "plc_")


@bp.get("/people/<handle>")
@public
@limiter.limit(LIMIT)
def page(handle: str) -> Any:
    portfolio = service.public_portfolio(handle)
    badges = service.shown_badges(portfolio, lenient_page_args(PER_PAGE))
    return render_template(
        "portfolio/page.html",
        portfolio=portfolio,
        badges=badges,
        communities=service.contributions(portfolio, _communities_args()),
        address=service.public_address(portfolio),
        og_image=service.first_image(badges),
        embed=service.embed_snippet(portfolio),
    )


@bp.get("/people/<handle>/embed")
@public
@limiter.limit(LIMIT)
def embed(handle: str) -> Any:
    """A compact list of her badges that any site may frame (this route only)."""
    portfolio = service.public_portfolio(handle)
    badges = service.shown_badges(portfolio, lenient_page_args(PER_PAGE))
    g.public_document = True  # the same for everyone: no cookie
    g.framable = True  # no X-Frame-Options: DENY (app/__init__.py)
    response = Response(
        render_template(
            "portfolio/embed.html",
            portfolio=portfolio,
            badges=badges,
            address=service.public_address(portfolio),
        )
    )
    response.headers["Content-Security-Policy"] = content_security_policy().replace(
        "frame-ancestors 'none'", "frame-ancestors *"
    )
    return response


@bp.get("/people/<handle>/badges.json")
@public
@limiter.limit(LIMIT)
def feed(handle: str) -> Any:
    """Her public badges as JSON, newest first, a page at a time (``?page=``,
    ``?per_page=`` up to 100): ``{"profile", "badges": [...], "page", "per_page", "total",
    "next"}``; each badge with its assertion id, badge class, issuer, dates and status. While
    she lists her PLC contributions, ``"communities"`` holds the first 50 of them (title,
    credential, her role, since when, the titles of threads she started) and
    ``"communities_total"`` how many there are; otherwise both are absent."""
    portfolio = service.public_portfolio(handle)
    badges = service.shown_badges(portfolio, page_args(default=50))
    g.public_document = True
    body = {
        "profile": {
            "handle": portfolio.handle,
            "name": portfolio.display_name,
            "bio": portfolio.bio,
            "url": service.public_address(portfolio),
        },
        **api_page(
            badges,
            "badges",
            lambda items: [service.feed_entry(s) for s in items],
            "portfolio.feed",
            handle=portfolio.handle,
        ),
    }
    if portfolio.show_communities:
        listed = service.contributions(portfolio, PageArgs(1, FEED_COMMUNITIES))
        body["communities"] = [service.feed_contribution(c) for c in listed.items]
        body["communities_total"] = listed.total
    response = jsonify(body)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.get("/people/<handle>/badges/<int:badge_id>/image")
@public
def badge_image(handle: str, badge_id: int) -> Any:
    """The image of a badge from another issuer on a public portfolio."""
    return image_response(*service.outside_image(handle, badge_id))
