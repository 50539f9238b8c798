"""public portfolios and outside badges (issue 18, part 3)

Revision ID: c3d5e7f9a1b2
Revises: b2c4d6e8f0a1
Create Date: 2026-11-30 07:15:00

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from app.db import UTCDateTime  # noqa: F401

# revision identifiers, used by Alembic.
revision = "c3d5e7f9a1b2"
down_revision = "b2c4d6e8f0a1"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
