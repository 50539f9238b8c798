"""The home page and the help pages."""

from __future__ import annotations

from flask import render_template

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
