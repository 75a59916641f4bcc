"""Languages the site may add (issue 19), for tests that check a new language is a line in the
registry: Simplified Chinese, and Traditional Chinese, with which Django's fallbacks (zh-cn →
zh-hans, zh-tw → zh-hant) start to matter."""

from lib import languages

ZH_HANS = languages.Language(
    "zh-hans",
    "中文",
    "zh_CN",
    fallbacks=("en", "vi"),
    missing_notes={"en": "Chinese: shown in English.", "vi": "Chinese: shown in Vietnamese."},
)
ZH_HANT = languages.Language(
    "zh-hant",
    "中文（繁體）",
    "zh_TW",
    fallbacks=("en", "vi"),
    missing_notes={"en": "Chinese: shown in English.", "vi": "Chinese: shown in Vietnamese."},
)


def add_languages(monkeypatch, settings, *added: languages.Language) -> None:
    """Adds `added` to the registry and to Django's settings, as their line in the registry
    would (without the database columns, which need `makemigrations`); one the registry already
    has stays where it is."""
    new = tuple(language for language in added if language.code not in languages.codes())
    monkeypatch.setattr(languages, "LANGUAGES", (*languages.LANGUAGES, *new))
    settings.LANGUAGES = languages.django_languages()
    languages.check()
