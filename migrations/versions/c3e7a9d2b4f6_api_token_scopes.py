"""api tokens carry scopes; tokens made before hold every scope

Revision ID: c3e7a9d2b4f6
Revises: f2b8d6e4a1c3
Create Date: 2026-11-30 16:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c3e7a9d2b4f6"
down_revision = "f2b8d6e4a1c3"
branch_labels = None
depends_on = None

# Every scope of app/auth/scopes.py when this migration was written (written out: a migration
# must not change meaning when the app's list grows). Existing tokens keep working as before:
# their owner's roles still limit what they can do.
ALL_SCOPES = (
    "account badges:read evidence:write credit:write review credentials:write badges:revoke "
    "ledger:read admin"
)


def upgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scopes", sa.String(length=255), nullable=True))
    op.execute(sa.text("UPDATE api_tokens SET scopes = :scopes").bindparams(scopes=ALL_SCOPES))
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column("scopes", existing_type=sa.String(length=255), nullable=False)


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("scopes")
