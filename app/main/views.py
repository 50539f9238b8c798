"""The home page and the help pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, current_app, render_template

from app.main import bp
from app.security import public


@bp.get("/")
@public
def home() -> str:
    return render_template("main/home.html")


@bp.get("/help")
@public
def help_page() -> str:
    return render_template("main/help.html")


@bp.get("/favicon.ico")
@public
def favicon() -> Any:
    """Browsers ask for /favicon.ico whatever the page says: the same SVG icon."""
    icon = Path(current_app.static_folder or "", "favicon.svg").read_bytes()
    response = Response(icon, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
