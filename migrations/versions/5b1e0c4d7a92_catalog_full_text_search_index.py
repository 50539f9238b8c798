"""catalog full-text search index (PostgreSQL only)

Revision ID: 5b1e0c4d7a92
Revises: 8c3f2a91d0b4
Create Date: 2026-11-30 10:00:00.000000

A GIN index on the english tsvector of a credential version's title, competency statement and
tags. The query in ``app/credentials/search.py`` repeats this exact expression (PostgreSQL uses
an expression index only then; ``tests/app/catalog/test_scale.py`` checks the plan). SQLite
has no full-text index here: the catalog searches it with ``LIKE``, so this revision does
nothing there. The index lives only in the migrations, not in the models, because it exists on
one backend: autogenerate (``migrations/env.py``) and ``tests/app/test_migrations.py`` must leave
it out of the comparison (``app.credentials.search.include_object``), or they report it as drift.
"""
from alembic import op
import sqlalchemy as sa  # noqa: F401

from app.db import UTCDateTime  # noqa: F401 - aware datetimes on every backend


# revision identifiers, used by Alembic.
revision = '5b1e0c4d7a92'
down_revision = '8c3f2a91d0b4'
branch_labels = None
depends_on = None

INDEX = "ix_credential_versions_search"
DOCUMENT = (
    "to_tsvector('english', coalesce(title, '') || ' ' || coalesce(competency, ''))"
    " || to_tsvector('english', coalesce(tags, '[]'::json))"
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE INDEX {INDEX} ON credential_versions USING gin (({DOCUMENT}))")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
