"""public portfolios and outside badges (issue 18, part 3)

Revision ID: c3d5e7f9a1b2
Revises: b2c4d6e8f0a1
Create Date: 2026-11-30 07:15:00

"""

import sqlalchemy as sa
from alembic import op

from app.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "c3d5e7f9a1b2"
down_revision = "b2c4d6e8f0a1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "portfolios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("handle", sa.String(length=40), nullable=True),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("bio", sa.String(length=500), nullable=False),
        sa.Column("show_communities", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_portfolios_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolios")),
        sa.UniqueConstraint("handle", name=op.f("uq_portfolios_handle")),
        sa.UniqueConstraint("user_id", name=op.f("uq_portfolios_user_id")),
    )
    op.create_table(
        "portfolio_badges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assertion_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("assertion_key", sa.String(length=2000), nullable=False),
        sa.Column("presented", sa.Text(), nullable=False),
        sa.Column("badge_name", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("badge_class_url", sa.String(length=2000), nullable=False),
        sa.Column("issuer_name", sa.String(length=300), nullable=False),
        sa.Column("issuer_url", sa.String(length=2000), nullable=False),
        sa.Column("issued_on", UTCDateTime(), nullable=True),
        sa.Column("expires", UTCDateTime(), nullable=True),
        sa.Column("image", sa.LargeBinary(), nullable=True),
        sa.Column("image_mimetype", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("status_message", sa.Text(), nullable=False),
        sa.Column("checked_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(source = 'ours') = (assertion_id IS NOT NULL)",
            name=op.f("ck_portfolio_badges_ours_has_assertion"),
        ),
        sa.ForeignKeyConstraint(
            ["assertion_id"],
            ["assertions.id"],
            name=op.f("fk_portfolio_badges_assertion_id_assertions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_portfolio_badges_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_badges")),
        sa.UniqueConstraint(
            "user_id", "assertion_key", name=op.f("uq_portfolio_badges_user_id_assertion_key")
        ),
    )
    with op.batch_alter_table("portfolio_badges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_portfolio_badges_assertion_id"), ["assertion_id"], unique=False
        )
        batch_op.create_index(
            "ix_portfolio_badges_user_newest", ["user_id", "issued_on", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("portfolio_badges", schema=None) as batch_op:
        batch_op.drop_index("ix_portfolio_badges_user_newest")
        batch_op.drop_index(batch_op.f("ix_portfolio_badges_assertion_id"))
    op.drop_table("portfolio_badges")
    op.drop_table("portfolios")
