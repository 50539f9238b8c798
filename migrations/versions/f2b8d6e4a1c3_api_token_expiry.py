"""api tokens expire (TOKEN_DAYS after they are made)

Revision ID: f2b8d6e4a1c3
Revises: e5a9c3d1f7b2
Create Date: 2026-11-30 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from app.db import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'f2b8d6e4a1c3'
down_revision = 'e5a9c3d1f7b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
