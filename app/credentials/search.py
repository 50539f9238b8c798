"""Searching published credentials in the database, one SQL shape per backend.

PostgreSQL: full-text search. A version's document is its title, competency statement and
tags, as an ``english`` tsvector; the query is ``plainto_tsquery('english', q)``, so every word
must match after stemming ("meetings" finds "meeting"). The GIN index
``ix_credential_versions_search`` (migration ``5b1e0c4d7a92``) is built on exactly
:func:`document`'s expression; PostgreSQL uses an expression index only when the query repeats
the expression, so the configuration and the literals are written into the SQL, never bound.

SQLite (development and the default test run): every word must appear, case-insensitively,
in the title, competency or a tag (``LIKE '%word%'``); no stemming, ASCII case folding only.

Tag and grade-band filters match whole list elements on both backends.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB

from app.models.credentials import CredentialVersion

CONFIG = "english"
INDEX_NAME = "ix_credential_versions_search"


def document() -> ColumnElement[Any]:
    """The tsvector of a version, the same expression as the GIN index (PostgreSQL)::

        to_tsvector('english', coalesce(title, '') || ' ' || coalesce(competency, ''))
        || to_tsvector('english', coalesce(tags, '[]'::json))

    ``tests/app/catalog/test_scale.py`` checks that PostgreSQL plans a search with the index.
    """
    config: ColumnElement[str] = literal_column(f"'{CONFIG}'")
    text = (
        func.coalesce(CredentialVersion.title, literal_column("''"))
        .op("||")(literal_column("' '"))
        .op("||")(func.coalesce(CredentialVersion.competency, literal_column("''")))
    )
    tags = func.coalesce(CredentialVersion.tags, literal_column("'[]'::json"))
    return func.to_tsvector(config, text).op("||")(func.to_tsvector(config, tags))


def matches(dialect: str, q: str) -> ColumnElement[bool]:
    """Versions whose title, competency or tags contain every word of ``q``."""
    if dialect == "postgresql":
        query = func.plainto_tsquery(literal_column(f"'{CONFIG}'"), q)
        return document().op("@@")(query)
    tags = select(
        func.group_concat(func.json_each(CredentialVersion.tags).table_valued("value").c.value, " ")
    ).scalar_subquery()
    haystack = func.lower(
        func.coalesce(CredentialVersion.title, "")
        + " "
        + func.coalesce(CredentialVersion.competency, "")
        + " "
        + func.coalesce(tags, "")
    )
    return and_(*(haystack.like(f"%{_escape(word)}%", escape="\\") for word in q.lower().split()))


def has_element(dialect: str, column: Any, value: str) -> ColumnElement[bool]:
    """The JSON list ``column`` holds ``value`` as one of its elements."""
    if dialect == "postgresql":
        return cast(column, JSONB).op("@>")(cast(literal(json.dumps([value])), JSONB))
    elements = func.json_each(column).table_valued("value")
    return exists(select(literal(1)).select_from(elements).where(elements.c.value == value))


def elements(dialect: str, column: Any) -> Any:
    """A table-valued function over the string elements of the JSON list ``column``."""
    if dialect == "postgresql":
        # A JSON null or scalar (never written by the service, but possible) has no elements.
        array = case((func.json_typeof(column) == "array", column))
        return func.json_array_elements_text(array).table_valued("value")
    return func.json_each(column).table_valued("value")


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's ``include_object`` hook: the PostgreSQL-only search index is in the migrations
    but not in the models (SQLite has none), so a model/database comparison leaves it out."""
    return not (type_ == "index" and reflected and compare_to is None and name == INDEX_NAME)
