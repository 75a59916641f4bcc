"""The scan path. `GET /Q/<code>` answers 200 with the record's page itself, in the visitor's
language: on a weak 3G signal every redirect is another round trip. Whatever happened to the
record since the plate was printed, the plate still leads somewhere useful, and no input, however
hostile, gets a 500."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import resolve, reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from qrplates import codes
from qrplates.models import Plate
from qrplates.scans import count_scan_after_sending, visitor_language
from qrplates.selectors import plate_landing
from sites.models import Person, Place, PublishableModel, Route, Status
from sites.selectors import NEARBY_LIMIT, nearby


@dataclass(frozen=True)
class PlateAddress:
    """A code as it reached us, read: `code` normalised (None when `typed` cannot be a plate
    code, `error` then says why), and `language`, the one the answer is given in."""

    typed: str
    code: str | None
    error: codes.CodeError | None
    language: str


def read_code(typed: str, language: str) -> PlateAddress:
    """`typed` read as a plate code (`codes.normalize`): a bad one is a 404 page that says what
    is wrong with it, not an exception."""
    try:
        return PlateAddress(typed, codes.normalize(typed), None, language)
    except codes.CodeError as error:
        return PlateAddress(typed, None, error, language)


def read_scan(request: HttpRequest, typed: str) -> PlateAddress:
    """What the scan `request` asks for, with the language `visitor_language` picks for it, read
    once per request: the page cache keys its copy with it (edge.pagecache) and, on a miss, the
    view answers from the same reading."""
    address = getattr(request, "plate_address", None)
    if address is None or address.typed != typed:
        address = request.plate_address = read_code(typed, visitor_language(request))
    return address


def as_if_requested(request: HttpRequest, path: str, query: str = "") -> HttpRequest:
    """A copy of `request` that looks as if it had been made for `path`: the page rendered for
    it is the page that address shows (its language switch, its links), not a look-alike."""
    proxy = copy.copy(request)
    proxy.path = proxy.path_info = path
    proxy.META = {**request.META, "PATH_INFO": path, "QUERY_STRING": query}
    proxy.GET = QueryDict(query)
    proxy.LANGUAGE_CODE = translation.get_language()
    return proxy


class KeptPages(Protocol):
    """Rendered record pages kept between scans, and when they stop being valid: the edge
    knows that (edge.pagecache, which installs itself as `kept_pages`); the scan path does not.

    `fetch(request, path)` returns (a copy of the page at `path` still valid for `request`, or
    None; and a token read before rendering, for `keep`). `keep(request, path, token, response)`
    keeps `response`, the page rendered after that `fetch`, if it may be kept."""

    def fetch(self, request: HttpRequest, path: str) -> tuple[HttpResponse | None, object]: ...

    def keep(
        self, request: HttpRequest, path: str, token: object, response: HttpResponse
    ) -> None: ...


# Installed by edge.pagecache (edge.apps); None renders every record page for every scan.
kept_pages: KeptPages | None = None


def record_page(request: HttpRequest, record: PublishableModel | Route) -> HttpResponse:
    """The record's page exactly as its own URL renders it.

    This is the scan path's one coupling to the public pages: the view that the record's
    language-prefixed URL resolves to is called with the request made to look as if it had been
    sent to that URL. Whatever that view becomes, a scan shows what it shows (canonical link and
    hreflang alternates included). Must run with the page language active.

    A page rendered for an earlier scan of any plate leading to the record is reused while
    it is valid (`kept_pages`): every scan still resolves its plate and its record and is
    counted; only the record's page is not rendered again."""
    path = record.get_absolute_url()
    kept, token = kept_pages.fetch(request, path) if kept_pages else (None, None)
    if kept is not None:
        return kept
    match = resolve(path)
    proxy = as_if_requested(request, path)
    proxy.resolver_match = match
    response = match.func(proxy, *match.args, **match.kwargs)
    if hasattr(response, "render"):
        response.render()  # now, while the page language is active
    if kept_pages:
        kept_pages.keep(request, path, token, response)
    return response


def nearby_places(record: PublishableModel) -> list[Place]:
    """Published places a visitor standing at this record's plate can go and read about: those
    near a place (`sites.selectors.nearby`), those linked to a person."""
    if isinstance(record, Place):
        return nearby(record).places
    if isinstance(record, Person):
        return list(Place.objects.published().for_list().linked_to([record])[:NEARBY_LIMIT])
    return []


def updating_page(request: HttpRequest, plate: Plate, record: PublishableModel) -> HttpResponse:
    """For a record back in draft or in review: the page says, in every language, that the
    information is being updated; for a withdrawn one, that it is withdrawn (no promise that it
    comes back). Both offer places nearby. Nothing of the record's own text is shown, not even
    its name: it is unpublished for a reason."""
    proxy = as_if_requested(request, reverse("plate-code"), f"code={plate.code}")
    context = {"nearby": nearby_places(record), "withdrawn": record.status == Status.WITHDRAWN}
    return render(proxy, "qrplates/updating.html", context)


def not_found_page(request: HttpRequest, typed: str, error: codes.CodeError | None) -> HttpResponse:
    """The 404 page, in every language, with the code box (showing what went wrong) and search."""
    shown = "".join(ch for ch in typed[: codes.MAX_INPUT_LENGTH] if ch.isprintable())
    query = QueryDict(mutable=True)
    query["code"] = shown
    proxy = as_if_requested(request, reverse("plate-code"), query.urlencode())
    context = {"code_value": shown, "code_problem": error.problem if error else "unknown"}
    if error is not None:
        context.update(code_length=error.length, code_characters=error.characters)
    return render(proxy, "404.html", context, status=404)


def plate_page(request: HttpRequest, address: PlateAddress, *, count: bool) -> HttpResponse:
    """What a code leads to, rendered in the active language."""
    if address.code is None:
        return not_found_page(request, address.typed, address.error)
    try:
        # Only what decides the landing: a published record's page is rendered (or reused) by
        # its own view, from its own queries.
        plate, record = plate_landing(address.code, lean=True)
    except Plate.DoesNotExist:
        return not_found_page(request, address.code, None)
    # The record's page offers the scanned plate's own links (report a problem with this plate;
    # "confirm installation" for an installer): templates read it from the request.
    request.scanned_plate = plate
    response = None
    route = plate.route if plate.route_id else None
    if route is not None and route.is_published:
        # A panel at the start of a walk: the walk's page.
        with contextlib.suppress(Http404):
            response = record_page(request, route)
    if response is None and record.is_published:
        # Http404: unpublished between our read and the view's, which is the same as withdrawn.
        with contextlib.suppress(Http404):
            response = record_page(request, record)
    if response is None or response.status_code != 200:
        # The page lists places near the record: all of it (plate_landing's lean read has its
        # page's address and status only).
        model = Place.model_for_kind(record.kind) if isinstance(record, Place) else Person
        record = model._base_manager.get(pk=record.pk)
        response = updating_page(request, plate, record)
    if count:
        count_scan_after_sending(request, response, plate.pk)
    return response


def in_visitors_language(
    request: HttpRequest, language: str, build: Callable[..., HttpResponse], *args, **kwargs
) -> HttpResponse:
    """`build`'s page in `language`, the one `visitor_language` picked for an address that names
    none."""
    with translation.override(language):
        response = build(request, *args, **kwargs)
    response.headers["Content-Language"] = language
    # Chosen by the cookie or Accept-Language: caches must keep one copy per choice.
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


@require_safe
def scan(request: HttpRequest, code: str) -> HttpResponse:
    """`/Q/<code>` and `/q/<code>`, any letter case, with or without a trailing slash."""
    address = read_scan(request, code)
    return in_visitors_language(request, address.language, plate_page, address, count=True)


def entry_page(request: HttpRequest) -> HttpResponse:
    if "code" in request.GET:
        address = read_code(request.GET["code"], translation.get_language())
        return plate_page(request, address, count=False)
    proxy = as_if_requested(request, reverse("plate-code"))
    return render(proxy, "qrplates/enter.html")


@require_safe
def enter(request: HttpRequest) -> HttpResponse:
    """`/vi/code/`, `/en/code/`: the "type the code on the plate" page, for a phone that cannot
    scan. `?code=` shows what the code leads to, on this address (typed codes are not counted
    as scans). Its language is the one in the address."""
    return entry_page(request)


@require_safe
def enter_short(request: HttpRequest) -> HttpResponse:
    """`/Q/`: the same page for someone who typed the plate's address without the code."""
    return in_visitors_language(request, visitor_language(request), entry_page)
