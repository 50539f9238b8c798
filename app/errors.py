"""Application errors and how they reach people and API clients.

Services raise :class:`AppError` subclasses, never ``abort()``. The handlers below answer
JSON (``{"error": {"code", "message", "fields"}}``) under ``/api/`` or to clients that
prefer JSON, and a page otherwise. Every handler rolls the session back.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from flask import Flask, Response, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from app import schema_words
from app.db import db

log = logging.getLogger(__name__)
T = TypeVar("T")


class AppError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, Any] | None = None) -> None:
        # Messages may be lazy (``_l``): they are put into words here, in the language of the
        # request that raised them, so handlers, logs and JSON see plain strings.
        message = str(message)
        super().__init__(message)
        self.message = message
        self.fields = {key: _plain(value) for key, value in (fields or {}).items()}


def _plain(value: Any) -> Any:
    """``value`` with lazy translated strings made plain (they are not JSON)."""
    if isinstance(value, LazyString):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


class InvalidInput(AppError):
    status = 422
    code = "invalid_input"


class NotFound(AppError):
    status = 404
    code = "not_found"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class Conflict(AppError):
    status = 409
    code = "conflict"


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"


def found(value: T | None, message: str) -> T:
    """``value`` as looked up, or NotFound saying ``message`` when there was none."""
    if value is None:
        raise NotFound(message)
    return value


PLAIN_WORDS = {
    404: _l("There is nothing at this address. Check the link, or start again from the home page."),
    405: _l("This address does not take that kind of request."),
}

TITLES = {
    400: _l("Bad request"),
    401: _l("Please sign in"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Too large"),
    422: _l("Please check your input"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
}


def title_of(status: int) -> str:
    """The page title of an error ``status``, in the request's language."""
    title = TITLES.get(status)
    return str(title) if title is not None else _("Error")


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(
    status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> Response | tuple[str, int]:
    if wants_json():
        body = {"error": {"code": code, "message": message, "fields": fields or {}}}
        response = jsonify(body)
        response.status_code = status
        return response
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=title_of(status),
            message=message,
            fields=fields or {},
        ),
        status,
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(AppError)
    def handle_app_error(err: AppError) -> Any:
        db.session.rollback()
        return error_response(err.status, err.code, err.message, err.fields)

    @app.errorhandler(ValidationError)
    def handle_validation_error(err: ValidationError) -> Any:
        db.session.rollback()
        messages = schema_words.translate(err.messages)
        fields = messages if isinstance(messages, dict) else {"_schema": messages}
        return error_response(422, "invalid_input", _("Some fields are not valid."), fields)

    @app.errorhandler(HTTPException)
    def handle_http_error(err: HTTPException) -> Any:
        db.session.rollback()
        status = err.code or 500
        if status == 429:
            message = _("Too many attempts. Please wait a little and try again.")
        elif status == 413:
            message = _("The upload is larger than this site accepts.")
        elif status in PLAIN_WORDS:  # werkzeug's stock wording reads like a server log
            message = str(PLAIN_WORDS[status])
        else:
            message = err.description or title_of(status)
        code = (err.name or "error").lower().replace(" ", "_")
        response = error_response(status, code, message)
        if isinstance(response, Response) and err.get_headers():
            for name, value in err.get_headers():
                if name.lower() != "content-type":
                    response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(err: Exception) -> Any:
        db.session.rollback()
        log.exception("unhandled error (request id %s)", g.get("request_id", "-"))
        return error_response(
            500,
            "internal_error",
            _("Something went wrong on our side. It has been logged; please try again."),
        )
