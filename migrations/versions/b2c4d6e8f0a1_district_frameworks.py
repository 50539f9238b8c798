"""frameworks published by a district; framework designer API (issue 17)

Revision ID: b2c4d6e8f0a1
Revises: 8693b72d0e50
Create Date: 2026-11-30 07:15:00

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from app.db import UTCDateTime  # noqa: F401

# revision identifiers, used by Alembic.
revision = "b2c4d6e8f0a1"
down_revision = "8693b72d0e50"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
