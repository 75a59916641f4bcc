"""One language per request (?lang= or Accept-Language, Vietnamese by default), or all of them."""

import pytest

from lib import languages

pytestmark = pytest.mark.django_db


def street_url(records) -> str:
    return f"/api/v1/places/{records['street'].pk}/"


def test_vietnamese_is_the_default(client, records):
    response = client.get(street_url(records))
    body = response.json()
    assert body["name"] == "Đường Hoàng Văn Thụ"
    assert body["kind_label"] == "Đường phố"
    assert body["url"].endswith("/vi/streets/duong-hoang-van-thu/")
    assert response["Content-Language"] == "vi"


def test_lang_parameter_chooses_english(client, records):
    response = client.get(street_url(records), {"lang": "en"})
    body = response.json()
    assert body["name"] == "Hoang Van Thu Street"
    assert body["summary"] == "Named after the revolutionary."
    assert body["kind_label"] == "Street"
    assert body["url"].endswith("/en/streets/duong-hoang-van-thu/")
    assert body["named_after"]["url"].endswith("/en/people/hoang-van-thu/")
    assert response["Content-Language"] == "en"


def test_accept_language_chooses_when_no_parameter_is_given(client, records):
    response = client.get(street_url(records), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert response.json()["name"] == "Hoang Van Thu Street"
    assert response["Content-Language"] == "en"
    forced = client.get(street_url(records), {"lang": "vi"}, HTTP_ACCEPT_LANGUAGE="en")
    assert forced.json()["name"] == "Đường Hoàng Văn Thụ"


def test_missing_english_falls_back_to_vietnamese_and_says_so(client, records):
    body = client.get(f"/api/v1/places/{records['temple'].pk}/", {"lang": "en"}).json()
    assert body["name"] == "Đền Kỳ Cùng"
    assert body["missing_translations"] == languages.translations()  # English and any other
    assert body["ranking_label"] == "Provincial"


def test_lang_all_gives_every_translation_and_null_where_missing(client, records):
    body = client.get(f"/api/v1/places/{records['temple'].pk}/", {"lang": "all"}).json()
    assert body["name"] == {**dict.fromkeys(languages.codes()), "vi": "Đền Kỳ Cùng"}
    assert body["kind_label"].items() >= {"vi": "Di tích", "en": "Relic"}.items()
    assert body["url"]["en"].endswith("/en/relics/den-ky-cung/")
    assert body["unit"]["name"]["vi"] == "Phường Đông Kinh"
    # Fields of another kind stay a plain null, not an object of nulls.
    assert body["start_point"] is None


def test_lang_all_applies_to_lists_and_people(client, records):
    listed = client.get("/api/v1/places/", {"lang": "all", "kind": "street"}).json()
    assert (
        listed["results"][0]["name"].items()
        >= {
            "vi": "Đường Hoàng Văn Thụ",
            "en": "Hoang Van Thu Street",
        }.items()
    )
    person = client.get(f"/api/v1/people/{records['hero'].pk}/", {"lang": "all"}).json()
    assert person["role"].items() >= {"vi": "Nhà cách mạng", "en": "Revolutionary"}.items()


def test_an_unknown_language_is_refused_in_the_request_language(client, records):
    response = client.get(street_url(records), {"lang": "fr"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    known = ", ".join([*languages.codes(), "all"])  # vi, en, all
    assert response.json()["errors"]["lang"] == [f"Unknown language “fr”: use {known}."]
    in_vietnamese = client.get(street_url(records), {"lang": "fr"})
    assert "Ngôn ngữ" in in_vietnamese.json()["detail"]


def test_error_messages_follow_the_language(client, records):
    english = client.get("/api/v1/places/", {"kind": "castle"}, HTTP_ACCEPT_LANGUAGE="en")
    vietnamese = client.get("/api/v1/places/", {"kind": "castle", "lang": "vi"})
    assert english.json()["detail"] == "kind: Unknown kind “castle”: use street, relic or scenic."
    assert vietnamese.json()["detail"].startswith("kind: Không có loại")


def test_chinese_falls_back_to_english_then_vietnamese(client, records):
    street = client.get(street_url(records), {"lang": "zh-hans"})
    assert street["Content-Language"] == "zh-hans"
    body = street.json()
    assert body["name"] == "Hoang Van Thu Street"
    assert body["kind_label"] == "街道"
    assert body["url"].endswith("/zh-hans/streets/duong-hoang-van-thu/")
    assert body["missing_translations"] == ["zh-hans"]
    temple = client.get(f"/api/v1/places/{records['temple'].pk}/", {"lang": "zh-hans"}).json()
    assert temple["name"] == "Đền Kỳ Cùng"
    assert temple["missing_translations"] == ["en", "zh-hans"]


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("zh-CN,zh;q=0.9", "zh-hans"),
        ("zh-TW", "zh-hans"),
        ("ko-KR,ko;q=0.9", "en"),  # a foreign phone: English
        ("fr-FR", "en"),
        ("vi-VN,vi;q=0.9", "vi"),
        ("", "vi"),
    ],
)
def test_the_browsers_language_is_the_default(client, records, header, language):
    response = client.get(street_url(records), HTTP_ACCEPT_LANGUAGE=header)
    assert response["Content-Language"] == language
