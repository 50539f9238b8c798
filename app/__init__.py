"""The micro-credential platform: a Flask application factory."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, Response, g, request
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin
from werkzeug.routing import IntegerConverter

from app.config import Settings
from app.db import db
from app.extensions import csrf, limiter, login_manager, migrate
from app.security import content_security_policy


class SessionInterface(SecureCookieSessionInterface):
    """Public JSON-LD documents do not depend on who asks: they neither set a cookie nor
    vary by one, so verifiers and CDNs can cache them (``g.public_document``)."""

    def save_session(self, app: Flask, session: Any, response: Any) -> None:
        if g.get("public_document") and not session.modified:
            return
        super().save_session(app, session, response)


class AnonymousUser(AnonymousUserMixin):
    is_platform_admin = False
    grants: list[Any] = []
    is_confirmed = False


class DatabaseId(IntegerConverter):
    """``<int:...>`` in a URL: at most 2**31 - 1, what a database integer holds, so a larger
    number is a 404 like any id that does not exist, never a 500 from the database."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body nested too deeply to read (100,000 levels) is a
    malformed body (a 400 with a JSON error under /api/, as any unreadable JSON is), never a
    RecursionError and a 500."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("the JSON is nested too deeply to read") from error


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app from ``settings`` (default: the environment). Only wires things up:
    migrations run with ``flask db upgrade``, never here.

    This package's root is imported before any ``app.*`` module, so the rest of the app is
    imported here, when an app is built: importing ``app.db`` never pulls in every feature.
    """
    from app import blueprints, wiring

    settings = settings or Settings.from_env()
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="static",
        instance_path=str(settings.instance_path),
    )
    app.config.from_mapping(settings.flask_config())
    app.url_map.converters["int"] = DatabaseId
    app.json = BoundedJSONProvider(app)
    app.session_interface = SessionInterface()
    app.extensions["settings"] = settings
    if not settings.database_url:
        settings.instance_path.mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    # Registered first, so it runs after every other after_request hook.
    app.after_request(end_transaction)
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    from app.security import apply_body_limit

    app.before_request(apply_body_limit)  # before the CSRF check reads the body
    csrf.init_app(app)
    from app import i18n

    i18n.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.anonymous_user = AnonymousUser
    _register_user_loader()

    from app import models  # noqa: F401 - registers every model with the metadata
    from app.errors import register_error_handlers

    register_error_handlers(app)
    blueprints.register(app)  # every route (app/blueprints.py)
    wiring.connect(app)  # every event subscription (app/wiring.py)

    from app.cli import register_cli

    register_cli(app)
    _register_request_hooks(app)
    _register_template_helpers(app)
    from app import logs
    from app.ops import metrics

    logs.configure(app)
    metrics.install(app)
    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.trusted_proxies  # X-Forwarded-* from this many proxies in front of us
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)  # type: ignore[method-assign]
    return app


def _migrations_dir() -> Any:
    from app.config import PROJECT_ROOT

    return PROJECT_ROOT / "migrations"


def _register_user_loader() -> None:
    from app.models.accounts import User

    @login_manager.user_loader
    def load_user(user_key: str) -> User | None:
        user_id, _sep, version = user_key.partition(":")
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or str(user.session_version) != version:
            return None
        return user

    @login_manager.unauthorized_handler
    def unauthorized() -> Any:
        from flask import flash, redirect, url_for

        from app.errors import error_response, wants_json

        if wants_json():
            return error_response(401, "unauthorized", _("Sign in or send a valid bearer token."))
        flash(_("Please sign in to continue."), "info")

        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def end_transaction(response: Response) -> Response:
    """The request owns the transaction: commit once when the view answered below 400, roll
    back otherwise (an AppError, an HTTP error, a form re-shown with 422). Views and services
    never commit; what must wait for the commit (mail, jobs) waits in ``after_commit``.

    It runs before the body is sent, so a streamed body (a CSV export) only reads. A failing
    commit is rolled back and raised: the error handlers answer 500 and nothing is kept.
    An exception no handler answered skips this; ``remove_session`` then rolls back.
    """
    if response.status_code >= 400:
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return response


HSTS = "max-age=31536000; includeSubDomains"


def _register_request_hooks(app: Flask) -> None:
    https = app.extensions["settings"].public_base_url.startswith("https://")

    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        ok = incoming and len(incoming) <= 64 and incoming.replace("-", "").isalnum()
        g.request_id = incoming if ok else secrets.token_hex(8)

    @app.after_request
    def security_headers(response: Any) -> Any:
        response.headers.setdefault("X-Request-ID", g.get("request_id", ""))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if not g.get("framable"):  # only the portfolio's embed page may be framed
            response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        if https:  # browsers that once came over https never try plain http again
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response

    @app.teardown_appcontext
    def remove_session(_exc: BaseException | None) -> None:
        db.session.remove()


def _register_template_helpers(app: Flask) -> None:
    from app.models.orgs import Role
    from app.security import has_role
    from app.textfmt import human_date, markdown_lite

    app.jinja_env.filters["markdown_lite"] = markdown_lite
    app.jinja_env.filters["human_date"] = human_date

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {"Role": Role, "has_role": has_role, "settings": app.extensions["settings"]}
