"""How often a client may ask: per address for anonymous clients, fewer whole-list exports, more
for staff accounts. The rates are settings (API_THROTTLE_*)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from api.renderers import EXPORT_FORMATS
from lib import ratelimits
from lib.http import client_ip


class ClientThrottle:
    """What our throttles share: the client's address read as every limit of the site reads it
    (`client_ip`: behind our own proxies only), kept under a pseudonym rather than as the
    address, and counted in `ratelimits.counters`, which keeps counting in the process's memory
    when the shared cache (Redis) is down rather than failing the request."""

    cache = ratelimits.counters

    def get_ident(self, request: Request) -> str:
        return ratelimits.pseudonym(client_ip(request), period=ratelimits.DAY)


class AnonymousThrottle(ClientThrottle, AnonRateThrottle):
    def get_rate(self) -> str:
        return settings.API_THROTTLE_ANON


class ExportThrottle(ClientThrottle, AnonRateThrottle):
    """Whole-list exports (CSV, GeoJSON) cost a second or two of server time each, against a
    few milliseconds for a page: an anonymous client gets fewer of them."""

    scope = "export"

    def get_rate(self) -> str:
        return settings.API_THROTTLE_EXPORT

    def allow_request(self, request: Request, view: Any) -> bool:
        renderer = getattr(request, "accepted_renderer", None)
        if getattr(renderer, "format", None) not in EXPORT_FORMATS:
            return True
        return super().allow_request(request, view)


class StaffThrottle(ClientThrottle, UserRateThrottle):
    def get_rate(self) -> str:
        return settings.API_THROTTLE_STAFF
