"""Pages rendered by the portal for itself, through Django exactly as a visitor's request is
(the same views, templates, middleware and headers): static mode's files and the page cache's
warming after a publish."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

# A renderer, not a person: its requests are never counted as scans.
USER_AGENT = "Streetinfo render_static (+https://github.com/streetinfo)"


def renderer(**headers: str):
    """A client that asks the portal for pages as the public site's address
    (PUBLIC_BASE_URL) is asked, anonymously, with `headers` on every request."""
    # Django's test client renders a page exactly as a request would, headers included.
    from django.test import Client

    base = urlsplit(settings.PUBLIC_BASE_URL)
    secure = base.scheme == "https"
    # Behind a TLS-ending proxy, Django knows https from the proxy's header only.
    proxy = settings.SECURE_PROXY_SSL_HEADER if secure else None
    return Client(
        HTTP_HOST=base.netloc,
        HTTP_USER_AGENT=USER_AGENT,
        secure=secure,
        raise_request_exception=False,
        **({proxy[0]: proxy[1]} if proxy else {}),
        **headers,
    )
