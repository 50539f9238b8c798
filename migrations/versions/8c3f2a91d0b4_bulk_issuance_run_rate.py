"""bulk issuance: when the current run started and how many rows it processed (rows/s)

Revision ID: 8c3f2a91d0b4
Revises: 1bd38a49ade7
Create Date: 2026-11-30 11:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from app.db import UTCDateTime


# revision identifiers, used by Alembic.
revision = '8c3f2a91d0b4'
down_revision = '1bd38a49ade7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bulk_issuances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_at', UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column('run_rows', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('bulk_issuances', schema=None) as batch_op:
        batch_op.drop_column('run_rows')
        batch_op.drop_column('started_at')
