"""The language registry (lib/languages.py): the settings come from it; a visitor's browser is
matched to one of its languages as Django matches tags, q=0 meaning "not this one"; a text not
written in a language falls back along that language's chain, with a note naming the language
shown; a browser that names none of them gets English; and a language added to it is known
everywhere (tests/languages.py)."""

import dataclasses

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.translation import get_language_from_request
from modeltranslation.utils import resolution_order

from lib import languages
from tests.languages import ZH_HANT, add_languages


@pytest.fixture
def add(monkeypatch, settings):
    return lambda *added: add_languages(monkeypatch, settings, *added)


def test_the_settings_come_from_the_registry():
    assert languages.django_languages() == settings.LANGUAGES
    assert settings.LANGUAGES == [("vi", "Tiếng Việt"), ("en", "English"), ("zh-hans", "中文")]
    assert settings.LANGUAGE_CODE == settings.MODELTRANSLATION_DEFAULT_LANGUAGE == "vi"
    assert languages.translations() == ["en", "zh-hans"]
    assert [languages.og_locale(code) for code in languages.codes()] == [
        "vi_VN",
        "en_US",
        "zh_CN",
    ]


def test_content_falls_back_along_each_languages_chain_to_vietnamese():
    assert languages.chain("vi") == ("vi",)
    assert languages.chain("en") == ("en", "vi")
    for code in languages.codes():  # what modeltranslation reads is the registry's chain
        assert resolution_order(code) == languages.chain(code)
    assert languages.chain("zh-hans") == ("zh-hans", "en", "vi")
    assert languages.modeltranslation_fallbacks() == {
        "default": ("vi",),
        "en": ("vi",),
        "zh-hans": ("en", "vi"),
    }


def test_the_missing_translation_note_names_the_language_shown():
    with translation.override("en"):
        assert languages.missing_note("en", ["en"]) == (
            "The English translation of this page is on its way; meanwhile it is shown in "
            "Vietnamese."
        )
        assert languages.missing_note("en", []) == ""
        assert languages.missing_note("vi", ["en"]) == ""
    with translation.override("zh-hans"):
        note = languages.missing_note("zh-hans", ["zh-hans"])
        assert note == "本页的中文译文正在准备中，暂以英文显示。"
        assert languages.missing_note("zh-hans", ["en", "zh-hans"]) == (
            "本页的中文译文正在准备中，暂以越南文显示。"
        )


@pytest.mark.parametrize(
    ("name", "split"),
    [
        ("name_vi", ("name", "vi")),
        ("name_en", ("name", "en")),
        ("opening_hours_en", ("opening_hours", "en")),
        ("name_zh_hans", ("name", "zh-hans")),
        ("name", None),
        ("name_engine", None),
        ("_en", None),
    ],
)
def test_content_field_names_split_into_field_and_language(name, split):
    assert languages.split_field(name) == split


# Real headers (phones in Lạng Sơn, visitors' phones), then careless and malformed ones, with the
# language chosen and, where it differs, Django's own LocaleMiddleware's choice: it would take a
# language marked q=0, and give Vietnamese, the site's default, to a foreign phone.
HEADERS = [
    ("", "vi", None),  # no header (a crawler, a script): the site's language
    ("vi", "vi", None),
    ("vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7", "vi", None),
    ("vi-VN,vi;q=0.9,fr-FR;q=0.8,fr;q=0.7,en-US;q=0.6,en;q=0.5", "vi", None),
    ("en-US,en;q=0.9", "en", None),
    ("en-VN,en;q=0.9,vi-VN;q=0.8,vi;q=0.7", "en", None),
    ("en-GB,en;q=0.9,vi;q=0.8", "en", None),
    ("fr-FR,fr;q=0.9,en;q=0.8", "en", None),
    ("ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7", "en", None),
    ("en-US,en;q=0.9,zh-CN;q=0.8", "en", None),
    # A foreign phone that names none of the site's languages: English.
    ("fr-FR", "en", "vi"),
    ("ko-KR,ko;q=0.9", "en", "vi"),
    ("ja-JP", "en", "vi"),
    ("th-TH,th;q=0.9", "en", "vi"),
    ("ru-RU,ru;q=0.9,uk;q=0.8", "en", "vi"),
    ("*", "en", "vi"),
    ("de, *;q=0.5, en;q=0.1", "en", "vi"),  # "*" ends the search: anything will do
    # Chinese phones, Simplified or not (the site has no Traditional Chinese catalogue).
    ("zh-CN,zh;q=0.9", "zh-hans", None),
    ("zh-CN", "zh-hans", None),
    ("zh", "zh-hans", None),
    ("zh-SG", "zh-hans", None),
    ("zh-Hans-CN", "zh-hans", None),
    ("zh-Hans-CN,zh-Hans;q=0.9", "zh-hans", None),
    ("zh-TW,zh;q=0.9,en-US;q=0.8,en;q=0.7", "zh-hans", None),
    ("zh-HK", "zh-hans", None),
    ("zh-Hant-TW", "zh-hans", None),
    ("zh-CN,zh;q=0.9,vi;q=0.8,en;q=0.7", "zh-hans", None),
    ("zh-CN;q=0", "en", "zh-hans"),  # "not Chinese", nothing else: a foreign phone
    # Careless headers.
    ("vi;q=0.3,en;q=0.7", "en", None),  # q order, not the header's
    ("en-US;q=0.9,vi;q=0.95", "vi", None),
    ("en;q=0.5,vi;q=0.5", "en", None),  # a tie keeps the header's order
    ("en;q=0,vi;q=0.5", "vi", None),
    ("fr, en;q=0", "vi", "en"),  # a foreign phone that refuses English
    ("fr, en-US;q=0, vi;q=0", "vi", "en"),
    ("EN-gb", "en", None),
    ("en-US-x-twain", "en", None),
    ("en;q=2", "vi", None),  # malformed: the whole header is ignored
    ("en, fr!!", "vi", None),
    ("garbage;;q=x", "vi", None),
    ("fr," * 166 + "en", "en", None),  # 500 characters: read whole
    ("fr," * 167 + "en", "en", "vi"),  # longer: read up to the last comma before 500
]


@pytest.mark.parametrize(("header", "expected", "_djangos"), HEADERS)
def test_a_browsers_languages_choose_one_of_the_sites(header, expected, _djangos):
    assert languages.negotiate(accept_language=header) == expected


def test_djangos_fallbacks_pick_the_right_chinese_when_there_are_two(add):
    add(ZH_HANT)
    assert languages.negotiate(accept_language="zh-CN") == "zh-hans"
    assert languages.negotiate(accept_language="zh-TW") == "zh-hant"
    assert languages.negotiate(accept_language="zh-HK") == "zh-hant"
    first_chinese = next(code for code in languages.codes() if code.startswith("zh-"))
    assert languages.negotiate(accept_language="zh") == first_chinese


def test_the_visitors_own_choice_comes_before_the_browsers():
    assert languages.negotiate("en", None, accept_language="vi") == "en"
    assert languages.negotiate(None, "EN-us", accept_language="vi") == "en"
    assert languages.negotiate(" vi ", "en", accept_language="en") == "vi"
    assert languages.negotiate("klingon", "", accept_language="en") == "en"
    assert languages.negotiate("x" * 600, accept_language="") == "vi"


@pytest.mark.parametrize(("header", "expected", "djangos"), HEADERS)
def test_the_browsers_part_is_djangos_own_rule_but_for_q0_and_foreign_phones(
    header, expected, djangos
):
    """Django's LocaleMiddleware takes the tags in the same order and matches them the same
    way; it alone would also take a language the header marks q=0, and give a foreign phone
    the site's default language."""
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE=header)
    assert get_language_from_request(request) == (djangos or expected)


def test_pages_without_a_language_negotiate_like_scans(db):
    """The public pages (LocaleMiddleware), the API and a scan ask the registry alike."""
    assert Client().get("/", HTTP_ACCEPT_LANGUAGE="fr, en;q=0")["Location"] == "/vi/"
    assert Client().get("/", HTTP_ACCEPT_LANGUAGE="fr, en;q=0.1")["Location"] == "/en/"
    assert Client().get("/", HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9")["Location"] == "/en/"
    assert Client().get("/", HTTP_ACCEPT_LANGUAGE="zh-TW")["Location"] == "/zh-hans/"
    assert Client().get("/")["Location"] == "/vi/"
    api = Client().get("/api/v1/places/", HTTP_ACCEPT_LANGUAGE="fr, en;q=0")
    assert api["Content-Language"] == "vi"
    api = Client().get("/api/v1/places/", HTTP_ACCEPT_LANGUAGE="ja-JP")
    assert api["Content-Language"] == "en"
    api = Client().get("/api/v1/places/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert api["Content-Language"] == "zh-hans"


def test_the_admin_speaks_the_staff_members_chosen_language_or_vietnamese(db):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get("/admin/login/")["Content-Language"] == "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "EN-us"  # chosen with the switch, or not
    assert client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "vi"


def test_nginx_is_told_the_languages_and_djangos_fallbacks_that_lead_to_them():
    table = languages.njs_table()
    assert table["languages"] == table["negotiable"] == languages.codes()  # each has a catalogue
    assert table["default"] == "vi" and table["foreign"] == "en"
    assert table["fallbacks"] == {
        "zh-cn": ["zh-hans"],
        "zh-my": ["zh-hans"],
        "zh-sg": ["zh-hans"],
    }
    pattern = languages.nginx_pattern().split("|")
    assert sorted(pattern) == sorted(languages.codes()) and pattern[0] == "zh-hans"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"code": "en"}, "unique"),
        ({"code": "ja_JP"}, "lower-case tags"),
        ({"fallbacks": ("en",)}, "fall back to vi last"),
        ({"fallbacks": ("ko", "vi")}, "falls back to ko"),
        ({"missing_notes": {"en": "…"}}, "no note for text shown in vi"),
    ],
)
def test_a_registry_that_cannot_work_is_refused(monkeypatch, change, message):
    japanese = languages.Language(
        "ja", "日本語", "ja_JP", fallbacks=("en", "vi"), missing_notes={"en": "…", "vi": "…"}
    )
    broken = dataclasses.replace(japanese, **change)
    monkeypatch.setattr(languages, "LANGUAGES", (*languages.LANGUAGES, broken))
    with pytest.raises(ValueError, match=message):
        languages.check()
