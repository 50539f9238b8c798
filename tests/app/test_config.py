"""Settings come from the environment, with safe development defaults."""

from __future__ import annotations

import pytest

from app.config import ConfigError, Settings

FERNET_KEY = "a2V5LWZvci10ZXN0cy1vbmx5LTMyLWJ5dGVzLWxvbmc="


def test_development_defaults_use_sqlite_under_instance() -> None:
    settings = Settings.from_env({})
    assert settings.env == "development"
    assert settings.sqlalchemy_url.startswith("sqlite:///")
    assert settings.sqlalchemy_url.endswith("instance/microcred.sqlite3")
    assert settings.public_base_url == "http://127.0.0.1:5000"


def test_postgres_urls_select_psycopg3() -> None:
    settings = Settings.from_env({"DATABASE_URL": "postgresql://u@h:5432/db"})
    assert settings.sqlalchemy_url == "postgresql+psycopg://u@h:5432/db"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "MASTER_KEY", "PUBLIC_BASE_URL"])
def test_production_refuses_to_start_without_secrets(missing: str) -> None:
    environ = {
        "APP_ENV": "production",
        "SECRET_KEY": "s" * 40,
        "MASTER_KEY": FERNET_KEY,
        "PUBLIC_BASE_URL": "https://badges.example.org",
    }
    del environ[missing]
    with pytest.raises(ConfigError, match=missing):
        Settings.from_env(environ)


def test_production_with_secrets_sets_secure_cookies() -> None:
    settings = Settings.from_env(
        {
            "APP_ENV": "production",
            "SECRET_KEY": "s" * 40,
            "MASTER_KEY": FERNET_KEY,
            "PUBLIC_BASE_URL": "https://badges.example.org/",
        }
    )
    assert settings.public_base_url == "https://badges.example.org"
    assert settings.flask_config()["SESSION_COOKIE_SECURE"] is True


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(ConfigError, match="APP_ENV"):
        Settings.from_env({"APP_ENV": "staging"})


def test_error_pages_for_people_and_json_for_api(client) -> None:
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert "text/html" in page.content_type
    html = page.get_data(as_text=True)
    assert "Not found" in html
    assert "There is nothing at this address" in html
    assert "requested URL was not found on the server" not in html  # not the stock wording
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.get_json()["error"]["code"] == "not_found"


def test_security_headers_are_set(client) -> None:
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Request-ID"]
    assert "Strict-Transport-Security" not in response.headers  # http://localhost


def test_an_https_site_sends_hsts(settings: Settings) -> None:
    from app import create_app
    from app.db import dispose_engines

    secure = create_app(settings.with_changes(public_base_url="https://badges.example.org"))
    with secure.app_context():
        response = secure.test_client().get("/healthz")
        dispose_engines()
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_master_key_must_be_a_fernet_key() -> None:
    with pytest.raises(ConfigError, match="Fernet"):
        Settings.from_env({"MASTER_KEY": "too-short"})
