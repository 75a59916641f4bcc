"""HTTP helpers shared by the apps: the client's address behind our proxies, the
Permissions-Policy header (the middleware that sets it, and the decorator a view uses to allow a
feature for itself), and compression that leaves byte-range downloads alone."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware

# How long a client is told to wait (Retry-After) when the database cannot be reached: the pages'
# 503 (streetinfo/errors.py) and the API's (api/errors.py) say the same.
RETRY_AFTER_S = 60


def client_ip(request: HttpRequest) -> str:
    """The client's address: the connection's, or with NUM_PROXIES reverse proxies in front, the
    address the nearest of them saw (the N-th from the right of X-Forwarded-For, as Django REST
    framework's throttles read it). What a client writes into X-Forwarded-For itself is further
    left and never used; anything that is not an address falls back to the connection's. The
    header is read only on a connection from one of our proxies (FORWARDED_ALLOW_IPS): a
    client that reaches the app server directly is its own address, whatever it writes."""
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    count = settings.NUM_PROXIES
    if count and forwarded and is_our_proxy(remote):
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            candidate = hops[-min(count, len(hops))]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return remote


def is_our_proxy(address: str) -> bool:
    """Whether a connection from `address` comes from one of our proxies (FORWARDED_ALLOW_IPS,
    as gunicorn reads it: `*` for any; a Unix socket, which has no address, is local)."""
    networks = _networks(tuple(settings.FORWARDED_ALLOW_IPS))
    if networks is None:
        return True
    try:
        peer = ipaddress.ip_address(address)
    except ValueError:
        return True
    return any(peer in network for network in networks)


@functools.lru_cache(maxsize=4)
def _networks(values: tuple[str, ...]) -> list | None:
    if "*" in values:
        return None
    return [ipaddress.ip_network(value, strict=False) for value in values]


# --- Permissions-Policy -------------------------------------------------------------------------


def _allowlist(origins: tuple[str, ...] | list[str] | str) -> str:
    if isinstance(origins, str):
        origins = (origins,)
    return "(" + " ".join(origins) + ")"


def build_permissions_policy(features: dict) -> str:
    """`{"geolocation": ("self",), "camera": ()}` -> `geolocation=(self), camera=()`."""
    return ", ".join(f"{name}={_allowlist(origins)}" for name, origins in features.items())


def permissions_policy(**features: tuple[str, ...] | str) -> Callable:
    """View decorator: this view's responses let the browser use `features` (underscores for
    dashes: `@permissions_policy(geolocation="self")`), the rest of settings.PERMISSIONS_POLICY
    unchanged."""
    overrides = {name.replace("_", "-"): origins for name, origins in features.items()}

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = view(request, *args, **kwargs)
            response._permissions_policy = overrides
            return response

        return wrapped

    return decorator


class PermissionsPolicyMiddleware:
    """Adds `Permissions-Policy` (settings.PERMISSIONS_POLICY, with a view's own overrides) to
    every response that does not set one itself. The header is the same for every visitor of a
    page, so cached pages may carry it."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        self.default = build_permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Permissions-Policy" not in response:
            overrides = getattr(response, "_permissions_policy", None)
            response["Permissions-Policy"] = (
                build_permissions_policy({**settings.PERMISSIONS_POLICY, **overrides})
                if overrides
                else self.default
            )
        return response


class RangeAwareGZipMiddleware(GZipMiddleware):
    """Django's gzip, except for a response that offers byte ranges (Accept-Ranges: a print
    batch's stored ZIP): it goes as stored, with its Content-Length, so a download resumes.
    Compressing it would drop both, for an archive that does not get smaller."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.has_header("Accept-Ranges"):
            return response
        return super().process_response(request, response)
