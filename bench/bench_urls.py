"""The portal's URLs plus /bench/floor/: a view that answers constant bytes (by default the same
bytes as a scan page, from BENCH_FLOOR_FILE) through the whole middleware stack. What Django
costs with no work in the view: the framework floor. Never in the production URLs."""

import functools
import os
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import path

from streetinfo.urls import urlpatterns as portal


@functools.cache
def body() -> bytes:
    # Read on the first request: the bench writes the file after the server has started.
    name = os.environ.get("BENCH_FLOOR_FILE")
    return Path(name).read_bytes() if name else b"ok"


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(body(), content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/floor/", floor), *portal]
