"""Public pages and plate scans answered from a cache before the view layer, and kept serving
from it when the database cannot be reached.

Each page is kept once per address and language, exactly as it left the inner middleware
(compressed, with its ETag and headers), beside the *generation* it was rendered in. Saving any
record that public pages show (announced as `sites.signals.content_changed`, heard in
`edge.apps`) moves the generation on, so every copy becomes stale at once, on every app server
sharing the cache. A stale copy is not thrown away: it is what is served when rendering the page
again fails (the database is down, for instance), so a plate on a pole keeps answering with the
last published page.

Where the cache lives: Redis when REDIS_URL is set (shared by all app servers and processes), the
process's memory otherwise. Memory is not shared between gunicorn workers: a worker that did not
see the publish sees its copies as fresh for PAGE_CACHE_FRESH_SECONDS at most (one minute by
default without Redis).

Only anonymous requests are answered from the cache (a session cookie means staff or an installer,
whose pages carry their own links), only GET and HEAD, only addresses without a query string (the
scan path's `?lang=` aside), and only responses their view declared `Cache-Control: public`.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import get_conditional_response
from django.utils.translation import get_language_from_path

from public.plate_urls import SCAN_PATH
from public.scan import read_scan
from qrplates.scans import count_scan_after_sending

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
# Headers that belong to one response only, never to a copy.
NOT_KEPT = {"set-cookie", "date", "age", "x-page-cache"}


def cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def content_changed(sender: type, instance: object, **kwargs) -> None:
    """The receiver of `sites.signals.content_changed` (connected in `edge.apps`): a row public
    pages or scans show changed, so every copy goes stale, and the listeners (static mode) hear
    of it after the commit.

    A module-level function, hence strongly referenced: a receiver defined inside ready() would
    be collected once ready() returned, and never run (tests/test_signals.py)."""
    invalidate(instance)


def invalidate(changed: object = None) -> None:
    """Makes every cached page stale (kept for outages, re-rendered on the next request): at
    once, and again when the transaction commits, so that a page rendered in between, from the
    content as it was, does not outlive the change.

    Listeners hear once per commit of everything it changed (an admin save of a record with
    its inline rows is one commit). Changes of a transaction that was rolled back are heard
    with the next commit: listeners redo work from the database as it is and skip what no
    longer exists, so that costs a little work and no wrong result."""
    bump()
    _changes.__dict__.setdefault("pending", []).append(changed)
    transaction.on_commit(_committed)


_changes = threading.local()


def _committed() -> None:
    changed = _changes.__dict__.pop("pending", [])
    if not changed:  # an earlier callback of the same commit took them
        return
    bump()
    for listener in _listeners:
        try:
            listener(changed)
        except Exception:
            # The change is committed: a file not refreshed must not turn the save into an error.
            logger.exception("A page cache listener failed")


def bump() -> None:
    try:
        store = cache()
        store.add(GENERATION_KEY, 0, timeout=None)
        store.incr(GENERATION_KEY)
    except Exception:
        # The cache being down is the outage this module is for, not a reason to refuse a save.
        # Copies then live out PAGE_CACHE_FRESH_SECONDS.
        logger.exception("Could not invalidate the page cache")


_listeners: list[Callable[[list], None]] = []


def on_invalidate(listener: Callable[[list], None]) -> None:
    """Calls `listener(changed records)` after each commit (render_static's refresh)."""
    _listeners.append(listener)


def page_key(request: HttpRequest) -> str | None:
    """The cache key of the page `request` asks for, or None when it is not answered from the
    cache. Scans are keyed by their code and the visitor's language, pages by their address."""
    if request.method not in ("GET", "HEAD") or not settings.PAGE_CACHE_ENABLED:
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    encoding = "gzip" if accepts_gzip(request) else "identity"
    scan = scan_key(request)
    if scan is not None:
        return f"pagecache:{encoding}:{scan}"
    if request.META.get("QUERY_STRING") or not get_language_from_path(request.path_info):
        return None
    return f"pagecache:{encoding}:{request.path_info}"


def accepts_gzip(request: HttpRequest) -> bool:
    """Whether GZipMiddleware compresses the answer to `request`: its very test, so that a copy
    is only served to requests that would have had the same bytes. (A substring test once made
    `Accept-Encoding: nogzip` store the uncompressed page under the key of every phone.)"""
    return bool(re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def scan_key(request: HttpRequest) -> str | None:
    """`scan:<CODE>:<language>` for a well-formed plate address, else None. The address is read
    as the scan view reads it, and only once: on a miss the view answers from this reading."""
    match = re.match(rf"/{SCAN_PATH}", request.path_info)
    if match is None or set(request.GET) - {"lang"}:
        return None
    address = read_scan(request, match["code"])
    if address.code is None:
        return None
    return f"scan:{address.code}:{address.language}"


def is_cacheable(request: HttpRequest, response: HttpResponseBase) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "public" in cache_control
        and "no-store" not in cache_control
    )


def keep(request: HttpRequest, response: HttpResponse, key: str, generation: int) -> None:
    plate = getattr(request, "scanned_plate", None) if ":scan:" in key else None
    entry = {
        "generation": generation,
        "stored": time.time(),
        "headers": [
            (name, value) for name, value in response.items() if name.lower() not in NOT_KEPT
        ],
        "content": response.content,
        "plate": plate.pk if plate is not None else None,
    }
    cache().set(key, entry, timeout=settings.PAGE_CACHE_KEEP_SECONDS)


def from_entry(request: HttpRequest, entry: dict, state: str) -> HttpResponseBase:
    response = HttpResponse(entry["content"])
    for name, value in entry["headers"]:
        response[name] = value
    response["X-Page-Cache"] = state
    # A phone revalidating what it holds gets a 304 from the copy, as from the page itself.
    return get_conditional_response(request, etag=response.get("ETag"), response=response)


class PageCacheMiddleware:
    """Placed before the compression and conditional-GET middleware, so that a copy is the
    final, compressed response, and a hit costs a cache read and nothing else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        key = page_key(request)
        if key is None:
            return self.get_response(request)
        request.get_host()  # the same host check the page itself would make
        try:
            found = cache().get_many([GENERATION_KEY, key])
        except Exception:
            logger.exception("The page cache cannot be read")
            return self.get_response(request)
        entry = found.get(key)
        generation = found.get(GENERATION_KEY) or 0
        if entry is not None and self.is_fresh(entry, generation):
            return self.hit(request, entry, "hit")

        response = self.get_response(request)
        if response.status_code >= 500 and entry is not None:
            # Rendering failed (the database is unreachable, most likely): the last copy is
            # better than an error page for someone standing in front of the plate.
            logger.warning("Serving a stale copy of %s (status %s)", key, response.status_code)
            return self.hit(request, entry, "stale")
        if is_cacheable(request, response):
            try:
                keep(request, response, key, generation)
            except Exception:
                logger.exception("The page cache cannot be written")
        return response

    @staticmethod
    def is_fresh(entry: dict, generation: int) -> bool:
        age = time.time() - entry["stored"]
        return entry["generation"] == generation and age < settings.PAGE_CACHE_FRESH_SECONDS

    @staticmethod
    def hit(request: HttpRequest, entry: dict, state: str) -> HttpResponseBase:
        response = from_entry(request, entry, state)
        if entry["plate"] is not None:
            count_scan_after_sending(request, response, entry["plate"])
        return response
