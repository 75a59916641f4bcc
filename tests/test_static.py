"""Static files in production: hashed names, gzip and brotli copies, cached for a year."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Path:
    """`collectstatic` as the Dockerfile runs it (DEBUG off), into a temporary folder."""
    target = tmp_path_factory.mktemp("static")
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    env.update(DEBUG="0", SECRET_KEY="x" * 60, STATIC_ROOT=str(target))
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return target


def test_collectstatic_writes_hashed_names_with_gzip_and_brotli_copies(collected):
    hashed = [p for p in (collected / "js").glob("site.*.js") if p.suffix == ".js"]
    assert len(hashed) == 1
    name = hashed[0].name
    assert (collected / "js" / f"{name}.gz").exists()
    assert (collected / "js" / f"{name}.br").exists()
    assert (collected / "js" / f"{name}.br").stat().st_size < hashed[0].stat().st_size


def test_hashed_static_files_are_served_compressed_and_cached_for_good(collected):
    code = (
        "import django, sys; django.setup();"
        "from django.test import Client; from django.templatetags.static import static;"
        "url = static('js/site.js');"
        "r = Client().get(url, HTTP_ACCEPT_ENCODING='gzip, br', secure=True);"
        "print(url, r.status_code, r['Content-Encoding'], r['Cache-Control'])"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    env.update(
        DEBUG="0",
        SECRET_KEY="x" * 60,
        STATIC_ROOT=str(collected),
        DJANGO_SETTINGS_MODULE="streetinfo.settings",
        ALLOWED_HOSTS="testserver",
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    url, status, encoding, cache = result.stdout.split(" ", 3)
    assert url.startswith("/static/js/site.") and url != "/static/js/site.js"
    assert (status, encoding) == ("200", "br")
    assert "max-age=315360000" in cache and "immutable" in cache
