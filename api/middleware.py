"""The API's CORS: any web page may read the open data; none may write through a visitor's
browser. Runs before everything else but the health checks (settings.MIDDLEWARE), so that its
headers reach every API response, errors and preflights included. Then its caching: who may keep
an answer, and for how long."""

from __future__ import annotations

from corsheaders.middleware import CorsMiddleware
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from rest_framework.permissions import SAFE_METHODS


class ReadOnlyCorsMiddleware(CorsMiddleware):
    """CORS headers on the API's reads only. A web page elsewhere may fetch our data, but a
    browser never gets our blessing to send a write (preflights list only GET, HEAD, OPTIONS,
    and a write's response carries no Access-Control-Allow-Origin)."""

    def is_enabled(self, request: HttpRequest) -> bool:
        return request.method in SAFE_METHODS and super().is_enabled(request)


class SharedCacheMiddleware:
    """How long, and by whom, an API answer to a read may be kept: the one place that decides.

    - A request that carries credentials (a token, or a session cookie: staff signed in to the
      admin) gets `private, no-store`, whatever the answer: no shared cache may store it, so a
      staff member's answer, drafts included, can never be served to the public.
    - An anonymous 200 (or 304) whose content the address alone determines (`?lang=` given, or
      no language at all: the catalogue, the bulk files) is `public` for API_CACHE_SECONDS,
      varying on nothing a visitor's browser makes unique: not on `Cookie` (the answer does not
      depend on it) nor on `Accept-Language`. A shared cache keeps one copy per address.
    - An anonymous answer whose language came from Accept-Language is `private` (the browser may
      keep it): a shared cache would otherwise keep one copy per Accept-Language string.
    - Anything else (errors, 429 with its per-client count) is `no-store`.

    It sits outside the session and locale middleware (settings.MIDDLEWARE), which add `Cookie`
    and `Accept-Language` to Vary on their way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path_info.startswith("/api/") and request.method in ("GET", "HEAD"):
            response["Cache-Control"] = cache_control(request, response)
            if "public" in response["Cache-Control"]:
                patch_vary(response, drop={"cookie", "accept-language"}, add=["Authorization"])
        return response


def has_credentials(request: HttpRequest) -> bool:
    return "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES


def cache_control(request: HttpRequest, response: HttpResponse) -> str:
    if has_credentials(request):
        return "private, no-store"
    if response.status_code not in (200, 304):
        return "no-store"
    seconds = settings.API_CACHE_SECONDS
    language_in_address = "lang" in request.GET or not response.has_header("Content-Language")
    if language_in_address:
        return f"public, max-age={seconds}, s-maxage={seconds}"
    return f"private, max-age={seconds}"


def patch_vary(response: HttpResponse, *, drop: set[str], add: list[str]) -> None:
    kept = [
        name.strip()
        for name in response.get("Vary", "").split(",")
        if name.strip() and name.strip().lower() not in drop
    ]
    del response["Vary"]
    patch_vary_headers(response, [*kept, *add])
