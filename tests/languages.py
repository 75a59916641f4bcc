"""A language the site may add (issue 19): Traditional Chinese, with which Django's fallbacks
(zh-cn → zh-hans, zh-tw → zh-hant) start to matter, for tests that check a new language is a
line in the registry."""

from lib import languages

ZH_HANT = languages.Language(
    "zh-hant",
    "中文（繁體）",
    "zh_TW",
    fallbacks=("en", "vi"),
    missing_notes={"en": "Chinese: shown in English.", "vi": "Chinese: shown in Vietnamese."},
)


def add_languages(monkeypatch, settings, *added: languages.Language) -> None:
    """Adds `added` to the registry and to Django's settings, as their line in the registry
    would (without the database columns, which need `makemigrations`)."""
    monkeypatch.setattr(languages, "LANGUAGES", (*languages.LANGUAGES, *added))
    settings.LANGUAGES = languages.django_languages()
    languages.check()
