"""Health for load balancers, metrics for Prometheus, and the failed-job page for admins."""

from __future__ import annotations

import ipaddress
import secrets
from typing import Any

from flask import Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app import jobs as queue
from app.auth.forms import EmptyForm
from app.errors import Forbidden
from app.ops import bp, health, metrics
from app.ops.failed import failed_page
from app.pagination import Page, page_args
from app.security import admin_required, public


@bp.get("/healthz")
@public
def healthz() -> Any:
    """The process is alive (no dependency is checked)."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
@public
def readyz() -> Any:
    """Database, storage and Redis reachable and migrations at head; 503 otherwise."""
    ready, checks = health.readiness()
    response = jsonify({"status": "ready" if ready else "not ready", "checks": checks})
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def _metrics_allowed() -> bool:
    settings = current_app.extensions["settings"]
    if settings.metrics_token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return secrets.compare_digest(given, settings.metrics_token)
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    for allowed in (a.strip() for a in settings.metrics_allow.split(",") if a.strip()):
        if address in ipaddress.ip_network(allowed, strict=False):
            return True
    return False


@bp.get("/metrics")
@public
def metrics_page() -> Any:
    """Prometheus text format; only for METRICS_TOKEN bearers or METRICS_ALLOW addresses."""
    if not _metrics_allowed():
        raise Forbidden(_("Metrics are not public: use the metrics token or an allowed address."))
    body, kind = metrics.render(current_app._get_current_object())  # type: ignore[attr-defined]
    return Response(body, mimetype=kind.split(";")[0], headers={"Cache-Control": "no-store"})


@bp.get("/admin/jobs")
@admin_required
def jobs() -> Any:
    settings = current_app.extensions["settings"]
    args = page_args()
    failed = failed_page(args) if settings.redis_url else Page([], args.page, args.per_page, 0)
    counts = queue.depths() if settings.redis_url else {}
    return render_template(
        "ops/jobs.html",
        failed=failed,
        counts=counts,
        inline=not settings.redis_url,
        form=EmptyForm(),
    )


@bp.post("/admin/jobs/<job_id>/retry")
@admin_required
def retry(job_id: str) -> Any:
    if not current_app.extensions["settings"].redis_url:
        flash(_("Jobs run inline here: there is no queue to retry from."), "error")
    elif EmptyForm().validate_on_submit():
        try:
            queue.retry_failed(job_id)
        except Exception:  # not in the failed registry (retried already, or expired)
            flash(_("That job is no longer among the failed ones."), "error")
        else:
            flash(_("The job is queued again."), "success")
    return redirect(url_for("ops.jobs"))
