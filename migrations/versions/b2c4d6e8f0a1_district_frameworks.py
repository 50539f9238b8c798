"""frameworks published by a district; framework designer API (issue 17)

Revision ID: b2c4d6e8f0a1
Revises: 8693b72d0e50
Create Date: 2026-11-30 07:15:00

"""

import sqlalchemy as sa
from alembic import op

from app.db import UTCDateTime  # noqa: F401

# revision identifiers, used by Alembic.
revision = "b2c4d6e8f0a1"
down_revision = "8693b72d0e50"
branch_labels = None
depends_on = None


def upgrade():
    # A framework belongs to an issuer or (new) to a district: exactly one of the two.
    with op.batch_alter_table('frameworks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district_id', sa.Integer(), nullable=True))
        batch_op.alter_column('issuer_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_frameworks_district_id'), ['district_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_frameworks_district_id_slug'), ['district_id', 'slug'])
        batch_op.create_foreign_key(batch_op.f('fk_frameworks_district_id_districts'), 'districts', ['district_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint(batch_op.f('ck_frameworks_exactly_one_owner'), '(issuer_id IS NULL) <> (district_id IS NULL)')


def downgrade():
    # The districts' frameworks go with the column (an issuer's framework needs its issuer).
    op.execute(sa.text('DELETE FROM frameworks WHERE district_id IS NOT NULL'))
    with op.batch_alter_table('frameworks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_frameworks_exactly_one_owner'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_frameworks_district_id_districts'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_frameworks_district_id_slug'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_frameworks_district_id'))
        batch_op.alter_column('issuer_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('district_id')
