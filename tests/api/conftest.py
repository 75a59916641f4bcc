import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token

from sites.models import HeritageFields, Person, PersonLink, Relic, ScenicSpot, Status, Street

# Points inside two wards (representative points of their boundaries).
TAM_THANH = (21.88512, 106.74298)  # phường Tam Thanh, code 05986
DONG_KINH = (21.80984, 106.77513)  # phường Đông Kinh, code 05977


@pytest.fixture(autouse=True)
def fresh_throttle_counters():
    """Throttle counters live in the cache: each test starts with a clean slate."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Staff accounts are made in many tests; a slow password hash only slows the suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def records(db) -> dict:
    """A small, known world: published places of every kind, and unpublished ones beside them."""
    hero = Person.objects.create(
        name_vi="Hoàng Văn Thụ",
        name_en="Hoàng Văn Thụ",
        role_vi="Nhà cách mạng",
        role_en="Revolutionary",
        birth_year=1909,
        death_year=1944,
        status=Status.PUBLISHED,
    )
    secret = Person.objects.create(name_vi="Người Bí Mật", status=Status.DRAFT)
    street = Street.objects.create(
        name_vi="Đường Hoàng Văn Thụ",
        name_en="Hoang Van Thu Street",
        summary_vi="Đường mang tên nhà cách mạng.",
        summary_en="Named after the revolutionary.",
        body_vi="Lịch sử.",
        body_en="History.",
        street_type=Street.StreetType.DUONG,
        named_after=hero,
        lat=TAM_THANH[0],
        lon=TAM_THANH[1],
        status=Status.PUBLISHED,
    )
    temple = Relic.objects.create(
        name_vi="Đền Kỳ Cùng",
        summary_vi="Ngôi đền bên sông Kỳ Cùng.",
        ranking=HeritageFields.Ranking.PROVINCIAL,
        lat=DONG_KINH[0],
        lon=DONG_KINH[1],
        status=Status.PUBLISHED,
    )
    cave = ScenicSpot.objects.create(
        name_vi="Động Tam Thanh",
        name_en="Tam Thanh Cave",
        ranking=HeritageFields.Ranking.NATIONAL,
        status=Status.PUBLISHED,
    )
    draft = Relic.objects.create(
        name_vi="Đền Nháp Kỳ Cùng",
        ranking=HeritageFields.Ranking.PROVINCIAL,
        lat=DONG_KINH[0] + 0.0005,
        lon=DONG_KINH[1],
        status=Status.DRAFT,
    )
    withdrawn = Street.objects.create(
        name_vi="Phố Đã Rút", lat=TAM_THANH[0], lon=TAM_THANH[1], status=Status.WITHDRAWN
    )
    PersonLink.objects.create(person=hero, place=cave, role=PersonLink.Role.FOUGHT_HERE)
    PersonLink.objects.create(person=secret, place=cave, role=PersonLink.Role.BORN_HERE)
    PersonLink.objects.create(person=hero, place=draft, role=PersonLink.Role.HONOURED_HERE)
    return {
        "hero": hero,
        "secret": secret,
        "street": street,
        "temple": temple,
        "cave": cave,
        "draft": draft,
        "withdrawn": withdrawn,
    }


@pytest.fixture
def staff_token(staff) -> str:
    return Token.objects.create(user=staff).key


@pytest.fixture
def token_client(staff_token) -> Client:
    """A staff system calling the API with its token (a superuser: every permission)."""
    return Client(HTTP_AUTHORIZATION=f"Token {staff_token}")


def names(response) -> list[str]:
    return [item["name"] for item in response.json()["results"]]
