"""The site's languages, said once: their codes and names, their OpenGraph locales, where each
language's content falls back when a text is not written yet (and the note that says so), and
how a visitor's browser is matched to one of them.

settings.py takes LANGUAGES, LANGUAGE_CODE and MODELTRANSLATION_* from here; the pages, the API,
the admin and static mode ask here rather than pairing "vi" with "en" themselves, and static
mode's nginx script is generated from this table (`njs_table`), so nginx and Django answer a
scan in the same language. Adding a language is a line in LANGUAGES plus `makemigrations`
(docs/languages.md).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import (
    check_for_language,
    get_supported_language_variant,
)
from django.utils.translation import gettext_lazy as _
from django.utils.translation.trans_real import parse_accept_lang_header

# A language tag as Django spells a site language: lower case, "-" between subtags.
_CODE = re.compile(r"[a-z]{2,8}(?:-[a-z0-9]{1,8})*")
# Longer tags are cut before matching (no site language is this long): what a visitor sends
# in a cookie or `?lang=` costs nothing, whatever its length.
TAG_MAX_LENGTH = 35


@dataclass(frozen=True)
class Language:
    code: str
    # The language's own name for itself: the switch is read by someone who does not read the
    # page's language.
    name: str
    # OpenGraph's locale (og:locale), which names a country as well.
    og_locale: str
    # Where a text not written in this language is taken from, in order. The default language
    # falls back to nothing: every record is written in it first.
    fallbacks: tuple[str, ...] = ()
    # The note on a page whose text is not written in this language yet, keyed by the language
    # shown instead (the first of `fallbacks` that has it): lazy, translated when shown.
    missing_notes: Mapping[str, str | Promise] = field(default_factory=dict)

    @property
    def suffix(self) -> str:
        """The suffix of this language's content fields (modeltranslation's): name_zh_hans."""
        return self.code.replace("-", "_")


LANGUAGES: tuple[Language, ...] = (
    Language("vi", "Tiếng Việt", "vi_VN"),
    Language(
        "en",
        "English",
        "en_US",
        fallbacks=("vi",),
        missing_notes={
            "vi": _(
                "The English translation of this page is on its way; meanwhile it is shown in "
                "Vietnamese."
            )
        },
    ),
    Language(
        "zh-hans",
        "中文",
        "zh_CN",
        fallbacks=("en", "vi"),
        missing_notes={
            "en": _(
                "The Chinese translation of this page is on its way; meanwhile it is shown in "
                "English."
            ),
            "vi": _(
                "The Chinese translation of this page is on its way; meanwhile it is shown in "
                "Vietnamese."
            ),
        },
    ),
)
# The site's language: the one every record is written in, the admin's, and a visitor's when
# nothing they send names a language of the site.
DEFAULT = LANGUAGES[0].code
# A foreign visitor's language: a browser that names none of the site's languages belongs to
# someone who does not read Vietnamese (a Vietnamese phone says "vi"), and English is the
# language such a visitor most likely reads.
FOREIGN = "en"


def codes() -> list[str]:
    return [language.code for language in LANGUAGES]


def suffixes() -> list[str]:
    """The suffixes of the content fields, one per language: name_vi, name_en."""
    return [language.suffix for language in LANGUAGES]


def get(code: str) -> Language:
    """The site's language `code` (KeyError when the site has no such language)."""
    for language in LANGUAGES:
        if language.code == code:
            return language
    raise KeyError(code)


def translations() -> list[str]:
    """The languages content is translated into: all but the default."""
    return [code for code in codes() if code != DEFAULT]


def chain(code: str) -> tuple[str, ...]:
    """`code`, then the languages its content falls back to, in order."""
    return (code, *get(code).fallbacks)


def og_locale(code: str) -> str:
    return get(code).og_locale


# --- settings.py -------------------------------------------------------------------------------


def django_languages() -> list[tuple[str, str]]:
    """settings.LANGUAGES."""
    return [(language.code, language.name) for language in LANGUAGES]


def modeltranslation_fallbacks() -> dict[str, tuple[str, ...]]:
    """settings.MODELTRANSLATION_FALLBACK_LANGUAGES: each language's chain, and the default
    language under "default" (which modeltranslation requires, and appends to every chain)."""
    return {
        "default": (DEFAULT,),
        **{language.code: language.fallbacks for language in LANGUAGES if language.fallbacks},
    }


# --- content fields ----------------------------------------------------------------------------


def split_field(name: str) -> tuple[str, str] | None:
    """("name", "zh-hans") for the content field "name_zh_hans", or None for a field that ends
    in no language's suffix. Suffixes are matched whole, so a code with a "-" in it is read
    right (splitting at the last "_" would read "name_zh" in "hans")."""
    for language in sorted(LANGUAGES, key=lambda language: -len(language.suffix)):
        ending = f"_{language.suffix}"
        if name.endswith(ending) and len(name) > len(ending):
            return name[: -len(ending)], language.code
    return None


def missing_note(code: str, missing: Collection[str]) -> str:
    """What a page in `code` says when its text is not written in `code` yet (`missing`: the
    record's languages without text), naming the language shown instead; "" when nothing is
    missing."""
    if code not in missing:
        return ""
    return str(get(code).missing_notes[shown(code, missing)])


def shown(code: str, missing: Collection[str]) -> str:
    """The language a page in `code` shows a record's text in (`missing`: the record's
    languages without text): `code`, or the first of its fallbacks that has the text."""
    return next(language for language in chain(code) if language not in missing)


# --- which language a visitor gets -------------------------------------------------------------


def supported(tag: str | None) -> str | None:
    """The site's language a language tag (from Accept-Language, a cookie or `?lang=`) names,
    as Django matches them (`get_supported_language_variant`): the tag itself, Django's
    fallbacks for it (zh-cn → zh-hans), its ever shorter prefixes (en-us → en), else any site
    language of the same primary language (zh → zh-hans). None when it names none. Read in any
    letter case."""
    if not tag or not isinstance(tag, str):
        return None
    try:
        return get_supported_language_variant(tag.strip().lower()[:TAG_MAX_LENGTH])
    except LookupError:
        return None


def from_accept_language(header: str) -> str | None:
    """The language an Accept-Language header asks for: its first language, in q order, that
    the site speaks; else, when it names none ("*" ends the search: anything will do), the
    foreign visitor's language, or the default if the header refuses that one. q=0 means "not
    this one". None when there is no header, or a malformed one (ignored whole, as Django
    ignores it)."""
    tags = parse_accept_lang_header(header)
    refused = set()
    for tag, quality in tags:
        if tag == "*":
            break
        if language := supported(tag):
            if quality > 0:
                return language
            refused.add(language)
    if not tags:
        return None
    return FOREIGN if FOREIGN not in refused else DEFAULT


def negotiate(*chosen: str | None, accept_language: str = "") -> str:
    """The language of a page whose address names none: the first of the visitor's own choices
    (`chosen`, in order: `?lang=`, the language cookie) that the site speaks, else what the
    browser's Accept-Language asks for, else (no header) the default. Static mode's nginx
    script is a port of this (`njs_table`); tests/edge/test_static_mode_languages.py holds them
    to the same answers."""
    for choice in chosen:
        if language := supported(choice):
            return language
    return from_accept_language(accept_language) or DEFAULT


def of_request(request: HttpRequest, *chosen: str | None) -> str:
    """`negotiate` for a request: `chosen` (a scan's `?lang=`), the language cookie, then the
    request's Accept-Language."""
    return negotiate(
        *chosen,
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
        accept_language=request.META.get("HTTP_ACCEPT_LANGUAGE", ""),
    )


def njs_table() -> dict:
    """What static mode's njs port of `negotiate` needs to know, for its generated script:
    the site's languages, those Django matches a tag to (each needs an interface catalogue:
    Django's `check_for_language`), Django's fallbacks for tags that lead to a site language,
    and the default."""
    site = codes()
    fallbacks = {
        tag: [code for code in info["fallback"] if code in site]
        for tag, info in sorted(LANG_INFO.items())
        if any(code in site for code in info.get("fallback", ()))
    }
    return {
        "languages": site,
        "negotiable": [code for code in site if check_for_language(code)],
        "fallbacks": fallbacks,
        "default": DEFAULT,
        "foreign": FOREIGN,
        "tagMaxLength": TAG_MAX_LENGTH,
    }


def nginx_pattern() -> str:
    """The site's languages nginx's maps may match by themselves (without the njs port), as a
    regular expression: those Django matches a tag to, longest first (a tag that starts with
    both en-gb and en is en-gb's, in Django's order), leaving to the port any that Django's
    fallbacks could lead elsewhere (with zh and zh-hans, zh-cn is zh-hans's)."""
    table = njs_table()
    fast = [
        code
        for code in table["negotiable"]
        if not any(tag.startswith(f"{code}-") for tag in table["fallbacks"])
    ]
    return "|".join(sorted(fast, key=len, reverse=True)) or "(?!)"


def check() -> None:
    """Fails loudly on a registry that cannot work (run when settings.py loads)."""
    seen = codes()
    if FOREIGN not in seen:
        raise ValueError(f"the foreign visitor's language {FOREIGN} is not a site language")
    if len(set(seen)) != len(seen) or not all(_CODE.fullmatch(code) for code in seen):
        raise ValueError(f"language codes must be unique lower-case tags: {seen}")
    for language in LANGUAGES:
        if language.code != DEFAULT and language.fallbacks[-1:] != (DEFAULT,):
            raise ValueError(f"{language.code} must fall back to {DEFAULT} last")
        for fallback in language.fallbacks:
            if fallback not in seen or fallback == language.code:
                raise ValueError(f"{language.code} falls back to {fallback}")
            if fallback not in language.missing_notes:
                raise ValueError(f"{language.code} has no note for text shown in {fallback}")


check()
