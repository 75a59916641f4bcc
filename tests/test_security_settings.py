"""Production settings pass Django's deployment checks; development keeps plain http."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k3y-" + "Zq8!xW2#mN5$pR7%tV9^yB4&cD6*fG1(hJ3)" * 2,
    "ALLOWED_HOSTS": "qr.langson.gov.vn",
    "PUBLIC_BASE_URL": "https://qr.langson.gov.vn",
}
UNSET = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    # Set by the browser tests for Playwright's event loop; never in a deployment.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in UNSET}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "streetinfo.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def check_deploy(**env: str) -> subprocess.CompletedProcess:
    return run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)


def test_production_settings_pass_the_deployment_checks():
    result = check_deploy(**PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_settings_fail_the_deployment_checks():
    result = check_deploy()
    assert result.returncode != 0
    for check in ("W004", "W008", "W009", "W012", "W016", "W018"):
        assert f"security.{check}" in result.stderr


def test_an_http_public_address_is_reported_as_not_redirecting():
    result = check_deploy(**PRODUCTION | {"PUBLIC_BASE_URL": "http://qr.langson.gov.vn"})
    assert result.returncode != 0
    assert "security.W008" in result.stderr


def test_turning_the_https_redirect_off_is_reported():
    result = check_deploy(**PRODUCTION, SECURE_SSL_REDIRECT="0")
    assert result.returncode != 0
    assert "security.W008" in result.stderr


PRELUDE = """
import django, json
django.setup()
from django.test import Client
from django.test.utils import override_settings
# No collectstatic here: the pages' static addresses come from the finders.
override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
).enable()
"""

HEADERS = (
    PRELUDE
    + """
secure = Client(SERVER_NAME="qr.langson.gov.vn", HTTP_HOST="qr.langson.gov.vn", **EXTRA)
plain = Client(HTTP_HOST="qr.langson.gov.vn")
page = secure.get("/sw.js", secure=True)
redirect = plain.get("/sw.js")
health = plain.get("/healthz")
print(json.dumps({
    "headers": dict(page.headers),
    "redirect": [redirect.status_code, redirect.headers.get("Location")],
    "health": health.status_code,
}))
"""
)


def served(extra: str = "{}", **env: str) -> dict:
    result = run(["-c", HEADERS.replace("**EXTRA", f"**{extra}")], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sends_hsts_for_a_year_and_redirects_plain_http():
    answer = served(**PRODUCTION)
    headers = answer["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "upgrade-insecure-requests" in headers["Content-Security-Policy"]
    assert answer["redirect"] == [301, "https://qr.langson.gov.vn/sw.js"]
    # The health checks answer over plain http (404 until they exist, never a redirect).
    assert answer["health"] != 301


def test_hsts_subdomains_and_preload_are_options():
    answer = served(**PRODUCTION, SECURE_HSTS_INCLUDE_SUBDOMAINS="1", SECURE_HSTS_PRELOAD="1")
    assert answer["headers"]["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert (
        check_deploy(
            **PRODUCTION, SECURE_HSTS_INCLUDE_SUBDOMAINS="1", SECURE_HSTS_PRELOAD="1"
        ).returncode
        == 0
    )


def test_https_behind_the_proxy_is_read_from_the_configured_header():
    proxied = "{'HTTP_X_FORWARDED_PROTO': 'https'}"
    # Without the setting the header is ignored: plain http is redirected.
    answer = served(proxied, **PRODUCTION)
    assert answer["redirect"][0] == 301
    code = PRELUDE + (
        "r = Client(HTTP_X_FORWARDED_PROTO='https', HTTP_HOST='qr.langson.gov.vn')"
        ".get('/sw.js'); print(r.status_code, r.headers.get('Strict-Transport-Security'))"
    )
    result = run(["-c", code], **PRODUCTION, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert result.stdout.split() == ["200", "max-age=31536000"], result.stderr
    result = run(["-c", code], **PRODUCTION)
    assert result.stdout.split()[0] == "301"


def test_a_malformed_proxy_header_is_named():
    result = check_deploy(**PRODUCTION, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https")
    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER must be a header name" in result.stderr


def test_development_serves_plain_http_without_hsts():
    """Development settings (a fresh clone: no environment at all), whatever settings this test
    run itself uses."""
    code = (
        "import django, json; django.setup(); from django.test import Client; "
        "from django.test.utils import setup_test_environment; setup_test_environment(); "
        "c = Client(); r = c.get('/sw.js'); s = c.get('/lang/en/?next=/en/'); "
        "print(json.dumps([r.status_code, 'Strict-Transport-Security' in r.headers, "
        "r.headers['Content-Security-Policy'], s.cookies['lang']['secure']]))"
    )
    result = run(["-c", code])
    status, hsts, policy, secure_cookie = json.loads(result.stdout)
    assert status == 200, result.stderr
    assert not hsts
    assert "upgrade-insecure-requests" not in policy
    assert not secure_cookie


def test_production_cookies_are_secure():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.LANGUAGE_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.X_FRAME_OPTIONS]))"
    )
    result = run(["-c", code], **PRODUCTION)
    assert json.loads(result.stdout) == [True, True, True, True, "DENY"], result.stderr
