"""How much a request may send: a body longer than its sender may send is refused with 413 by
its declared length (Content-Length), before any of it is read.

Django's own limits do not do this. DATA_UPLOAD_MAX_MEMORY_SIZE counts only the fields of a form
that are not files, and the files of a multipart body are streamed to temporary files as they
arrive: a 300 MB anonymous POST was written to disk in full before the photo's 10 MB check could
refuse it. Django never reads past Content-Length (a body without one is read as empty), so the
declared length bounds everything it reads.

Visitors may send MAX_REQUEST_BODY_MB, staff MAX_STAFF_REQUEST_BODY_MB (several photos at once in
the admin, a spreadsheet). Staff are known by their session only: an API token is read inside the
API's views, after this, so a token's writes (JSON, no files) have the visitors' limit. The web
server in front caps bodies with the same numbers (docs/operations.md) and answers first; this is
for everything that reaches the app without it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _

MB = 1024 * 1024


def declared_length(request: HttpRequest) -> int:
    """The body's declared length, as Django reads it (anything but a number is no body)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def body_limit(request: HttpRequest) -> int:
    """The most `request`'s sender may send, in bytes."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return settings.MAX_STAFF_REQUEST_BODY_MB * MB
    return settings.MAX_REQUEST_BODY_MB * MB


class RequestBodyLimitMiddleware:
    """Answers 413 to a request whose declared body is longer than `body_limit`, without reading
    it. Placed after the authentication middleware (staff may send more) and before anything
    that reads the body (the CSRF check reads the form)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        length = declared_length(request)
        # Only a body over the visitors' limit needs to know who sent it (a session read).
        if length > settings.MAX_REQUEST_BODY_MB * MB:
            limit = body_limit(request)
            if length > limit:
                return too_large(request, length, limit)
        return self.get_response(request)


def too_large(request: HttpRequest, length: int, limit: int) -> HttpResponse:
    """413, in the request's language: the API's JSON error, or a page for people."""
    sizes = {"size": round(length / MB, 1), "limit": limit // MB}
    if request.path_info.startswith("/api/"):
        detail = _("The request is %(size)s MB; at most %(limit)s MB is accepted.") % sizes
        response = JsonResponse({"status": 413, "code": "too_large", "detail": detail}, status=413)
        response["Content-Language"] = translation.get_language()
    else:
        # Like the error page, nothing in it can fail: no request context, no database.
        page = loader.get_template("413.html").render(sizes)
        response = HttpResponse(page, status=413)
    response["Cache-Control"] = "no-store"
    return response
