import pytest
from django.contrib.auth.models import Group
from django.test import Client

from sites.models import AdminUnit, EditorUnit, Person, Relic, Status, Street

TAM_THANH = "05986"
KY_LUA = "06187"
# A point inside each unit (checked by the units' own boundaries in the tests that need it).
IN_TAM_THANH = {"lat": 21.851727, "lon": 106.752232}


@pytest.fixture(autouse=True)
def pending_imports(settings, tmp_path):
    settings.IMPORT_PENDING_DIR = tmp_path / "imports"


@pytest.fixture
def tam_thanh(db) -> AdminUnit:
    return AdminUnit.objects.get(code=TAM_THANH)


@pytest.fixture
def ky_lua(db) -> AdminUnit:
    return AdminUnit.objects.get(code=KY_LUA)


def make_user(django_user_model, username: str, *groups: str):
    user = django_user_model.objects.create_user(username, f"{username}@example.org", "pw-x-123")
    user.is_staff = True
    user.save()
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user


@pytest.fixture
def editor(django_user_model, tam_thanh):
    """An editor of phường Tam Thanh only."""
    user = make_user(django_user_model, "bientap", "Editor")
    EditorUnit.objects.create(user=user, unit=tam_thanh)
    return user


@pytest.fixture
def reviewer(django_user_model):
    return make_user(django_user_model, "duyet", "Reviewer")


@pytest.fixture
def installer(django_user_model):
    return make_user(django_user_model, "lapdat", "Installer")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor_client(editor) -> Client:
    return client_for(editor)


@pytest.fixture
def reviewer_client(reviewer) -> Client:
    return client_for(reviewer)


@pytest.fixture
def own_street(tam_thanh) -> Street:
    return Street.objects.create(
        name_vi="Phố Tam Thanh Thử",
        name_en="Tam Thanh Test Street",
        summary_vi="Phố thử của phường Tam Thanh.",
        summary_en="A test street of Tam Thanh ward.",
        body_vi="Lịch sử phố.",
        body_en="History of the street.",
        unit=tam_thanh,
        status=Status.PUBLISHED,
    )


@pytest.fixture
def other_relic(ky_lua) -> Relic:
    return Relic.objects.create(
        name_vi="Đền Kỳ Lừa Thử", summary_vi="Di tích của phường khác.", unit=ky_lua
    )


@pytest.fixture
def linked_person(own_street) -> Person:
    person = Person.objects.create(name_vi="Nhân Vật Tam Thanh", status=Status.PUBLISHED)
    own_street.named_after = person
    own_street.save()
    return person
