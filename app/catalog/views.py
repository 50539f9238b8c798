"""Placeholder: the catalog helper replaces this module."""

from app.catalog import bp
from app.security import public


@bp.get("/catalog")
@public
def index() -> str:
    return "catalog"
