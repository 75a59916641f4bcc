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
    """Who may keep an API answer to a read, and for how long (the rule: `cache_control`).

    The API's views state it (`ApiViewMixin.finalize_response`, so that a 304 carries it too);
    this middleware then makes sure of two things on the way out, outside the session and
    locale middleware that add `Cookie` and `Accept-Language` to Vary:
    - an answer to a request that carries credentials (a token, or a session cookie: staff
      signed in to the admin) is `private, no-store`, whatever any view said: no shared cache
      may store it, so a staff member's answer, drafts included, is never served to the public;
    - a `public` answer does not vary on what a visitor's browser makes unique, `Cookie` and
      `Accept-Language` (its content depends on neither): a shared cache keeps one copy per
      address. It varies on `Authorization`, which anonymous clients never send, so that a
      cache never answers a token's request with the anonymous copy.
    Any other answer under /api/ (the schema, its docs, redirects) is `no-store` unless its
    view said otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path_info.startswith("/api/") and request.method in ("GET", "HEAD"):
            if has_credentials(request):
                response["Cache-Control"] = PRIVATE
            elif "public" in response.get("Cache-Control", ""):
                patch_vary(response, drop={"cookie", "accept-language"}, add=["Authorization"])
            else:
                response.headers.setdefault("Cache-Control", "no-store")
        return response


PRIVATE = "private, no-store"


def has_credentials(request: HttpRequest) -> bool:
    return "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES


def cache_control(
    request: HttpRequest, response: HttpResponse, *, language_in_address: bool
) -> str:
    """- Staff (credentials sent): `private, no-store`.
    - An anonymous 200 or 304 whose content the address alone decides (`?lang=` given, or no
      language at all: the catalogue, the bulk files): `public` for API_CACHE_SECONDS, in
      browsers and shared caches alike.
    - An anonymous answer whose language came from Accept-Language: `private` (the browser may
      keep it); a shared cache would otherwise keep one copy per Accept-Language string.
    - Anything else (errors; a 429 and its per-client count): `no-store`."""
    if has_credentials(request):
        return PRIVATE
    if response.status_code not in (200, 304):
        return "no-store"
    seconds = settings.API_CACHE_SECONDS
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
