"""one active credit policy per credential (or badge class) per district

Revision ID: e5a9c3d1f7b2
Revises: d41e7b2c9a10
Create Date: 2026-11-30 13:00:00.000000

Where a district has several active policies for one credential or badge class (it could
before), the oldest stays active and the others are retired before the constraint is made.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a9c3d1f7b2'
down_revision = 'd41e7b2c9a10'
branch_labels = None
depends_on = None

CREDENTIAL = sa.text("active AND credential_id IS NOT NULL")
BADGE_CLASS = sa.text("active AND badge_class_url IS NOT NULL")


def upgrade():
    for column in ('credential_id', 'badge_class_url'):
        op.execute(
            f"UPDATE credit_policies SET active = false WHERE active AND {column} IS NOT NULL "
            "AND id NOT IN (SELECT min(id) FROM credit_policies WHERE active AND "
            f"{column} IS NOT NULL GROUP BY district_id, {column})"
        )
    op.create_index(
        'uq_credit_policies_one_active_credential', 'credit_policies',
        ['district_id', 'credential_id'], unique=True,
        postgresql_where=CREDENTIAL, sqlite_where=CREDENTIAL,
    )
    op.create_index(
        'uq_credit_policies_one_active_badge_class', 'credit_policies',
        ['district_id', 'badge_class_url'], unique=True,
        postgresql_where=BADGE_CLASS, sqlite_where=BADGE_CLASS,
    )


def downgrade():
    op.drop_index('uq_credit_policies_one_active_badge_class', table_name='credit_policies')
    op.drop_index('uq_credit_policies_one_active_credential', table_name='credit_policies')
