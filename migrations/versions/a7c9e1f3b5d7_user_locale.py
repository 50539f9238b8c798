"""a user's chosen language (issue 19, English and Spanish)

Revision ID: a7c9e1f3b5d7
Revises: f6a8b0c2d4e5
Create Date: 2026-11-30 08:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c9e1f3b5d7"
down_revision = "f6a8b0c2d4e5"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("locale")
