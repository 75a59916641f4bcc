import re

import pytest
from django.test import Client
from django.utils import translation


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads in tests go to a temporary folder, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def vietnamese_by_default():
    """Each test starts in the default language, as a request without preferences would."""
    with translation.override("vi"):
        yield


@pytest.fixture
def demo(db):
    from sites.demo import load_demo

    return load_demo()


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("editor", "editor@example.org", "pw-editor-1")


@pytest.fixture
def staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


MANAGEMENT_INPUT = re.compile(
    r'name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)"[^>]*value="(\d*)"'
)


@pytest.fixture
def admin_form_data(staff_client):
    """The admin form's management fields (one per inline) plus the given values, ready to POST."""

    def build(url: str, values: dict) -> dict:
        page = staff_client.get(url).content.decode()
        data = dict(MANAGEMENT_INPUT.findall(page))
        data.update(values)
        return data

    return build
