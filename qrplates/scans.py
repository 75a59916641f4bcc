"""Who is scanning and what they read: a person on the street, or a machine fetching the link (a
chat app building a preview card, a search engine, a browser prefetching); only people's scans
are counted. And the language a scan is answered in, since a plate's URL names none."""

from __future__ import annotations

import atexit
import functools
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable

import crawleruseragents
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from lib import languages, ratelimits
from lib.http import client_ip

# What the maintained list (crawler-user-agents) need not name one by one: fetchers that say
# they build a preview ("SkypeUriPreview", "Snap URL Preview Service"), Zalo's link fetcher, and
# the convention of leaving a contact address in the user agent ("+https://…"), which no
# browser follows. Zalo's in-app browser ("ZaloTheme/…", "Zalo iOS/…") is a person and counts.
_SELF_DECLARED = re.compile(r"preview|\+https?://|zalo[-_ ]?(?:bot|link|crawler)", re.IGNORECASE)
# Headers browsers send when they fetch a page the person has not opened (yet).
_PREFETCH_HEADERS = ("HTTP_PURPOSE", "HTTP_SEC_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")


@functools.lru_cache(maxsize=4096)
def is_machine(user_agent: str) -> bool:
    """True for link-preview fetchers, crawlers, scripts and anything that gives no name.
    Remembered per user agent: the maintained list has 1,500 patterns, and a province's phones
    send a few hundred different user agents, not one per scan."""
    user_agent = user_agent.strip()[:512]
    if not user_agent:
        return True
    return bool(_SELF_DECLARED.search(user_agent)) or crawleruseragents.is_crawler(user_agent)


def is_person_scan(method: str, purposes: Iterable[str], user_agent: str) -> bool:
    """A GET by a person's browser, not a HEAD, a prefetch or a machine: the rule for a scan
    Django answers and for one nginx served from static mode's files (ingest_scan_log)."""
    if method != "GET":
        return False
    for purpose in purposes:
        if "prefetch" in purpose.lower() or "preview" in purpose.lower():
            return False
    return not is_machine(user_agent)


def counts_as_scan(request: HttpRequest) -> bool:
    purposes = (request.META.get(header, "") for header in _PREFETCH_HEADERS)
    return is_person_scan(request.method, purposes, request.META.get("HTTP_USER_AGENT", ""))


def visitor_language(request: HttpRequest) -> str:
    """The language of a page reached without a language in its address (a scan): `?lang=`,
    else the visitor's saved choice, else Accept-Language (lib.languages.negotiate)."""
    return languages.of_request(request, request.GET.get("lang"))


logger = logging.getLogger(__name__)


class ScanBuffer:
    """Scan counts waiting to be written, per plate and day. A busy plate costs one write every
    SCAN_COUNT_FLUSH_SECONDS rather than one per scan, a scan answered from the page cache never
    waits for the database, and while the database is away the counts wait here (a few bytes per
    plate and day) and are written when it is back. Each process has its own buffer and writes
    it out when it exits; a process that is killed loses at most the last few seconds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: Counter[tuple[int, object]] = Counter()
        self._written = time.monotonic()

    def add(self, plate_id: int) -> None:
        with self._lock:
            self._pending[(plate_id, timezone.localdate())] += 1

    def pending(self) -> int:
        with self._lock:
            return sum(self._pending.values())

    def discard(self) -> None:
        """Forgets the counts not written yet (a test starting afresh)."""
        with self._lock:
            self._pending.clear()

    def flush_if_due(self) -> None:
        if time.monotonic() - self._written >= settings.SCAN_COUNT_FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        from qrplates.models import PlateScanDay

        with self._lock:
            taken, self._pending = self._pending, Counter()
            self._written = time.monotonic()
        if not taken:
            return
        try:
            PlateScanDay.objects.record_many(taken)
        except DatabaseError:
            logger.warning("Scan counts kept for later: the database cannot be written")
            with self._lock:
                self._pending.update(taken)


scan_buffer = ScanBuffer()
atexit.register(lambda: scan_buffer.pending() and scan_buffer.flush())


def after_sending(response: HttpResponseBase, task: Callable[[], None]) -> None:
    """Runs `task` once the page is on its way: the WSGI server calls the response's `close()`
    after sending the last byte, so the visitor never waits for the task (a commit, with its
    disk flush). Django's own closing (connections, `request_finished`) still runs after it."""
    close = response.close

    def task_then_close() -> None:
        try:
            task()
        finally:
            close()

    response.close = task_then_close


def count_scan_after_sending(
    request: HttpRequest, response: HttpResponseBase, plate_id: int
) -> None:
    """Counts the scan of a plate if a person made it (see `counts_as_scan`) and it is their
    first in the window (see `first_in_window`), once the page is on its way."""
    if counts_as_scan(request):
        client = (client_ip(request), request.META.get("HTTP_USER_AGENT", ""))

        def count() -> None:
            if first_in_window(plate_id, *client):
                scan_buffer.add(plate_id)
            scan_buffer.flush_if_due()

        after_sending(response, count)


def first_in_window(plate_id: int, address: str, user_agent: str) -> bool:
    """Whether a scan adds to the plate's count: a client (address and browser) counts once per
    plate in each SCAN_COUNT_WINDOW_SECONDS, however often they reload the page, and an address
    adds at most SCAN_COUNT_PER_ADDRESS to a plate in a window. Phones sharing one carrier
    address (common on mobile networks) are told apart by their browsers; a script that changes
    its user agent on every request is not counted without end.

    The client is kept under a salted hash that expires with the window (`lib.ratelimits`):
    nothing about the visitor is stored. With the cache down, each process counts on its own,
    and the scan is still counted."""
    window = settings.SCAN_COUNT_WINDOW_SECONDS
    if not ratelimits.first_time(f"scan:{plate_id}", address, user_agent, window=window):
        return False
    from_address = ratelimits.count(f"scan-address:{plate_id}", address, window=window)
    return from_address <= settings.SCAN_COUNT_PER_ADDRESS
