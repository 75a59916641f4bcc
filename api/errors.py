"""Every API error is JSON with one shape, {status, code, detail, errors?}, in the request's
language: DRF's exception handler (settings.REST_FRAMEWORK) and the wording clients meet most."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import set_rollback

from lib.http import RETRY_AFTER_S

logger = logging.getLogger("django.request")


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    code = serializers.CharField(
        help_text="Stable machine-readable reason: invalid, not_found, not_authenticated, "
        "authentication_failed, permission_denied, throttled, not_acceptable, "
        "unsupported_media_type, parse_error, method_not_allowed, too_large, unavailable, "
        "file_unavailable, error."
    )
    detail = serializers.CharField(help_text="What went wrong, in the request's language.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text='With status 400: the messages for each parameter or field ("name.vi").',
    )


def flat_errors(detail: Any, field: str = "") -> dict[str, list[str]]:
    """{"name": {"vi": ["…"]}} -> {"name.vi": ["…"]}."""
    if isinstance(detail, dict):
        found: dict[str, list[str]] = {}
        for key, value in detail.items():
            for name, messages in flat_errors(
                value, f"{field}.{key}" if field else str(key)
            ).items():
                found.setdefault(name, []).extend(messages)
        return found
    if isinstance(detail, list):
        found = {}
        for item in detail:
            for name, messages in flat_errors(item, field).items():
                found.setdefault(name, []).extend(messages)
        return found
    return {field or "non_field_errors": [str(detail)]}


# Our wording, in the request's language, for the errors clients meet most (DRF's own catalogue
# has few Vietnamese translations). Validation messages, and messages our code wrote, are kept.
ERROR_MESSAGES = {
    "not_authenticated": _("This needs a staff token: send the header Authorization: Token <key>."),
    "authentication_failed": _(
        "The token is not valid: check the header (Authorization: Token <key>) and that the "
        "account is active."
    ),
    "not_found": _("Not found: no published record has this address."),
    "permission_denied": _("Your account may not do this."),
    "method_not_allowed": _("This address does not accept the method %(method)s."),
    "not_acceptable": _(
        "This endpoint cannot answer in the format the Accept header asks for; ask with "
        "?format= instead."
    ),
    "unsupported_media_type": _("Send the body as JSON, with Content-Type: application/json."),
    "parse_error": _("The body is not valid JSON."),
    "throttled": _("Too many requests: try again in %(seconds)s seconds."),
    "error": _("Something went wrong on our side; it has been logged. Please try again later."),
    "unavailable": _(
        "The open data is briefly unavailable: its database cannot be reached. Try again in "
        "%(seconds)s seconds."
    ),
}
ALWAYS_OURS = {
    "not_authenticated",
    "authentication_failed",
    "method_not_allowed",
    "not_acceptable",
    "unsupported_media_type",
    "parse_error",
    "throttled",
    "error",
    "unavailable",
}


def error_message(exc: exceptions.APIException, code: str, request: Request) -> str:
    if code not in ERROR_MESSAGES or (
        code not in ALWAYS_OURS and str(exc.detail) != str(exc.default_detail)
    ):
        return str(exc.detail)
    return str(ERROR_MESSAGES[code]) % {
        "method": request.method,
        "seconds": int(getattr(exc, "wait", None) or 1),
    }


class Unavailable(exceptions.APIException):
    """The database cannot be reached: a 503 that says when to try again, as the pages do
    (streetinfo/errors.py), not a 500 that says something is broken."""

    status_code = 503
    default_code = "unavailable"
    default_detail = ERROR_MESSAGES["unavailable"]
    wait = RETRY_AFTER_S


class FileUnavailable(exceptions.APIException):
    """A bulk file not built yet (a worker is building it) or that storage cannot give now."""

    status_code = 503
    default_code = "file_unavailable"
    default_detail = _(
        "This file is being built or cannot be read right now. Try again in a minute."
    )
    wait = 60


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler with one body for every error: {status, code, detail, errors?}."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, OperationalError | InterfaceError):
        logger.error("Database unreachable: %s", exc, extra={"status_code": 503})
        exc = Unavailable()
    elif not isinstance(exc, exceptions.APIException):
        if settings.DEBUG:
            return None  # Django's debug page, with the traceback
        request = context["request"]
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exc,
            extra={"status_code": 500, "request": request._request},
        )
        exc = exceptions.APIException()

    body: dict[str, Any] = {"status": exc.status_code}
    if isinstance(exc, exceptions.ValidationError):
        errors = flat_errors(exc.detail)
        body["code"] = "invalid"
        body["detail"] = "; ".join(
            message if name == "non_field_errors" else f"{name}: {message}"
            for name, messages in errors.items()
            for message in messages
        )
        body["errors"] = errors
    else:
        body["code"] = getattr(exc.detail, "code", None) or exc.default_code
        body["detail"] = error_message(exc, body["code"], context["request"])

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)
