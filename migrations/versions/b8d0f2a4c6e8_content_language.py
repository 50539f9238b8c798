"""the language a credential version's and a framework's content is written in (WCAG 3.1.2)

Revision ID: b8d0f2a4c6e8
Revises: a7c9e1f3b5d7
Create Date: 2026-11-30 11:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b8d0f2a4c6e8"
down_revision = "a7c9e1f3b5d7"
branch_labels = None
depends_on = None

# The languages app/i18n.py LANGUAGES knows when this migration was written.
KNOWN = "language IN ('en', 'es')"


def upgrade():
    for table in ("credential_versions", "frameworks"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("language", sa.String(length=8), server_default="en", nullable=False)
            )
            batch_op.create_check_constraint(batch_op.f(f"ck_{table}_known_language"), KNOWN)


def downgrade():
    for table in ("frameworks", "credential_versions"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_known_language"), type_="check")
            batch_op.drop_column("language")
