"""Search folds diacritics and case the same way on SQLite and PostgreSQL (CI runs both)."""

import unicodedata

import pytest

from sites.models import Person, Place, ScenicSpot, Status, Street

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    return {
        "street": Street.objects.create(
            name_vi="Đường Hoàng Văn Thụ", name_en="Hoang Van Thu Street", status=Status.PUBLISHED
        ),
        "cave": ScenicSpot.objects.create(
            name_vi="Động Tam Thanh", name_en="Tam Thanh Cave", status=Status.PUBLISHED
        ),
        "person": Person.objects.create(
            name_vi="Hoàng Văn Thụ", alt_names="Văn, Tuấn", status=Status.PUBLISHED
        ),
        "draft": Street.objects.create(name_vi="Phố Tam Thanh Mới", status=Status.DRAFT),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hoang van thu", {"street"}),
        ("HOÀNG VĂN THỤ", {"street"}),
        ("tam thanh", {"cave"}),
        ("Tam Thanh Cave", {"cave"}),
        ("cave", {"cave"}),
        ("đong tam", {"cave"}),
        (unicodedata.normalize("NFD", "Động Tam Thanh"), {"cave"}),
        ("thu street", {"street"}),
        ("nothing like this", set()),
        ("   ", set()),
    ],
)
def test_place_search_ignores_diacritics_and_case(records, query, expected):
    found = set(Place.objects.published().search(query))
    assert found == {records[key].place_ptr for key in expected}


def test_people_are_found_by_other_names(records):
    assert list(Person.objects.published().search("tuan")) == [records["person"]]


def test_search_never_returns_drafts(records):
    assert records["draft"].place_ptr not in Place.objects.published().search("tam thanh moi")
    assert list(Place.objects.search("tam thanh moi")) == [records["draft"].place_ptr]
