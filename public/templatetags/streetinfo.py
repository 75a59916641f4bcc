from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse, translate_url
from django.utils import numberformat, translation
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from lib import languages
from lib.static_text import static_text
from lib.text import web_url
from sites.models import Photo, PublishableModel

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context: template.Context) -> list[dict]:
    """The current page in every other language, for the one-tap switch: `url` goes through the
    switch (which remembers the choice, JavaScript or not); `direct` is the page itself, which
    the page's script opens after setting the cookie, saving a redirect."""
    request: HttpRequest = context["request"]
    current = translation.get_language()
    links = []
    for code, name in settings.LANGUAGES:
        if code == current:
            continue
        direct = translate_url(request.get_full_path(), code)
        links.append(
            {
                "code": code,
                "name": name,
                "direct": direct,
                "url": reverse("switch_language", kwargs={"code": code})
                + "?"
                + urlencode({"next": direct}),
            }
        )
    return links


@register.simple_tag
def language_cookie_name() -> str:
    return settings.LANGUAGE_COOKIE_NAME


@register.simple_tag
def og_locales() -> dict:
    """OpenGraph locales: the page's, and the other languages' as alternates."""
    current = translation.get_language()
    return {
        "current": languages.og_locale(current),
        "alternates": [languages.og_locale(c) for c in languages.codes() if c != current],
    }


@register.filter
def translation_missing(record: PublishableModel) -> str:
    """The note a page shows when its language has no text of its own for this record yet,
    naming the language shown instead; "" when the text is there."""
    return languages.missing_note(translation.get_language(), record.missing_languages())


@register.simple_tag
def lang_attr(record: object, field: str) -> SafeString:
    """` lang="vi"` when the text shown for `field` is another language's (a translation not
    written yet falls back along the language's chain), so screen readers pronounce it right;
    else nothing."""
    current = translation.get_language()
    if getattr(record, f"{field}_{current.replace('-', '_')}", None):
        return mark_safe("")
    for code in languages.chain(current)[1:]:
        if getattr(record, f"{field}_{code.replace('-', '_')}", None):
            return format_html(' lang="{}"', code)
    return mark_safe("")


@register.filter(name="web_url")
def web_url_filter(value: str | None) -> str:
    """Only http(s) addresses become links (lib.text.web_url)."""
    return web_url(value)


@register.simple_tag
def inline_static(path: str) -> SafeString:
    """A static file's text, for inlining (the critical CSS): one round trip draws the page."""
    return mark_safe(static_text(path))


# The text column is at most 40rem wide; below that a photo fills the screen less the margins.
PICTURE_SIZES = "(min-width: 44rem) 40rem, calc(100vw - 2rem)"


@register.inclusion_tag("sites/_picture.html")
def picture(photo: Photo, alt: str = "", eager: bool = False) -> dict:
    """A photo as <picture>: WebP and JPEG renditions in every width made, the page's width in
    `sizes`, the size given (no layout shift), loaded lazily unless it is the first thing seen."""
    return {
        "pic": photo.picture,
        "alt": photo.caption or alt,
        "sizes": PICTURE_SIZES,
        "eager": eager,
    }


@register.filter
def metres(value: int) -> str:
    """A distance in metres, in thousands grouped the page language's way: "1.250 m", "1,250 m"
    (Django's Vietnamese format sets a separator but no grouping)."""
    grouped = numberformat.format(
        value,
        get_format("DECIMAL_SEPARATOR"),
        grouping=3,
        thousand_sep=get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )
    return grouped + "\u00a0m"
