"""professional learning communities (issue 18, part 1)

Revision ID: e5f7a9b1c3d4
Revises: d4e6f8a0b2c3
Create Date: 2026-11-30 07:15:00

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from app.db import UTCDateTime  # noqa: F401

# revision identifiers, used by Alembic.
revision = "e5f7a9b1c3d4"
down_revision = "d4e6f8a0b2c3"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
