"""The settings refuse to run unsafely and read the environment strictly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_check(**env: str) -> subprocess.CompletedProcess:
    unset = {"DEBUG", "SECRET_KEY", "DATABASE_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_debug_off_with_the_development_key_refuses_to_start():
    result = run_check(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_off_with_a_real_key_starts():
    result = run_check(DEBUG="0", SECRET_KEY="x" * 60, ALLOWED_HOSTS="qr.langson.gov.vn")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be a boolean"),
        ({"PUBLIC_BASE_URL": "qr.langson.gov.vn"}, "PUBLIC_BASE_URL must be an absolute"),
        ({"PUBLIC_BASE_URL": "https://qr.langson.gov.vn/"}, "without a trailing slash"),
    ],
)
def test_malformed_values_are_named(env, message):
    result = run_check(**env)
    assert result.returncode != 0
    assert message in result.stderr


def database_setting(**env: str) -> list[str]:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "db = settings.DATABASES['default']; print(db['ENGINE'], db['NAME'])"
    )
    clean = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "streetinfo.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.split()


def test_sqlite_in_the_project_folder_by_default():
    assert database_setting() == ["django.db.backends.sqlite3", str(ROOT / "db.sqlite3")]


def test_postgres_from_database_url():
    url = "postgres://u:p@db.example:5432/streetinfo"
    assert database_setting(DATABASE_URL=url) == ["django.db.backends.postgresql", "streetinfo"]
