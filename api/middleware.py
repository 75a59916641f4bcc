"""The API's CORS: any web page may read the open data; none may write through a visitor's
browser. Runs before everything else but the health checks (settings.MIDDLEWARE), so that its
headers reach every API response, errors and preflights included."""

from __future__ import annotations

from corsheaders.middleware import CorsMiddleware
from django.http import HttpRequest
from rest_framework.permissions import SAFE_METHODS


class ReadOnlyCorsMiddleware(CorsMiddleware):
    """CORS headers on the API's reads only. A web page elsewhere may fetch our data, but a
    browser never gets our blessing to send a write (preflights list only GET, HEAD, OPTIONS,
    and a write's response carries no Access-Control-Allow-Origin)."""

    def is_enabled(self, request: HttpRequest) -> bool:
        return request.method in SAFE_METHODS and super().is_enabled(request)
