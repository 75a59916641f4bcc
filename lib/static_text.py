"""The text of a file in the project's static folder, for what is inlined in a response rather
than linked: the critical CSS in every page's <head>, the service worker's code."""

from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders


@cache
def _read(path: str) -> str:
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(f"static file {path!r} not found")
    with open(found, encoding="utf-8") as handle:
        return handle.read()


def static_text(path: str) -> str:
    """Read once per process in production; every time with DEBUG on, so edits show at once."""
    if settings.DEBUG:
        _read.cache_clear()
    return _read(path)
