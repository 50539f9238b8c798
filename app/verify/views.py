"""The public verifier: /verify (page) and POST /api/v1/verify (JSON)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request
from flask_babel import gettext as _

from app.api import bp as api
from app.errors import AppError, InvalidInput
from app.extensions import limiter
from app.security import public
from app.verify import bp, service
from badges.errors import BadgeError, json_object

LIMIT = "30 per minute"


def _page(report: Any = None, status: int = 200, **context: Any) -> Any:
    return render_template(
        "verify/index.html",
        report=report,
        verdict=service.verdict(report) if report is not None else None,
        **context,
    ), status


@bp.route("/verify", methods=["GET", "POST"])
@public
@limiter.limit(LIMIT, exempt_when=lambda: request.method == "GET" and not request.args.get("url"))
def page() -> Any:
    values = {"badge": "", "recipient": ""}
    if request.method == "GET":
        url = request.args.get("url", "").strip()
        if not url:
            return _page(values=values)
        values = {"badge": url, "recipient": request.args.get("recipient", "")}
        return _page(service.check(url, values["recipient"]), values=values, share=url)
    values = {
        "badge": request.form.get("badge", "").strip(),
        "recipient": request.form.get("recipient", ""),
    }
    upload = request.files.get("file")
    filename = upload.filename if upload is not None else None
    try:
        if upload is not None and upload.filename:
            source: str | bytes = service.read_upload(upload.stream)
        elif values["badge"]:
            source = values["badge"]
        else:
            return _page(
                values=values,
                problem=_("Paste a badge URL or JWS, or choose a baked badge image."),
                status=422,
            )
    except BadgeError as error:
        return _page(values=values, problem=error.message, status=413)
    report = service.check(source, values["recipient"], filename=filename)
    share = values["badge"] if values["badge"].startswith(("http://", "https://")) else None
    return _page(report, values=values, share=share)


def _json_body() -> dict[str, Any]:
    """The request's JSON object, read with the badges library's limits (a body nested
    100,000 levels deep is a 400 that says so, never a RecursionError)."""
    usage = _('Send JSON {"url"}, {"jws"} or {"assertion"}, or a multipart file.')
    if not request.is_json:
        raise AppError(usage)
    try:
        return json_object(request.get_data(cache=False), "the request body")
    except BadgeError as error:
        raise AppError(f"{error.message[:1].upper()}{error.message[1:]}. {usage}") from error


@api.post("/verify")
@public
@limiter.limit(LIMIT)
def verify_api() -> Any:
    """JSON ``{"url"}``, ``{"jws"}`` or ``{"assertion"}``, or a multipart ``file``."""
    recipient: str | None
    filename: str | None = None
    if request.files.get("file"):
        filename = request.files["file"].filename
        try:
            source: Any = service.read_upload(request.files["file"].stream)
        except BadgeError as error:
            return jsonify(
                {"error": {"code": "too_large", "message": error.message, "fields": {}}}
            ), 413
        recipient = request.form.get("recipient")
    else:
        body = _json_body()
        given = [k for k in ("url", "jws", "assertion") if body.get(k)]
        if len(given) != 1:
            raise InvalidInput(
                _("Give exactly one of url, jws or assertion."),
                {"url": [_("One of url, jws, assertion.")]},
            )
        source = body[given[0]]
        if given[0] == "assertion" and not isinstance(source, dict):
            raise InvalidInput(
                _("assertion must be a JSON object."), {"assertion": [_("Not an object.")]}
            )
        if given[0] != "assertion" and not isinstance(source, str):
            raise InvalidInput(
                _("%(name)s must be a string.", name=given[0]), {given[0]: [_("Not a string.")]}
            )
        recipient = body.get("recipient") if isinstance(body.get("recipient"), str) else None
    report = service.check(source, recipient, filename=filename)
    result = report.to_dict()
    result["verdict"] = service.verdict(report).word
    return jsonify(result)
