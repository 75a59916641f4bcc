"""Who is scanning and what they read: a person on the street, or a machine fetching the link (a
chat app building a preview card, a search engine, a browser prefetching); only people's scans
are counted. And the language a scan is answered in, since a plate's URL names none."""

from __future__ import annotations

import re

import crawleruseragents
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header

# What the maintained list (crawler-user-agents) need not name one by one: fetchers that say
# they build a preview ("SkypeUriPreview", "Snap URL Preview Service"), Zalo's link fetcher, and
# the convention of leaving a contact address in the user agent ("+https://…"), which no
# browser follows. Zalo's in-app browser ("ZaloTheme/…", "Zalo iOS/…") is a person and counts.
_SELF_DECLARED = re.compile(r"preview|\+https?://|zalo[-_ ]?(?:bot|link|crawler)", re.IGNORECASE)
# Headers browsers send when they fetch a page the person has not opened (yet).
_PREFETCH_HEADERS = ("HTTP_PURPOSE", "HTTP_SEC_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")


def is_machine(user_agent: str) -> bool:
    """True for link-preview fetchers, crawlers, scripts and anything that gives no name."""
    user_agent = user_agent.strip()[:512]
    if not user_agent:
        return True
    return bool(_SELF_DECLARED.search(user_agent)) or crawleruseragents.is_crawler(user_agent)


def counts_as_scan(request: HttpRequest) -> bool:
    """A GET by a person's browser, not a HEAD, a prefetch or a machine."""
    if request.method != "GET":
        return False
    for header in _PREFETCH_HEADERS:
        purpose = request.META.get(header, "").lower()
        if "prefetch" in purpose or "preview" in purpose:
            return False
    return not is_machine(request.META.get("HTTP_USER_AGENT", ""))


def _supported(tag: str | None) -> str | None:
    if not tag or not isinstance(tag, str):
        return None
    try:
        return get_supported_language_variant(tag.strip().lower()[:35])
    except LookupError:
        return None


def visitor_language(request: HttpRequest) -> str:
    """The language of a page reached without a language in its address (a scan): `?lang=`,
    else the visitor's saved choice (the language cookie), else the first language of
    Accept-Language, in q order, that the site speaks (q=0 means "not this one"), else
    Vietnamese."""
    for chosen in (request.GET.get("lang"), request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)):
        if language := _supported(chosen):
            return language
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for tag, quality in parse_accept_lang_header(header):
        if tag == "*":
            break
        if quality > 0 and (language := _supported(tag)):
            return language
    return settings.LANGUAGE_CODE
