"""indexes for the paged lists: the reviewer's queue, the catalog's orders, badge lists

Revision ID: d41e7b2c9a10
Revises: 5b1e0c4d7a92
Create Date: 2026-11-30 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd41e7b2c9a10'
down_revision = '5b1e0c4d7a92'
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('assigned', 'in_progress')")
PUBLISHED = sa.text("status = 'published'")


def upgrade():
    op.create_index(
        'ix_reviews_open_queue', 'reviews', ['reviewer_id', 'due_at', 'id'],
        postgresql_where=OPEN, sqlite_where=OPEN,
    )
    op.create_index(
        'ix_credential_versions_published_title', 'credential_versions', ['title', 'id'],
        postgresql_where=PUBLISHED, sqlite_where=PUBLISHED,
    )
    op.create_index(
        'ix_credential_versions_published_newest', 'credential_versions', ['published_at', 'id'],
        postgresql_where=PUBLISHED, sqlite_where=PUBLISHED,
    )
    op.create_index('ix_assertions_user_newest', 'assertions', ['user_id', 'issued_on', 'id'])
    op.create_index('ix_assertions_issuer_newest', 'assertions', ['issuer_id', 'issued_on', 'id'])


def downgrade():
    op.drop_index('ix_assertions_issuer_newest', table_name='assertions')
    op.drop_index('ix_assertions_user_newest', table_name='assertions')
    op.drop_index('ix_credential_versions_published_newest', table_name='credential_versions')
    op.drop_index('ix_credential_versions_published_title', table_name='credential_versions')
    op.drop_index('ix_reviews_open_queue', table_name='reviews')
