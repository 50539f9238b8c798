"""professional learning communities (issue 18, part 1)

Revision ID: e5f7a9b1c3d4
Revises: d4e6f8a0b2c3
Create Date: 2026-11-30 07:15:00

"""

import sqlalchemy as sa
from alembic import op

from app.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "e5f7a9b1c3d4"
down_revision = "d4e6f8a0b2c3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "communities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=True),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(scope = 'school' AND school_id IS NOT NULL AND district_id IS NULL)"
            " OR (scope = 'district' AND district_id IS NOT NULL AND school_id IS NULL)"
            " OR (scope = 'open' AND school_id IS NULL AND district_id IS NULL)",
            name=op.f("ck_communities_scope_matches_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_communities_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name=op.f("fk_communities_credential_id_credentials"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_communities_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_communities_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communities")),
    )

    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_communities_credential_id"), ["credential_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_communities_district_id"), ["district_id"], unique=False
        )
        batch_op.create_index(
            "ix_communities_listed_newest", ["visibility", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_communities_school_id"), ["school_id"], unique=False)

    op.create_table(
        "community_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_community_invitations_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["users.id"],
            name=op.f("fk_community_invitations_invited_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_invitations")),
        sa.UniqueConstraint(
            "community_id", "email", name=op.f("uq_community_invitations_community_id_email")
        ),
    )

    with op.batch_alter_table("community_invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_community_invitations_email"), ["email"], unique=False)

    op.create_table(
        "community_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("share_drafts", sa.Boolean(), nullable=False),
        sa.Column("share_badges", sa.Boolean(), nullable=False),
        sa.Column("share_goals", sa.Boolean(), nullable=False),
        sa.Column("share_progress", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("joined_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_community_members_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_community_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_members")),
        sa.UniqueConstraint(
            "community_id", "user_id", name=op.f("uq_community_members_community_id_user_id")
        ),
    )

    with op.batch_alter_table("community_members", schema=None) as batch_op:
        batch_op.create_index("ix_community_members_user", ["user_id", "status"], unique=False)

    op.create_table(
        "community_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_post_at", UTCDateTime(), nullable=False),
        sa.Column("post_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_community_threads_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_community_threads_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_threads")),
    )

    with op.batch_alter_table("community_threads", schema=None) as batch_op:
        batch_op.create_index(
            "ix_community_threads_latest", ["community_id", "last_post_at"], unique=False
        )

    op.create_table(
        "community_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link_url", sa.String(length=2000), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_community_posts_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["community_threads.id"],
            name=op.f("fk_community_posts_thread_id_community_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_posts")),
    )

    with op.batch_alter_table("community_posts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_community_posts_thread", ["thread_id", "created_at"], unique=False
        )

    op.create_table(
        "peer_feedback_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_peer_feedback_requests_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_peer_feedback_requests_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer_feedback_requests")),
        sa.UniqueConstraint(
            "submission_id",
            "community_id",
            name=op.f("uq_peer_feedback_requests_submission_id_community_id"),
        ),
    )

    with op.batch_alter_table("peer_feedback_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_peer_feedback_requests_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_peer_feedback_requests_submission_id"), ["submission_id"], unique=False
        )

    op.create_table(
        "community_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["community_posts.id"],
            name=op.f("fk_community_files_post_id_community_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_files")),
    )

    with op.batch_alter_table("community_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_community_files_post_id"), ["post_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_community_files_storage_key"), ["storage_key"], unique=False
        )

    op.create_table(
        "peer_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("criterion_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_peer_comments_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["criteria.id"],
            name=op.f("fk_peer_comments_criterion_id_criteria"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["peer_feedback_requests.id"],
            name=op.f("fk_peer_comments_request_id_peer_feedback_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer_comments")),
        sa.UniqueConstraint(
            "request_id",
            "author_id",
            "criterion_id",
            name=op.f("uq_peer_comments_request_id_author_id_criterion_id"),
        ),
    )

    with op.batch_alter_table("peer_comments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_peer_comments_criterion_id"), ["criterion_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_peer_comments_request_id"), ["request_id"], unique=False
        )
        batch_op.create_index(
            "uq_peer_comments_one_overall",
            ["request_id", "author_id"],
            unique=True,
            postgresql_where=sa.text("criterion_id IS NULL"),
            sqlite_where=sa.text("criterion_id IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("peer_comments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_peer_comments_one_overall",
            postgresql_where=sa.text("criterion_id IS NULL"),
            sqlite_where=sa.text("criterion_id IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_peer_comments_request_id"))
        batch_op.drop_index(batch_op.f("ix_peer_comments_criterion_id"))

    op.drop_table("peer_comments")

    with op.batch_alter_table("community_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_files_storage_key"))
        batch_op.drop_index(batch_op.f("ix_community_files_post_id"))

    op.drop_table("community_files")

    with op.batch_alter_table("peer_feedback_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_peer_feedback_requests_submission_id"))
        batch_op.drop_index(batch_op.f("ix_peer_feedback_requests_community_id"))

    op.drop_table("peer_feedback_requests")

    with op.batch_alter_table("community_posts", schema=None) as batch_op:
        batch_op.drop_index("ix_community_posts_thread")

    op.drop_table("community_posts")

    with op.batch_alter_table("community_threads", schema=None) as batch_op:
        batch_op.drop_index("ix_community_threads_latest")

    op.drop_table("community_threads")

    with op.batch_alter_table("community_members", schema=None) as batch_op:
        batch_op.drop_index("ix_community_members_user")

    op.drop_table("community_members")

    with op.batch_alter_table("community_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_invitations_email"))

    op.drop_table("community_invitations")

    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_communities_school_id"))
        batch_op.drop_index("ix_communities_listed_newest")
        batch_op.drop_index(batch_op.f("ix_communities_district_id"))
        batch_op.drop_index(batch_op.f("ix_communities_credential_id"))

    op.drop_table("communities")
