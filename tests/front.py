"""The WSGI app as production's front web server hands it requests, for tests that call the app
without Django's test client (the live server of the browser tests, the API fuzzing)."""

from collections.abc import Callable

from django.conf import settings


def through_front_server(application: Callable) -> Callable:
    """Each request addressed to a host the settings allow (the front server answers only the
    site's names) and, when the settings name SECURE_PROXY_SSL_HEADER, marked as HTTPS: TLS ends
    at the front server in production."""

    def handle(environ, start_response):
        environ = dict(environ)
        hosts = [host for host in settings.ALLOWED_HOSTS if host not in {"*", "testserver"}]
        if hosts and environ.get("HTTP_HOST", "").partition(":")[0] not in hosts:
            environ["HTTP_HOST"] = hosts[0].lstrip(".")
        if settings.SECURE_PROXY_SSL_HEADER:
            header, value = settings.SECURE_PROXY_SSL_HEADER
            environ[header] = value
        return application(environ, start_response)

    return handle
