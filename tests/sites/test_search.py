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
    # Without published() the draft is found (first: on PostgreSQL near spellings follow).
    assert Place.objects.search("tam thanh moi").first() == records["draft"].place_ptr


def test_a_name_that_starts_with_the_query_ranks_first(records):
    ScenicSpot.objects.create(
        name_vi="Chùa trên núi gần Tam Thanh",
        name_en="Pagoda near Tam Thanh",
        status=Status.PUBLISHED,
    )
    found = list(Place.objects.published().search("tam thanh"))
    assert found[0] == records["cave"].place_ptr
    assert len(found) == 2


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hoang van tu", "street"),  # a letter missing
        ("tam tanh", "cave"),
        ("dong tam thnah", "cave"),  # two letters swapped
    ],
)
def test_postgres_search_forgives_typos(records, query, expected):
    found = list(Place.objects.published().search(query))
    assert found[0] == records[expected].place_ptr


@pytest.mark.postgres
def test_postgres_search_uses_the_trigram_index(records):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname IN "
            "('sites_place_search_trgm', 'sites_person_search_trgm')"
        )
        assert sorted(row[0] for row in cursor.fetchall()) == [
            "sites_person_search_trgm",
            "sites_place_search_trgm",
        ]


@pytest.mark.postgres
def test_postgres_connections_ask_near_spellings_to_be_close(db):
    from django.db import connection

    from sites.models import NEAR_SPELLING_SIMILARITY

    with connection.cursor() as cursor:
        cursor.execute("SHOW pg_trgm.word_similarity_threshold")
        assert float(cursor.fetchone()[0]) == NEAR_SPELLING_SIMILARITY


@pytest.fixture
def temples():
    """Six published places holding "đền" (four names that start with it, two that hold it
    further on) and one that does not."""
    names = [
        ("Đền Mẫu", "Mother Goddess Temple"),
        ("Đền Bắc Lệ", "Bac Le Temple"),
        ("Đền Kỳ Cùng", "Ky Cung Temple"),
        ("Đền Tả Phủ", "Ta Phu Temple"),
        ("Núi sau đền Mẫu", "Mountain behind the temple"),
        ("Phố cũ", "Old den street"),
        ("Chùa Tiên", "Tien Pagoda"),
    ]
    for vi, en in names:
        ScenicSpot.objects.create(name_vi=vi, name_en=en, status=Status.PUBLISHED)


def ranked(query):
    return [place.name_vi for place in Place.objects.published().search(query)]


def test_pages_of_a_search_list_every_match_once_best_first(client, temples):
    # The API and the search page read a page's keys first, then its records: in the same
    # order as the whole ranked list, the next page starting where the last one stopped.
    expected = ranked("đền")
    assert expected[:4] == sorted(expected[:4], key=lambda name: name.lower())
    assert expected[4:] == ["Núi sau đền Mẫu", "Phố cũ"]
    pages = [
        client.get("/api/v1/places/", {"q": "đền", "page_size": 2, "page": page}).json()
        for page in (1, 2, 3)
    ]
    assert [item["name"] for page in pages for item in page["results"]] == expected
    assert pages[0]["count"] == 6
    page = client.get("/vi/search/", {"q": "den"}).content.decode()
    positions = [page.index(f">{name}<") for name in expected]
    assert positions == sorted(positions)
    assert ">Chùa Tiên<" not in page


def test_a_page_of_a_search_keeps_the_rank(temples):
    from sites.selectors import RowsPaginator

    page = RowsPaginator(Place.objects.published().search("đền"), 4).page(2)
    assert [(place.name_vi, place.rank) for place in page] == [
        ("Núi sau đền Mẫu", 2),
        ("Phố cũ", 2),
    ]


def test_a_search_counts_what_it_finds_and_refuses_a_page_past_the_last(client, temples):
    assert client.get("/api/v1/places/", {"q": "đền", "page_size": 4}).json()["count"] == 6
    assert client.get("/api/v1/places/", {"q": "đền", "page_size": 4, "page": 3}).status_code == 404
    assert client.get("/api/v1/places/", {"q": "zzz"}).json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }
    assert client.get("/vi/search/", {"q": "đền", "page": 2}).status_code == 404


def test_the_search_page_lists_and_counts_no_more_than_its_cap(client, temples, monkeypatch):
    from public.views import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 4)
    page = client.get("/vi/search/", {"q": "đền"}).content.decode()
    assert [name for name in ranked("đền") if f">{name}<" in page] == ranked("đền")[:4]
    assert "4 kết quả đầu tiên" in page
