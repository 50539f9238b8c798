"""district-curated outside programs (issue 18, part 2)

Revision ID: d4e6f8a0b2c3
Revises: c3d5e7f9a1b2
Create Date: 2026-11-30 07:15:00

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from app.db import UTCDateTime  # noqa: F401

# revision identifiers, used by Alembic.
revision = "d4e6f8a0b2c3"
down_revision = "c3d5e7f9a1b2"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
