"""Public pages and plate scans answered from a cache before the view layer, and kept serving
from it when the database cannot be reached.

Each page is kept once per address and language, exactly as it left the inner middleware
(compressed, with its ETag and headers), beside the *mark* of its address it was rendered under.
Saving a record that public pages show (announced as `sites.signals.content_changed`, heard in
`edge.apps`) touches the marks of exactly the pages and scans that show it (`edge.dependents`,
the rule static mode follows too), on every app server sharing the cache; every other page stays
a hit. After the commit a task (`warm`) renders those pages and scans again into the cache,
before visitors ask for them: what visitors must stop seeing is stale at once, a published
record's new text is swapped in as each page is rendered (`invalidate`).

A copy is fresh only while its address's mark is there and is the one it was rendered under. The
mark is read before the page is rendered, so a page rendered from the content as it was before a
commit is stored under a mark that commit removed. A mark evicted from a full cache makes its
copies stale, never fresh. The *generation* makes every copy stale at once, for the rare change
whose pages cannot be worked out (the database failing right after the commit).

A stale copy is not thrown away: it is what is served when rendering the page
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
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import re_accepts_gzip
from django.tasks import task
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.translation import get_language_from_path

from edge.dependents import dependents
from edge.rendering import renderer
from public.plate_urls import SCAN_PATH
from public.scan import read_scan
from qrplates.scans import count_scan_after_sending
from sites.models import Person, Place
from sites.signals import changing_many

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
MARK_PREFIX = "pagecache:mark:"
# Headers that belong to one response only, never to a copy.
NOT_KEPT = {"set-cookie", "date", "age", "x-page-cache"}


def cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def content_changed(sender: type, instance: object, **kwargs) -> None:
    """The receiver of `sites.signals.content_changed` (connected in `edge.apps`): a row public
    pages or scans show changed, so the copies that show it go stale when it is committed, and
    the listeners (static mode) hear of it.

    A module-level function, hence strongly referenced: a receiver defined inside ready() would
    be collected once ready() returned, and never run (tests/test_signals.py)."""
    invalidate(instance)


def invalidate(changed: object) -> None:
    """Makes the cached pages and scans that show `changed` (`edge.dependents`) stale, and has
    them rendered again after the commit (`warm`).

    What a visitor may no longer see (a record withdrawn or deleted, a photo, link, name or plate
    changed) is made stale at once, and again when the transaction commits, so that a page
    rendered in between, from the content as it was, does not outlive the change. A published
    record's new text is a *swap*: its pages keep being served as they were until `warm` has
    rendered them from the committed content (for SWAP_SECONDS at most), so visitors never wait
    for a page a publish made stale.

    Which pages those are is worked out at once, from the row as saved (and its previous
    version), once per row. Past MANY_CHANGES rows in one commit, or from the first row of a
    writer that announced many (`sites.signals.many_changes`: an import), every page is
    made stale instead, which costs one number and no work per row.

    Listeners hear once per commit of everything it changed (an admin save of a record with
    its inline rows is one commit). Changes of a transaction that was rolled back are heard
    with the next commit: listeners redo work from the database as it is and skip what no
    longer exists, so that costs a little work and no wrong result."""
    pending = _changes.__dict__.setdefault("pending", Pending())
    pending.rows.append(changed)
    if pending.everything or len(pending.rows) > MANY_CHANGES or changing_many():
        # One number a row: the copies rendered since the last row are stale at once too, even
        # if this transaction never commits (its commit callback, which bumps again and forgets
        # the rows, then never runs).
        pending.everything = True
        bump()
    else:
        addresses = addresses_showing([changed])
        if addresses is None:
            pending.everything = True
            bump()
        elif is_swap(changed):
            pending.swapped.update(dict.fromkeys(addresses))
        else:
            make_stale(addresses)
            pending.stale.update(dict.fromkeys(addresses))
    transaction.on_commit(_committed)


# Rows changed in one commit past which every page is made stale rather than those showing them.
MANY_CHANGES = 100
# How long pages showing a published record's previous text may be served after its commit,
# while `warm` renders them again: past it they are stale (the worker is down, or late).
SWAP_SECONDS = 60


def is_swap(row: object) -> bool:
    """Whether `row` is a published record saved (a new text, or newly published), which
    visitors may keep seeing as it was until its pages are rendered again; rather than
    something they must stop seeing at once."""
    return (
        isinstance(row, Place | Person)
        and row.is_published
        and type(row)._base_manager.filter(pk=row.pk).exists()  # not a delete
    )


@dataclass
class Pending:
    """What the thread's open transaction changed: the rows, the addresses showing them (those
    made `stale`, those `swapped` once rendered again), or `everything`."""

    rows: list = field(default_factory=list)
    stale: dict[str, None] = field(default_factory=dict)
    swapped: dict[str, None] = field(default_factory=dict)
    everything: bool = False


_changes = threading.local()


def forget_pending() -> None:
    """Forgets the changes waiting for a commit that will never come: a rolled-back transaction
    discards its commit callbacks, which are what forget them otherwise (tests, whose
    transactions are rolled back, start from none)."""
    _changes.__dict__.pop("pending", None)


def addresses_showing(changed: list) -> list[str] | None:
    """The addresses (as `page_address` names them) of the pages and scans that show the
    `changed` rows (`edge.dependents`), or None when that cannot be worked out."""
    try:
        found = dependents(changed)
    except Exception:
        logger.exception("Could not work out which pages show a change")
        return None
    return [*found.pages, *(scan_address(code, lang) for code, lang in found.scans())]


def _committed() -> None:
    pending = _changes.__dict__.pop("pending", None)
    if pending is None:  # an earlier callback of the same commit took them
        return
    if pending.everything:
        bump()
    else:
        stale = list(pending.stale)
        swapped = [address for address in pending.swapped if address not in pending.stale]
        make_stale(stale)
        swap_soon(swapped)
        if (stale or swapped) and settings.PAGE_CACHE_ENABLED:
            try:
                warm.enqueue(swapped + stale)
            except Exception:
                logger.exception("Could not ask for the stale pages to be rendered again")
    for listener in _listeners:
        try:
            listener(pending.rows)
        except Exception:
            # The change is committed: a file not refreshed must not turn the save into an error.
            logger.exception("A page cache listener failed")


def swap_soon(addresses: list[str]) -> None:
    """Keeps the copies of `addresses` served for SWAP_SECONDS at most, until `warm` replaces
    them: their marks become (the mark, until when)."""
    try:
        store = cache()
        marks = store.get_many([MARK_PREFIX + address for address in addresses])
        until = time.time() + SWAP_SECONDS
        store.set_many(
            {key: (mark, until) for key, mark in marks.items() if isinstance(mark, str)},
            timeout=None,
        )
    except Exception:
        logger.exception("Could not invalidate the page cache")


def make_stale(addresses: list[str]) -> None:
    """Makes the copies of these `addresses` (as `page_address` names them) stale."""
    try:
        cache().delete_many([MARK_PREFIX + address for address in addresses])
    except Exception:
        # The cache being down is the outage this module is for, not a reason to refuse a save.
        # Copies then live out PAGE_CACHE_FRESH_SECONDS.
        logger.exception("Could not invalidate the page cache")


def bump() -> None:
    """Makes every copy stale."""
    try:
        store = cache()
        store.add(GENERATION_KEY, 0, timeout=None)
        store.incr(GENERATION_KEY)
    except Exception:
        logger.exception("Could not invalidate the page cache")


# Set in the WSGI environment of `warm`'s requests (never from a header: a visitor cannot set
# it): render the page even if a copy is fresh, keep it under this mark and make it the
# address's mark.
REFRESH = "streetinfo.pagecache.refresh"


@task
def warm(addresses: list[str]) -> int:
    """Renders the pages and scans at `addresses` into the cache, as a phone asks for them, and
    makes each new copy the one served: the first visitors after a publish are served from the
    cache. Returns how many were rendered."""
    client = renderer(HTTP_ACCEPT_ENCODING="gzip")
    rendered = 0
    # Each page activates its language: the caller's (an editor's save) is left as it was.
    with translation.override(translation.get_language()):
        for address in addresses:
            url = address
            if address.startswith("scan:"):
                _scan, code, language = address.split(":")
                url = f"/Q/{code}?lang={language}"
            response = client.get(url, **{REFRESH: uuid.uuid4().hex})
            rendered += response.status_code == 200
    return rendered


_listeners: list[Callable[[list], None]] = []


def on_invalidate(listener: Callable[[list], None]) -> None:
    """Calls `listener(changed records)` after each commit (render_static's refresh)."""
    _listeners.append(listener)


def page_address(request: HttpRequest) -> str | None:
    """What `request` asks for, as the cache names it, or None when it is not answered from the
    cache: a page by its address, a scan as `scan:<CODE>:<language>`."""
    if request.method not in ("GET", "HEAD") or not settings.PAGE_CACHE_ENABLED:
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    scan = requested_scan(request)
    if scan is not None:
        return scan
    if request.META.get("QUERY_STRING") or not get_language_from_path(request.path_info):
        return None
    return request.path_info


def page_key(request: HttpRequest, address: str) -> str:
    """The cache key of the copy of `address` for `request` (compressed or not)."""
    encoding = "gzip" if accepts_gzip(request) else "identity"
    return f"pagecache:{encoding}:{address}"


def scan_address(code: str, language: str) -> str:
    return f"scan:{code}:{language}"


def accepts_gzip(request: HttpRequest) -> bool:
    """Whether GZipMiddleware compresses the answer to `request`: its very test, so that a copy
    is only served to requests that would have had the same bytes. (A substring test once made
    `Accept-Encoding: nogzip` store the uncompressed page under the key of every phone.)"""
    return bool(re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def requested_scan(request: HttpRequest) -> str | None:
    """`scan:<CODE>:<language>` for a well-formed plate address, else None. The address is read
    as the scan view reads it, and only once: on a miss the view answers from this reading."""
    match = re.match(rf"/{SCAN_PATH}", request.path_info)
    if match is None or set(request.GET) - {"lang"}:
        return None
    address = read_scan(request, match["code"])
    if address.code is None:
        return None
    return scan_address(address.code, address.language)


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


def keep(request: HttpRequest, response: HttpResponse, key: str, mark: tuple) -> None:
    plate = getattr(request, "scanned_plate", None) if ":scan:" in key else None
    entry = {
        "mark": mark,
        "stored": time.time(),
        "headers": [
            (name, value) for name, value in response.items() if name.lower() not in NOT_KEPT
        ],
        "content": response.content,
        "plate": plate.pk if plate is not None else None,
    }
    cache().set(key, entry, timeout=settings.PAGE_CACHE_KEEP_SECONDS)


def current_mark(found: dict, mark_key: str) -> tuple:
    """The mark a page rendered now is stored under: its address's mark (set now when it has
    none; the previous one while a swap waits for `warm`) and the generation.

    A swap whose time is over (`warm` did not run), or any swap with PAGE_CACHE off (nothing
    renders the pages again, and nothing serves the old copies but `RecordPages`), gets a new
    mark: the page rendered now, from the committed content, is kept under it, rather than
    every later request rendering it again."""
    mark = found.get(mark_key)
    if isinstance(mark, tuple) and (time.time() >= mark[1] or not settings.PAGE_CACHE_ENABLED):
        mark = uuid.uuid4().hex
        cache().set(mark_key, mark, timeout=None)
    elif mark is None:
        store = cache()
        store.add(mark_key, uuid.uuid4().hex, timeout=None)
        mark = store.get(mark_key)
    if isinstance(mark, tuple):
        mark = mark[0]
    return (mark, found.get(GENERATION_KEY) or 0)


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
        address = page_address(request)
        if address is None:
            return self.get_response(request)
        request.get_host()  # the same host check the page itself would make
        key, mark_key = page_key(request, address), MARK_PREFIX + address
        refresh = request.META.get(REFRESH)
        try:
            found = cache().get_many([GENERATION_KEY, mark_key, key])
            entry = found.get(key)
            if entry is not None and not refresh and self.is_fresh(entry, found, mark_key):
                return self.hit(request, entry, "hit")
            mark = (refresh, found.get(GENERATION_KEY) or 0) if refresh else None
            mark = mark or current_mark(found, mark_key)
        except Exception:
            logger.exception("The page cache cannot be read")
            return self.get_response(request)

        response = self.get_response(request)
        if response.status_code >= 500 and entry is not None:
            # Rendering failed (the database is unreachable, most likely): the last copy is
            # better than an error page for someone standing in front of the plate.
            logger.warning("Serving a stale copy of %s (status %s)", key, response.status_code)
            return self.hit(request, entry, "stale")
        try:
            if is_cacheable(request, response):
                keep(request, response, key, mark)
                # Swapped in unless the mark changed while the page was rendered (another
                # commit): that commit's own `warm` renders it again.
                if refresh and cache().get(mark_key) == found.get(mark_key):
                    cache().set(mark_key, refresh, timeout=None)
            elif refresh:  # no page to swap in (withdrawn, moved): the old ones go
                cache().delete(mark_key)
        except Exception:
            logger.exception("The page cache cannot be written")
        return response

    @staticmethod
    def is_fresh(entry: dict, found: dict, mark_key: str) -> bool:
        """Whether `entry` is served: rendered under its address's mark (or, while a swap waits,
        under the previous one) and the generation, and not older than FRESH_SECONDS."""
        mark, generation = found.get(mark_key), found.get(GENERATION_KEY) or 0
        now = time.time()
        if isinstance(mark, tuple):  # (previous mark, until when)
            mark, until = mark
            if now >= until:
                return False
        return (
            mark is not None
            and entry["mark"] == (mark, generation)
            and now - entry["stored"] < settings.PAGE_CACHE_FRESH_SECONDS
        )

    @staticmethod
    def hit(request: HttpRequest, entry: dict, state: str) -> HttpResponseBase:
        response = from_entry(request, entry, state)
        if entry["plate"] is not None:
            count_scan_after_sending(request, response, entry["plate"])
        return response


BODY_PREFIX = "pagecache:body:"


class RecordPages:
    """The record pages a scan shows, kept for the next scans of any plate leading to the same
    record (`public.scan.kept_pages`): what a page cache miss of a scan costs is then the
    plate's query, the count and the compression, not the record page's queries and templates.

    A copy is the record view's response (uncompressed, before the outer middleware), kept
    under the mark of the record page's own address: the mark `edge.dependents` removes or
    swaps when anything that page shows changes, the one its copies in the page cache are
    kept under. So it is valid exactly as long as a page cache copy of that page would be, and
    what visitors must stop seeing is gone from it at once. The scan resolves its plate and its
    record on every request: a withdrawn record is never looked up here.

    Only anonymous GETs are kept and served (an installer's page has their own links), never
    for `warm` (it renders the content as committed), and with PAGE_CACHE_RECORD_PAGES on; on
    PAGE_CACHE=0 too: that switch is for whole answers served before the view."""

    def fetch(self, request: HttpRequest, path: str) -> tuple[HttpResponse | None, object]:
        if (
            not settings.PAGE_CACHE_RECORD_PAGES
            or request.method != "GET"
            or settings.SESSION_COOKIE_NAME in request.COOKIES
        ):
            return None, None
        mark_key, key = MARK_PREFIX + path, BODY_PREFIX + path
        try:
            found = cache().get_many([GENERATION_KEY, mark_key, key])
            entry = found.get(key)
            # A published record's new text waits for `warm` only where whole pages are served
            # from the cache: with PAGE_CACHE off it is shown at once.
            swapping = isinstance(found.get(mark_key), tuple) and not settings.PAGE_CACHE_ENABLED
            if (
                entry is not None
                and not swapping
                and REFRESH not in request.META
                and PageCacheMiddleware.is_fresh(entry, found, mark_key)
            ):
                response = HttpResponse(entry["content"])
                for name, value in entry["headers"]:
                    response[name] = value
                return response, None
            return None, current_mark(found, mark_key)
        except Exception:
            logger.exception("The page cache cannot be read")
            return None, None

    def keep(self, request: HttpRequest, path: str, token: object, response: HttpResponse) -> None:
        if token is None or not is_cacheable(request, response):
            return
        entry = {
            "mark": token,
            "stored": time.time(),
            "headers": [
                (name, value) for name, value in response.items() if name.lower() not in NOT_KEPT
            ],
            "content": response.content,
        }
        try:
            cache().set(BODY_PREFIX + path, entry, timeout=settings.PAGE_CACHE_KEEP_SECONDS)
        except Exception:
            logger.exception("The page cache cannot be written")


record_pages = RecordPages()
