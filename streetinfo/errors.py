"""The page shown when something fails on the server, in every language, with nothing in it that
could fail again (no database, no session, no request context processors). When the failure is
the database being unreachable, the answer is 503 with Retry-After: the visitor, a proxy and a
monitor all learn that it is temporary. The page cache serves its last copy before this page is
ever seen (edge/pagecache.py). Under /api/ the answer is the API's JSON error instead (the
API's own handler, api.errors.exception_handler, answers for everything inside its views)."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from lib.http import RETRY_AFTER_S


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    error = sys.exc_info()[1]
    unavailable = isinstance(error, OperationalError | InterfaceError)
    status = 503 if unavailable else 500
    if request.path_info.startswith("/api/"):
        from api.errors import ERROR_MESSAGES

        code = "unavailable" if unavailable else "error"
        detail = str(ERROR_MESSAGES[code]) % {"seconds": RETRY_AFTER_S}
        response = JsonResponse({"status": status, "code": code, "detail": detail}, status=status)
    else:
        content = loader.get_template("500.html").render({"unavailable": unavailable})
        response = HttpResponse(content, status=status)
    response["Cache-Control"] = "no-store"
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_S)
    return response
