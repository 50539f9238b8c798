"""community protocols, meetings, attendance and attendance credit (issue 18, part 1)

Revision ID: f6a8b0c2d4e5
Revises: e5f7a9b1c3d4
Create Date: 2026-11-30 07:30:00

Credit policies gain a kind: ``badge`` (every existing policy) or ``plc_meetings`` (hours per
community meeting attended, or its duration; hours per meeting facilitated; a cap per renewal
cycle), and credit requests the hours asked for. The policies' CHECK constraint now admits a
``plc_meetings`` policy, which names neither a credential nor a badge class. PostgreSQL
replaces the constraint; SQLite cannot alter one, and rebuilding ``credit_policies`` there
would fail on the credit requests that reference its rows, so the table's definition is
rewritten in place, SQLite's documented procedure for a CHECK change that every stored row
already satisfies (https://www.sqlite.org/lang_altertable.html#otheralter).
"""

import sqlalchemy as sa
from alembic import op

from app.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "f6a8b0c2d4e5"
down_revision = "e5f7a9b1c3d4"
branch_labels = None
depends_on = None

CHECK_NAME = "ck_credit_policies_credential_or_badge_class"
OLD_CHECK = "(credential_id IS NULL) <> (badge_class_url IS NULL)"
NEW_CHECK = (
    "(kind = 'badge' AND (credential_id IS NULL) <> (badge_class_url IS NULL))"
    " OR (kind = 'plc_meetings' AND credential_id IS NULL AND badge_class_url IS NULL)"
)
PLC_MEETINGS = sa.text("active AND kind = 'plc_meetings'")


def _replace_check(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f(CHECK_NAME), "credit_policies", type_="check")
        op.create_check_constraint(op.f(CHECK_NAME), "credit_policies", new)
        return
    sql = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'credit_policies'")
    ).scalar_one()
    if old not in sql:
        raise RuntimeError(f"credit_policies has no CHECK {old!r}: {sql}")
    version = bind.execute(sa.text("PRAGMA schema_version")).scalar_one()
    bind.execute(sa.text("PRAGMA writable_schema=ON"))
    bind.execute(
        sa.text(
            "UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'credit_policies'"
        ),
        {"sql": sql.replace(old, new, 1)},
    )
    bind.execute(sa.text(f"PRAGMA schema_version={int(version) + 1}"))
    bind.execute(sa.text("PRAGMA writable_schema=OFF"))


def upgrade():
    op.create_table(
        "community_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("link_url", sa.String(length=2000), nullable=True),
        sa.Column("agenda", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("notes_updated_at", UTCDateTime(), nullable=True),
        sa.Column("attendance_taken_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_community_meetings_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_community_meetings_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["users.id"],
            name=op.f("fk_community_meetings_facilitator_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_meetings")),
    )
    with op.batch_alter_table("community_meetings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_community_meetings_when", ["community_id", "starts_at"], unique=False
        )

    op.create_table(
        "meeting_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["community_meetings.id"],
            name=op.f("fk_meeting_attendance_meeting_id_community_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_meeting_attendance_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_meeting_attendance_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_attendance")),
        sa.UniqueConstraint(
            "meeting_id", "user_id", name=op.f("uq_meeting_attendance_meeting_id_user_id")
        ),
    )
    with op.batch_alter_table("meeting_attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_attendance_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "meeting_credits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("hours", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["community_meetings.id"],
            name=op.f("fk_meeting_credits_meeting_id_community_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["credit_requests.id"],
            name=op.f("fk_meeting_credits_request_id_credit_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_meeting_credits_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_credits")),
        sa.UniqueConstraint(
            "meeting_id",
            "user_id",
            "role",
            name=op.f("uq_meeting_credits_meeting_id_user_id_role"),
        ),
    )
    with op.batch_alter_table("meeting_credits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_credits_request_id"), ["request_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_meeting_credits_user_id"), ["user_id"], unique=False)

    op.create_table(
        "protocol_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("protocol", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("presenter_id", sa.Integer(), nullable=True),
        sa.Column("facilitator_id", sa.Integer(), nullable=True),
        sa.Column("presented_text", sa.Text(), nullable=False),
        sa.Column("presented_link", sa.String(length=2000), nullable=True),
        sa.Column("feedback_request_id", sa.Integer(), nullable=True),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_protocol_runs_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["users.id"],
            name=op.f("fk_protocol_runs_facilitator_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["feedback_request_id"],
            ["peer_feedback_requests.id"],
            name=op.f("fk_protocol_runs_feedback_request_id_peer_feedback_requests"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["presenter_id"],
            ["users.id"],
            name=op.f("fk_protocol_runs_presenter_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol_runs")),
    )
    with op.batch_alter_table("protocol_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_protocol_runs_community", ["community_id", "started_at"], unique=False
        )

    op.create_table(
        "protocol_contributions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("tone", sa.String(length=8), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_protocol_contributions_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["protocol_runs.id"],
            name=op.f("fk_protocol_contributions_run_id_protocol_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol_contributions")),
    )
    with op.batch_alter_table("protocol_contributions", schema=None) as batch_op:
        batch_op.create_index("ix_protocol_contributions_run", ["run_id", "id"], unique=False)

    # Columns added in place (no table rebuild on SQLite: credit requests and the
    # append-only ledger reference these tables).
    op.add_column(
        "credit_policies",
        sa.Column("kind", sa.String(length=16), server_default="badge", nullable=False),
    )
    op.add_column(
        "credit_policies",
        sa.Column("hours_from_duration", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "credit_policies",
        sa.Column("facilitation_hours", sa.Numeric(precision=8, scale=2), nullable=True),
    )
    op.add_column(
        "credit_policies", sa.Column("cap_hours", sa.Numeric(precision=8, scale=2), nullable=True)
    )
    op.create_index(
        "uq_credit_policies_one_active_plc_meetings",
        "credit_policies",
        ["district_id"],
        unique=True,
        postgresql_where=PLC_MEETINGS,
        sqlite_where=PLC_MEETINGS,
    )
    op.add_column(
        "credit_requests",
        sa.Column("requested_hours", sa.Numeric(precision=8, scale=2), nullable=True),
    )
    _replace_check(OLD_CHECK, NEW_CHECK)


def downgrade():
    # Attendance credit goes with the meetings; the ledger keeps its lines (append-only).
    op.execute("DELETE FROM meeting_credits")
    op.execute(
        "UPDATE credit_requests SET policy_id = NULL WHERE policy_id IN "
        "(SELECT id FROM credit_policies WHERE kind = 'plc_meetings')"
    )
    op.execute("DELETE FROM credit_policies WHERE kind = 'plc_meetings'")
    _replace_check(NEW_CHECK, OLD_CHECK)
    op.drop_index("uq_credit_policies_one_active_plc_meetings", table_name="credit_policies")
    # ALTER TABLE ... DROP COLUMN in place (SQLite 3.35 and later), for the same reason.
    op.drop_column("credit_requests", "requested_hours")
    for column in ("cap_hours", "facilitation_hours", "hours_from_duration", "kind"):
        op.drop_column("credit_policies", column)

    with op.batch_alter_table("protocol_contributions", schema=None) as batch_op:
        batch_op.drop_index("ix_protocol_contributions_run")
    op.drop_table("protocol_contributions")
    with op.batch_alter_table("protocol_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_protocol_runs_community")
    op.drop_table("protocol_runs")
    with op.batch_alter_table("meeting_credits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_credits_user_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_credits_request_id"))
    op.drop_table("meeting_credits")
    with op.batch_alter_table("meeting_attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_attendance_user_id"))
    op.drop_table("meeting_attendance")
    with op.batch_alter_table("community_meetings", schema=None) as batch_op:
        batch_op.drop_index("ix_community_meetings_when")
    op.drop_table("community_meetings")
