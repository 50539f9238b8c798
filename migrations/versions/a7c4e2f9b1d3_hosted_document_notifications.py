"""every process hears of a revocation or an issuer change (PostgreSQL only)

Revision ID: a7c4e2f9b1d3
Revises: c3e7a9d2b4f6
Create Date: 2026-11-30 12:00:00.000000

Triggers run ``NOTIFY ob_documents`` whenever an assertion's ``revoked_at`` changes or it is
deleted, and on any change to issuers or their keys, by whatever means (the app, a script,
psql). Each app process LISTENs and empties its memory of hosted documents when it hears it
(``app/issuance/live.py``). SQLite has
no LISTEN; the app keeps nothing in memory there, so this revision does nothing on it.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7c4e2f9b1d3'
down_revision = 'c3e7a9d2b4f6'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION ob_documents_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_LEVEL = 'STATEMENT' THEN
                PERFORM pg_notify('ob_documents', TG_TABLE_NAME);
            ELSIF TG_OP = 'DELETE' THEN
                PERFORM pg_notify('ob_documents', OLD.uid);
            ELSE
                PERFORM pg_notify('ob_documents', NEW.uid);
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER assertions_revocation_notify
        AFTER UPDATE OF revoked_at ON assertions
        FOR EACH ROW WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at)
        EXECUTE FUNCTION ob_documents_notify()
        """
    )
    for table in ("issuers", "issuer_keys"):
        op.execute(
            f"""
            CREATE TRIGGER {table}_change_notify
            AFTER INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION ob_documents_notify()
            """
        )
    op.execute(
        """
        CREATE TRIGGER assertions_deletion_notify
        AFTER DELETE ON assertions
        FOR EACH ROW EXECUTE FUNCTION ob_documents_notify()
        """
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ("issuers", "issuer_keys"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_change_notify ON {table}")
    op.execute("DROP TRIGGER IF EXISTS assertions_deletion_notify ON assertions")
    op.execute("DROP TRIGGER IF EXISTS assertions_revocation_notify ON assertions")
    op.execute("DROP FUNCTION IF EXISTS ob_documents_notify()")
