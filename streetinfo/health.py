"""Health probes for load balancers and container runtimes: `/healthz` and `/readyz`.

Answered by the first middleware, before anything else runs: a probe must never create a session,
set a cookie, pick a language or be refused by ALLOWED_HOSTS (a load balancer asks with the
container's own address as Host). The answers are for machines and operators, in English, and
never cached.

- `/healthz`: the process is up and serving requests; the database is not touched, so a database
  outage does not make an orchestrator restart every app server at once.
- `/readyz`: the database answers `SELECT 1`; 503 with the reason otherwise, so a load balancer
  takes the server out of rotation until it can serve again.
"""

import logging
from collections.abc import Callable

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

PROBE_METHODS = frozenset({"GET", "HEAD"})


def healthz() -> HttpResponse:
    return JsonResponse({"status": "ok"})


def readyz() -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        # The first line is enough for an operator; a driver's full text can run to pages.
        reason = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
        logger.warning("readyz: database unreachable: %s", reason)
        return JsonResponse(
            {"status": "unavailable", "reason": f"database unreachable: {reason}"}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok"})


PROBES: dict[str, Callable[[], HttpResponse]] = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    """Answers the probes itself; every other request passes through untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info.rstrip("/") or "/")
        if probe is None:
            return self.get_response(request)
        if request.method not in PROBE_METHODS:
            response = HttpResponse(status=405)
            response["Allow"] = "GET, HEAD"
        else:
            response = probe()
        response["Cache-Control"] = "no-store"
        return response
