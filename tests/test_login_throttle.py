"""Admin login throttling (django-axes): wrong passwords for one username from one address lock
that pair out for a cool-off, with a message in the admin's language; the client's address is
read behind our proxies only as far as we trust them; passwords are long enough."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from lib.http import client_ip

pytestmark = pytest.mark.django_db

PASSWORD = "cau-ky-lua-mua-xuan"
LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(
        "bientap", "bt@example.org", PASSWORD, is_staff=True, is_superuser=True
    )


def attempt(client: Client, password: str, username: str = "bientap", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def signed_in(client: Client) -> bool:
    return client.get("/admin/").status_code == 200


def test_the_limit_is_a_setting(editor, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    assert attempt(client, "sai-mat-khau").status_code == 200
    assert attempt(client, "sai-mat-khau").status_code == 429


def test_wrong_passwords_lock_the_account_out_with_a_vietnamese_message(editor, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client, "sai-mat-khau")
        assert response.status_code == 200  # the login form again, with its error
    locked = attempt(client, "sai-mat-khau")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Đăng nhập sai quá nhiều lần" in page
    assert "15 phút" in page

    # The right password changes nothing until the cool-off is over.
    refused = attempt(client, PASSWORD)
    assert refused.status_code == 429
    assert not signed_in(client)


def test_the_lockout_message_follows_the_admins_language(editor, settings):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = attempt(client, "wrong-password")
    assert response.status_code == 429
    assert "Too many wrong passwords for this account from your address" in (
        response.content.decode()
    )
    assert "15 minutes" in response.content.decode()


def test_after_the_cool_off_the_right_password_works(editor, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "sai-mat-khau")
    assert attempt(client, PASSWORD).status_code == 429
    # Time passes: the failures are older than the cool-off.
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1)
    )
    response = attempt(client, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_a_correct_password_before_the_limit_clears_the_failures(editor, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "sai-mat-khau")
    assert attempt(client, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()


def test_the_lockout_is_per_username_and_address(editor, django_user_model, settings):
    other = django_user_model.objects.create_user("duyet", password=PASSWORD, is_staff=True)
    guesser = Client(REMOTE_ADDR="203.0.113.66")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(guesser, "sai-mat-khau")
    assert attempt(guesser, PASSWORD).status_code == 429
    # The editor at the office is not locked out by a stranger's guesses...
    office = Client(REMOTE_ADDR="198.51.100.10")
    assert attempt(office, PASSWORD).status_code == 302
    # ...and the guesser's address may still sign in to another account.
    assert attempt(guesser, PASSWORD, username=other.username).status_code == 302


def test_behind_the_proxy_each_client_address_counts_apart(editor, settings):
    settings.NUM_PROXIES = 1
    settings.FORWARDED_ALLOW_IPS = ["10.0.0.2"]
    proxy = "10.0.0.2"
    guesser = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.66")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(guesser, "sai-mat-khau")
    assert attempt(guesser, PASSWORD).status_code == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.66"
    # Another visitor behind the same proxy signs in.
    office = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.10")
    assert attempt(office, PASSWORD).status_code == 302
    # Writing a fake address in front of the proxy's does not escape the lockout.
    forged = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.66")
    assert attempt(forged, PASSWORD).status_code == 429


def test_a_client_reaching_the_app_directly_cannot_choose_its_address(editor, settings):
    """The shipped deployment said NUM_PROXIES=1: a client that reached gunicorn itself and
    wrote its own X-Forwarded-For escaped the lockout (40 wrong passwords, then the right one
    accepted). Only a connection from one of our proxies has its header read."""
    settings.NUM_PROXIES = 1
    settings.FORWARDED_ALLOW_IPS = ["10.0.0.2"]
    for n in range(40):
        forged = Client(REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        attempt(forged, "sai-mat-khau")
    forged = Client(REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR="192.0.2.250")
    assert attempt(forged, PASSWORD).status_code == 429
    assert not signed_in(forged)


def test_without_a_trusted_proxy_forwarded_addresses_are_ignored(editor, settings):
    settings.NUM_PROXIES = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(Client(REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"), "x")
    assert attempt(Client(REMOTE_ADDR="203.0.113.66"), PASSWORD).status_code == 429


@pytest.mark.parametrize(
    ("remote", "forwarded", "proxies", "expected"),
    [
        ("203.0.113.5", "", 1, "203.0.113.5"),
        ("10.0.0.2", "198.51.100.7", 0, "10.0.0.2"),
        ("10.0.0.2", "198.51.100.7", 1, "198.51.100.7"),
        ("10.0.0.2", "1.2.3.4, 198.51.100.7", 1, "198.51.100.7"),
        ("10.0.0.3", "198.51.100.7, 10.0.0.2", 2, "198.51.100.7"),
        ("10.0.0.2", "not-an-address", 1, "10.0.0.2"),
        ("10.0.0.2", "2001:db8::1", 1, "2001:db8::1"),
        # Not from one of our proxies: the header is the client's own writing.
        ("203.0.113.5", "198.51.100.7", 1, "203.0.113.5"),
        ("10.0.1.2", "198.51.100.7", 1, "10.0.1.2"),
    ],
)
def test_client_address(rf, settings, remote, forwarded, proxies, expected):
    settings.NUM_PROXIES = proxies
    settings.FORWARDED_ALLOW_IPS = ["10.0.0.0/24"]
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    assert client_ip(rf.get("/", REMOTE_ADDR=remote, **extra)) == expected


def test_logins_without_a_request_still_work(editor):
    """The test client's login() (and scripts) call authenticate() without a request."""
    client = Client()
    assert client.login(username="bientap", password=PASSWORD)
    assert signed_in(client)
    assert not Client().login(username="bientap", password="sai-mat-khau")


def test_api_tokens_are_not_affected_by_a_lockout(editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(Client(), "sai-mat-khau")
    assert attempt(Client(), PASSWORD).status_code == 429
    token = Token.objects.create(user=editor)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.post(
        "/api/v1/places/",
        {"kind": "street", "name": {"vi": "Phố Thử Khoá"}},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content


def test_short_passwords_are_refused(staff_client):
    url = "/admin/password_change/"
    short = staff_client.post(
        url,
        {
            "old_password": "pw-editor-1",
            "new_password1": "ngan-qua-1",
            "new_password2": "ngan-qua-1",
        },
    )
    assert short.status_code == 200
    assert "Mật khẩu quá ngắn. Nó phải chứa ít nhất 12 ký tự." in short.content.decode()
    long_enough = staff_client.post(
        url,
        {
            "old_password": "pw-editor-1",
            "new_password1": "dong-tam-thanh-2025",
            "new_password2": "dong-tam-thanh-2025",
        },
    )
    assert long_enough.status_code == 302
