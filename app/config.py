"""Settings: the only place that reads the environment.

Every variable is read once, typed, with a development default. Production refuses to
start without the secrets that must never fall back to a default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("development", "testing", "production")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"

DEV_SECRET_KEY = "dev-only-secret-key-not-for-production"  # noqa: S105 - development default only
# A Fernet key (urlsafe base64 of 32 bytes) used only in development and testing.
DEV_MASTER_KEY = "ZGV2LW9ubHktbWFzdGVyLWtleS0zMi1ieXRlcyEhISE="


class ConfigError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as err:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from err


def _ints(environ: Mapping[str, str], name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    raw = environ.get(name)
    if not raw:
        return default
    try:
        return tuple(int(part) for part in raw.split(","))
    except ValueError as err:
        raise ConfigError(f"{name} must be whole numbers separated by commas, got {raw!r}") from err


def _check_fernet_key(value: str) -> None:
    import base64
    import binascii

    try:
        raw = base64.urlsafe_b64decode(value.encode())
    except (binascii.Error, ValueError) as err:
        raise ConfigError("MASTER_KEY must be a Fernet key (url-safe base64 of 32 bytes)") from err
    if len(raw) != 32:
        raise ConfigError("MASTER_KEY must be a Fernet key (url-safe base64 of 32 bytes)")


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    secret_key: str = DEV_SECRET_KEY
    master_key: str = DEV_MASTER_KEY
    database_url: str = ""
    instance_path: Path = DEFAULT_INSTANCE
    public_base_url: str = "http://127.0.0.1:5000"
    # Mail: unset SMTP_HOST prints mail to the console.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "Micro-credentials <no-reply@microcred.local>"
    # Storage and jobs (later issues fill these in).
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    redis_url: str = ""
    ratelimit_storage_url: str = "memory://"
    ratelimit_enabled: bool = True
    badges_allow_private_hosts: bool = False
    # A public portfolio re-verifies another issuer's badge when its stored result is older
    # than this (a few a page view; app/portfolio/service.py).
    portfolio_recheck_minutes: int = 60
    max_upload_mb: int = 25
    # The largest evidence file any prompt may accept (video); uploads to a submission may be
    # this large even though other requests stop at max_upload_mb.
    max_evidence_mb: int = 500
    # The largest bulk-issuance CSV (it is read as a stream; there is no row limit).
    bulk_max_mb: int = 20
    # A running bulk issuance whose heartbeat (one a batch) is older than this many seconds
    # lost its worker: another worker may take it over.
    bulk_lease_seconds: int = 10
    # How long an API token works after it is made.
    token_days: int = 90
    # How many days before an action-research checkpoint its owner is reminded by e-mail.
    checkpoint_remind_days: int = 2
    # How many hosted assertions and revocation lists each process keeps in memory until a
    # revocation (PostgreSQL tells every process; see app/issuance/live.py); 0 keeps none.
    hosted_cache_size: int = 10000
    # Badge signing keys: generated here and stored encrypted with MASTER_KEY (default), or
    # created in AWS KMS (asymmetric RSA_2048, RS256) when KMS_SIGNING is on.
    kms_signing: bool = False
    queue_name: str = "microcred"
    job_retry_intervals: tuple[int, ...] = (10, 60, 300)
    # Operations: who may read /metrics, proxies whose X-Forwarded-* headers are trusted,
    # and the log format (json by default in production).
    metrics_token: str = ""
    metrics_allow: str = "127.0.0.1,::1"
    trusted_proxies: int = 0
    log_format: str = "text"
    kms_endpoint_url: str = ""
    session_cookie_secure: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        env = environ.get("APP_ENV", environ.get("FLASK_ENV", "development")) or "development"
        if env not in ENVIRONMENTS:
            raise ConfigError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, got {env!r}")
        production = env == "production"
        instance = Path(environ.get("INSTANCE_PATH") or DEFAULT_INSTANCE)

        secret_key = environ.get("SECRET_KEY", "")
        master_key = environ.get("MASTER_KEY", "")
        public_base_url = environ.get("PUBLIC_BASE_URL", "")
        if production:
            missing = [
                name
                for name, value in (
                    ("SECRET_KEY", secret_key),
                    ("MASTER_KEY", master_key),
                    ("PUBLIC_BASE_URL", public_base_url),
                )
                if not value
            ]
            if missing:
                raise ConfigError("refusing to start in production without " + ", ".join(missing))
        if master_key:
            _check_fernet_key(master_key)
        settings = cls(
            env=env,
            secret_key=secret_key or DEV_SECRET_KEY,
            master_key=master_key or DEV_MASTER_KEY,
            database_url=environ.get("DATABASE_URL", ""),
            instance_path=instance,
            public_base_url=(public_base_url or "http://127.0.0.1:5000").rstrip("/"),
            smtp_host=environ.get("SMTP_HOST", ""),
            smtp_port=_int(environ, "SMTP_PORT", 25),
            smtp_username=environ.get("SMTP_USERNAME", ""),
            smtp_password=environ.get("SMTP_PASSWORD", ""),
            smtp_starttls=_bool(environ.get("SMTP_STARTTLS")),
            mail_from=environ.get("MAIL_FROM", cls.mail_from),
            s3_bucket=environ.get("S3_BUCKET", ""),
            s3_endpoint_url=environ.get("S3_ENDPOINT_URL", ""),
            redis_url=environ.get("REDIS_URL", ""),
            ratelimit_storage_url=environ.get("RATELIMIT_STORAGE_URL")
            or environ.get("REDIS_URL")
            or "memory://",
            ratelimit_enabled=_bool(environ.get("RATELIMIT_ENABLED"), default=True),
            badges_allow_private_hosts=_bool(environ.get("BADGES_ALLOW_PRIVATE_HOSTS")),
            portfolio_recheck_minutes=_int(environ, "PORTFOLIO_RECHECK_MINUTES", 60),
            max_upload_mb=_int(environ, "MAX_UPLOAD_MB", 25),
            max_evidence_mb=_int(environ, "MAX_EVIDENCE_MB", 500),
            bulk_max_mb=_int(environ, "BULK_MAX_MB", 20),
            bulk_lease_seconds=_int(environ, "BULK_LEASE_SECONDS", 10),
            token_days=_int(environ, "TOKEN_DAYS", 90),
            checkpoint_remind_days=_int(environ, "CHECKPOINT_REMIND_DAYS", 2),
            hosted_cache_size=_int(environ, "HOSTED_CACHE_SIZE", 10000),
            kms_signing=_bool(environ.get("KMS_SIGNING")),
            queue_name=environ.get("QUEUE_NAME", "microcred"),
            job_retry_intervals=_ints(environ, "JOB_RETRY_INTERVALS", (10, 60, 300)),
            metrics_token=environ.get("METRICS_TOKEN", ""),
            metrics_allow=environ.get("METRICS_ALLOW", "127.0.0.1,::1"),
            trusted_proxies=_int(environ, "TRUSTED_PROXIES", 0),
            log_format=environ.get("LOG_FORMAT") or ("json" if production else "text"),
            kms_endpoint_url=environ.get("KMS_ENDPOINT_URL", ""),
            session_cookie_secure=_bool(
                environ.get("SESSION_COOKIE_SECURE"),
                default=public_base_url.startswith("https://"),
            ),
        )
        if settings.checkpoint_remind_days < 0:
            raise ConfigError("CHECKPOINT_REMIND_DAYS must be 0 or more")
        return settings

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            url = self.database_url
            # Heroku-style and bare postgres URLs mean psycopg 3 here.
            if url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url[len("postgres://") :]
            elif url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://") :]
            return url
        return f"sqlite:///{self.instance_path / 'microcred.sqlite3'}"

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_development(self) -> bool:
        """Development tools are on (the mail outbox at /dev/mail); never in testing or
        production."""
        return self.env == "development"

    def flask_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.sqlalchemy_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            # A small second pool for app.db.read_one (hot public reads): no ping on checkout;
            # a read that finds its connection dead is run once more on a fresh one.
            "SQLALCHEMY_BINDS": {
                "read": {
                    "url": self.sqlalchemy_url,
                    "pool_pre_ping": False,
                    **(
                        {"pool_size": 2, "max_overflow": 8}
                        if self.sqlalchemy_url.startswith("postgresql")
                        else {}
                    ),
                }
            },
            "MAX_CONTENT_LENGTH": self.max_upload_mb * 1024 * 1024,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.session_cookie_secure,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_SECURE": self.session_cookie_secure,
            "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
            "WTF_CSRF_TIME_LIMIT": None,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_url,
            "RATELIMIT_ENABLED": self.ratelimit_enabled,
            "RATELIMIT_HEADERS_ENABLED": True,
            "TESTING": self.env == "testing",
        }
        config.update(self.extra)
        return config
