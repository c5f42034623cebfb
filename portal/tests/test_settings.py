import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    dropped = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="portal.settings.prod",
        SECRET_KEY=secrets.token_urlsafe(64),
        TESSERA_BASE_URL="https://sso.example.com",
        ALLOWED_HOSTS="sso.example.com",
        EMAIL_URL="smtp+tls://tessera:secret@mail.example.com:587",
        SSO_APPS_KEY_ENCRYPTION_SECRET=secrets.token_urlsafe(48),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    environment = {
        "DJANGO_SETTINGS_MODULE": "portal.settings.prod",
        "TESSERA_BASE_URL": "https://sso.example.com",
    }
    result = _manage("check", **environment, SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_refuse_a_plain_http_base_url():
    result = _manage(
        "check",
        DJANGO_SETTINGS_MODULE="portal.settings.prod",
        SECRET_KEY=secrets.token_urlsafe(64),
        TESSERA_BASE_URL="http://sso.example.com",
        SSO_APPS_KEY_ENCRYPTION_SECRET=secrets.token_urlsafe(48),
    )
    assert result.returncode != 0
    assert "https://" in result.stderr


@pytest.mark.parametrize(
    ("url", "engine"),
    [
        ("", "django.db.backends.sqlite3"),
        ("postgres://u:p@127.0.0.1:5432/tessera", "django.db.backends.postgresql"),
    ],
)
def test_database_url_selects_the_engine(url, engine):
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    result = _dev_settings_print(code, DATABASE_URL=url)
    assert result.stdout.strip() == engine, result.stderr


def _dev_settings_print(code: str, **env):
    """Run `code` after django.setup() with the dev settings; an empty value unsets."""
    dropped = {"DATABASE_URL", *env}
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment.update({name: value for name, value in env.items() if value})
    environment["DJANGO_SETTINGS_MODULE"] = "portal.settings.dev"
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_refuse_to_start_without_a_key_encryption_secret():
    result = _manage(
        "check",
        DJANGO_SETTINGS_MODULE="portal.settings.prod",
        SECRET_KEY=secrets.token_urlsafe(64),
        TESSERA_BASE_URL="https://sso.example.com",
        SSO_APPS_KEY_ENCRYPTION_SECRET="",
    )
    assert result.returncode != 0
    assert "SSO_APPS_KEY_ENCRYPTION_SECRET" in result.stderr


def test_passwords_are_hashed_with_argon2_first():
    from portal.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.parametrize(
    ("url", "switch", "expected"),
    [
        ("postgres://u:p@127.0.0.1:5432/tessera", None, {"server_side_binding": True}),
        ("postgres://u:p@127.0.0.1:5432/tessera", "false", {}),
        ("", None, {}),
    ],
)
def test_postgresql_binds_server_side_unless_told_not_to(url, switch, expected):
    code = (
        "from django.conf import settings; o = settings.DATABASES['default'].get('OPTIONS', {});"
        " print(o.get('server_side_binding'), o.get('prepare_threshold'))"
    )
    result = _dev_settings_print(code, DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS=switch or "")
    printed = "True 5" if expected else "None None"
    assert result.stdout.strip() == printed, result.stderr


@pytest.mark.django_db
def test_a_query_repeated_on_postgresql_is_prepared_once():
    from django.db import connection

    from accounts.models import User

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    for _ in range(8):
        list(User.objects.filter(email="nobody@example.com"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%"accounts_user"."email" = $1%'],
        )
        assert cursor.fetchone()[0] == 1
