"""district-curated outside programs (issue 18, part 2)

Revision ID: d4e6f8a0b2c3
Revises: c3d5e7f9a1b2
Create Date: 2026-11-30 07:15:00

"""

import sqlalchemy as sa
from alembic import op

from app.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "d4e6f8a0b2c3"
down_revision = "c3d5e7f9a1b2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outside_programs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("estimated_hours", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("policy_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("retired_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "estimated_hours IS NULL OR estimated_hours >= 0",
            name=op.f("ck_outside_programs_hours_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_outside_programs_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_outside_programs_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["credit_policies.id"],
            name=op.f("fk_outside_programs_policy_id_credit_policies"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outside_programs")),
    )
    with op.batch_alter_table("outside_programs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outside_programs_district_id"), ["district_id"], unique=False
        )
        batch_op.create_index("ix_outside_programs_title_id", ["title", "id"], unique=False)

    op.create_table(
        "outside_program_badge_classes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["outside_programs.id"],
            name=op.f("fk_outside_program_badge_classes_program_id_outside_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outside_program_badge_classes")),
        sa.UniqueConstraint(
            "program_id", "url", name=op.f("uq_outside_program_badge_classes_program_id_url")
        ),
    )
    with op.batch_alter_table("outside_program_badge_classes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outside_program_badge_classes_program_id"),
            ["program_id"],
            unique=False,
        )

    op.create_table(
        "outside_program_competencies",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("competency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["competency_id"],
            ["competencies.id"],
            name=op.f("fk_outside_program_competencies_competency_id_competencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["outside_programs.id"],
            name=op.f("fk_outside_program_competencies_program_id_outside_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "program_id", "competency_id", name=op.f("pk_outside_program_competencies")
        ),
    )
    with op.batch_alter_table("outside_program_competencies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outside_program_competencies_competency_id"),
            ["competency_id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("outside_program_competencies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outside_program_competencies_competency_id"))
    op.drop_table("outside_program_competencies")
    with op.batch_alter_table("outside_program_badge_classes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outside_program_badge_classes_program_id"))
    op.drop_table("outside_program_badge_classes")
    with op.batch_alter_table("outside_programs", schema=None) as batch_op:
        batch_op.drop_index("ix_outside_programs_title_id")
        batch_op.drop_index(batch_op.f("ix_outside_programs_district_id"))
    op.drop_table("outside_programs")
