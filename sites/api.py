"""The open-data API, /api/v1/: published places, people and communes for anyone, as JSON,
GeoJSON or CSV; writes for the Department's other systems with a staff token.

Reads start from what the account may read (`sites.roles`): for anonymous clients, print shops,
installers and the steering committee that is `published()`, like the public pages, so a draft
never appears, not in a list, a filter, an export or a detail; an editor also reads the
unpublished records of their communes, a reviewer every record. Errors are JSON in the request's
language. The schema (/api/schema/) and its docs (/api/docs/) are generated from these classes;
`sites/api.md` is the schema's introduction.
"""

from __future__ import annotations

import logging
from typing import Any

from corsheaders.middleware import CorsMiddleware
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError, models
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from django.urls import include, path, re_path
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csp import csp_override
from django.views.generic import RedirectView
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiTypes,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, AllowAny, BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import set_rollback

from lib import ratelimits
from lib.http import client_ip
from qrplates import codes
from qrplates.models import Plate
from sites import roles
from sites.filters import PersonFilter, PlaceFilter, PlateFilter, UnitFilter
from sites.models import AdminUnit, Person, PersonLink, Place, PublishableModel, Status, Street
from sites.renderers import (
    EXPORT_FORMATS,
    CSVRenderer,
    GeoJSONRenderer,
    feature,
    feature_collection,
    multipolygon,
    point,
)
from sites.serializers import (
    LANGUAGE_CODES,
    InLanguage,
    PersonDetailSerializer,
    PersonInputSerializer,
    PersonSerializer,
    PlaceDetailSerializer,
    PlaceInputSerializer,
    PlaceSavedSerializer,
    PlaceSerializer,
    PlateSerializer,
    UnitSerializer,
    record_save,
)
from streetinfo.errors import RETRY_AFTER_S

logger = logging.getLogger("django.request")

ALL_LANGUAGES = "all"


# --- access: who may do what, how often, from where ----------------------------------------------


class ReadOnlyCorsMiddleware(CorsMiddleware):
    """CORS headers on the API's reads only. A web page elsewhere may fetch our data, but a
    browser never gets our blessing to send a write (preflights list only GET, HEAD, OPTIONS,
    and a write's response carries no Access-Control-Allow-Origin)."""

    def is_enabled(self, request: HttpRequest) -> bool:
        return request.method in SAFE_METHODS and super().is_enabled(request)


def is_staff(request: Request) -> bool:
    user = request.user
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


class StaffCanWrite(BasePermission):
    """Reads for anyone; writes for active staff accounts (token or admin session), further
    limited per kind of record by the same model permissions as the admin."""

    message = _("Only staff accounts may change records.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in SAFE_METHODS or is_staff(request)


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


# --- errors: always JSON, always with a message --------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    code = serializers.CharField(
        help_text="Stable machine-readable reason: invalid, not_found, not_authenticated, "
        "authentication_failed, permission_denied, throttled, not_acceptable, "
        "unsupported_media_type, parse_error, method_not_allowed, too_large, unavailable, "
        "error."
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


# --- the shared behaviour of every endpoint ------------------------------------------------------


class FormatNegotiation(DefaultContentNegotiation):
    """An explicit `?format=` wins over the Accept header (a link to a CSV export must give a
    CSV whatever the browser sends); an unknown format is a 400 that names the known ones."""

    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        wanted = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if wanted is not None:
            for renderer in renderers:
                if renderer.format == wanted:
                    return renderer, renderer.media_type
            known = ", ".join(renderer.format for renderer in renderers)
            raise exceptions.ValidationError(
                {
                    "format": _("Unknown format “%(format)s”: use %(known)s.")
                    % {"format": wanted, "known": known}
                }
            )
        return super().select_renderer(request, renderers, format_suffix)


class PagePagination(PageNumberPagination):
    page_size_query_param = "page_size"
    invalid_page_message = _("This page number is past the last page.")
    page_query_description = "Page number, from 1."
    page_size_query_description = "Results per page."

    def get_page_size(self, request: Request) -> int:
        return self.number_param(
            request, self.page_size_query_param, settings.API_PAGE_SIZE, settings.API_MAX_PAGE_SIZE
        )

    def get_page_number(self, request: Request, paginator: Any) -> int:
        return self.number_param(request, self.page_query_param, 1, None)

    def check_parameters(self, request: Request) -> None:
        self.get_page_size(request)
        self.get_page_number(request, None)

    def number_param(self, request: Request, name: str, default: int, maximum: int | None) -> int:
        raw = request.query_params.get(name)
        if raw is None:
            return default
        number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else 0
        if number < 1 or (maximum is not None and number > maximum):
            message = (
                _("Give a whole number from 1 to %(maximum)s.") % {"maximum": maximum}
                if maximum
                else _("Give a whole number from 1.")
            )
            raise exceptions.ValidationError({name: message})
        return number

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = settings.API_MAX_PAGE_SIZE
                parameter["schema"]["default"] = settings.API_PAGE_SIZE
        return parameters


class ListFilterBackend(DjangoFilterBackend):
    """django-filter on lists only (a detail is found by its id alone), plus the distance order
    of `near`, which is a list computed in Python rather than a queryset."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> Any:
        if getattr(view, "action", None) != "list":
            return queryset
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise exceptions.ValidationError(
                {name: [str(e) for e in errors] for name, errors in filterset.errors.items()}
            )
        results = filterset.qs
        near = getattr(filterset, "near_point", lambda: None)()
        if near is None:
            return results
        lat, lon, radius = near
        places = []
        for place, distance in results.near(lat, lon, radius):
            place.distance_m = round(distance, 1)
            places.append(place)
        return places


LANGUAGE_PARAMETERS = [
    OpenApiParameter(
        "lang",
        str,
        enum=[*LANGUAGE_CODES, ALL_LANGUAGES],
        description="Language of texts, labels and page addresses. Without it, the "
        "Accept-Language header decides (Vietnamese when neither says). `all` gives every "
        "translation: each such field becomes an object keyed by language code.",
    ),
    OpenApiParameter(
        "Accept-Language",
        str,
        location=OpenApiParameter.HEADER,
        description="The language wanted when `lang` is not given, e.g. `en-GB,en;q=0.9`.",
    ),
]


class ApiSchema(AutoSchema):
    """Adds what every operation shares: the language parameter and the error responses."""

    def get_override_parameters(self) -> list:
        return [*super().get_override_parameters(), *LANGUAGE_PARAMETERS]

    def _get_filter_parameters(self) -> list[dict]:
        # drf-spectacular drops a filter's help_text when its type comes from
        # @extend_schema_field (bbox, near, radius, unit, updated_since): put it back.
        parameters = super()._get_filter_parameters()
        filters = getattr(getattr(self.view, "filterset_class", None), "base_filters", {})
        for parameter in parameters:
            declared = filters.get(parameter["name"])
            if declared is not None and not parameter.get("description"):
                parameter["description"] = str(declared.extra.get("help_text", ""))
        return parameters

    def _get_format_parameters(self) -> list[dict]:
        parameters = super()._get_format_parameters()
        for parameter in parameters:
            parameter["description"] = (
                "json: pages of results (the default). csv: the whole filtered list as a "
                "spreadsheet, UTF-8 with BOM. geojson: the whole filtered list as an RFC 7946 "
                "FeatureCollection. Wins over the Accept header."
            )
        return parameters

    def get_auth(self) -> list[dict]:
        auths = super().get_auth()
        if self.method in SAFE_METHODS and {} not in auths:
            auths.append({})  # reads need no authentication
        return auths

    def error_statuses(self) -> dict[int, str]:
        errors = {
            400: "A parameter or field is invalid: `errors` names each one.",
            429: "Too many requests: wait the number of seconds in Retry-After.",
            503: "The database cannot be reached just now: try again after Retry-After seconds.",
        }
        if self.method == "GET":
            errors[406] = "The Accept header asks for a format this endpoint does not give."
            if self._is_list_view():
                errors[404] = "The page number is past the last page."
            else:
                errors[404] = "No record with this id (or it is not published)."
        else:
            errors[401] = "No valid token: send `Authorization: Token <key>`."
            errors[403] = "The account is not staff or lacks the permission for this kind."
            errors[415] = "The body is not JSON (send Content-Type: application/json)."
            errors[413] = "The body is longer than a request may send (MAX_REQUEST_BODY_MB)."
            if self.method in {"PATCH", "PUT"}:
                errors[404] = "No record with this id."
        return errors

    def _get_response_bodies(self, direction: str = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        error = self.resolve_serializer(ErrorSerializer, direction).ref
        for status, description in sorted(self.error_statuses().items()):
            responses.setdefault(
                str(status),
                {"description": description, "content": {"application/json": {"schema": error}}},
            )
        return responses


class ApiViewMixin:
    """Language, error format and content negotiation shared by every endpoint."""

    content_negotiation_class = FormatNegotiation
    permission_classes = [StaffCanWrite]
    throttle_classes = [AnonymousThrottle, ExportThrottle, StaffThrottle]
    schema = ApiSchema()
    language: str = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # The language chosen for this request is undone afterwards, whatever happens.
        with translation.override(translation.get_language()):
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            # Before the parameters are read: a wrong method is a 405 whatever they say.
            raise exceptions.MethodNotAllowed(request.method)
        self.language = self.requested_language(request)
        super().initial(request, *args, **kwargs)

    def requested_language(self, request: Request) -> str:
        """`?lang=` if given, else what LocaleMiddleware read from Accept-Language."""
        wanted = request.query_params.get("lang")
        if wanted is None:
            return translation.get_language() or settings.LANGUAGE_CODE
        if wanted == ALL_LANGUAGES:
            return ALL_LANGUAGES
        if wanted not in LANGUAGE_CODES:
            raise exceptions.ValidationError(
                {
                    "lang": _("Unknown language “%(lang)s”: use %(known)s.")
                    % {"lang": wanted, "known": ", ".join([*LANGUAGE_CODES, ALL_LANGUAGES])}
                }
            )
        translation.activate(wanted)
        return wanted

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        context["all_languages"] = self.language == ALL_LANGUAGES
        return context

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(response, Response) and response.exception:
            # Errors are JSON even when the request asked for CSV or GeoJSON.
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.language:
            response["Content-Language"] = (
                ", ".join(LANGUAGE_CODES) if self.language == ALL_LANGUAGES else self.language
            )
        return response


@extend_schema_serializer(many=False)
class FeatureCollectionSerializer(serializers.Serializer):
    """Documents the GeoJSON answer (it is built in the view, not by this serializer)."""

    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = serializers.ListField(
        child=serializers.DictField(),
        help_text="Features with `id`, `geometry` (a Point for places, longitude first, null "
        "without coordinates; a MultiPolygon for units) and flat `properties`: the list's "
        "fields, nested ones as `unit.code`, translations with lang=all as `name.vi`.",
    )


def list_responses(serializer: type[serializers.Serializer], *, geojson: bool) -> dict:
    responses: dict = {
        (200, "application/json"): serializer(many=True),
        (200, "text/csv"): OpenApiTypes.STR,
    }
    if geojson:
        responses[(200, "application/geo+json")] = FeatureCollectionSerializer
    return responses


class RecordViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A list (JSON pages, or the whole filtered list as CSV or GeoJSON) and a detail."""

    pagination_class = PagePagination
    filter_backends = [ListFilterBackend]
    renderer_classes = [JSONRenderer, CSVRenderer]
    export_name = ""
    csv_columns: list[str] | None = None

    def get_renderers(self) -> list[BaseRenderer]:
        if self.action == "list":
            return super().get_renderers()
        return [JSONRenderer()]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        records = self.filter_queryset(self.get_queryset())
        export = request.accepted_renderer.format
        if export != "json":
            # An export is the whole list, but a malformed page number is still an error.
            self.paginator.check_parameters(request)
        if export == "geojson":
            records = list(records)
            data = self.get_serializer(records, many=True).data
            features = [
                self.feature(record, item) for record, item in zip(records, data, strict=True)
            ]
            return Response(
                feature_collection(features),
                headers={"Content-Disposition": self.disposition("geojson", "inline")},
            )
        if export == "csv":
            self.csv_columns = csv_columns(
                self.get_serializer().fields, all_languages=self.language == ALL_LANGUAGES
            )
            return Response(
                self.get_serializer(records, many=True).data,
                headers={"Content-Disposition": self.disposition("csv", "attachment")},
            )
        page = self.paginate_queryset(records)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def disposition(self, extension: str, kind: str) -> str:
        today = timezone.localdate().isoformat()
        return f'{kind}; filename="streetinfo-{self.export_name}-{today}.{extension}"'

    def get_renderer_context(self) -> dict:
        return {**super().get_renderer_context(), "csv_columns": self.csv_columns}

    def feature(self, record: models.Model, data: dict) -> dict:
        raise NotImplementedError


def csv_columns(fields: dict, *, all_languages: bool, prefix: str = "") -> list[str]:
    """The CSV header of a list serializer: nested objects spread into `unit.code`-style columns
    and, with lang=all, a translated field into one column per language (`name.vi`, `name.en`).
    Written from the fields, not the rows, so that an empty export still has its header."""
    columns = []
    for name, field in fields.items():
        key = f"{prefix}{name}"
        if isinstance(field, serializers.Serializer):
            columns += csv_columns(field.fields, all_languages=all_languages, prefix=f"{key}.")
        elif isinstance(field, InLanguage) and all_languages:
            columns += [f"{key}.{code}" for code in LANGUAGE_CODES]
        else:
            columns.append(key)
    return columns


def public_person_links() -> Prefetch:
    return Prefetch(
        "person_links",
        queryset=PersonLink.objects.filter(person__status=Status.PUBLISHED).select_related(
            "person"
        ),
        to_attr="public_person_links",
    )


class WritableMixin:
    """POST to create, PATCH to change: staff systems only, validated as in the admin. No PUT
    (a partial record would blank the rest) and no DELETE: a plate on a pole may lead to the
    record, so a record leaves the public site by status=withdrawn, as in the admin."""

    input_serializer_class: type[serializers.Serializer]
    saved_serializer_class: type[serializers.Serializer]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = self.input_serializer_class(
            data=request.data, context=self.get_serializer_context()
        )
        values.is_valid(raise_exception=True)
        record = values.new_record()
        self.require_permission("add", record)
        record_save(record=record, values=values.validated_data, by=request.user)
        return self.saved(record, status=201)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.writable(self.get_object())
        self.require_permission("change", record)
        values = self.input_serializer_class(
            record, data=request.data, partial=True, context=self.get_serializer_context()
        )
        values.is_valid(raise_exception=True)
        record_save(record=record, values=values.validated_data, by=request.user)
        return self.saved(record, status=200)

    def writable(self, record: PublishableModel) -> PublishableModel:
        return record

    def require_permission(self, action: str, record: PublishableModel) -> None:
        """The admin's rule: staff may add or change a kind of record only with the model
        permission for it (a superuser has them all)."""
        opts = record._meta
        if not self.request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"):
            message = (
                _("Your account may not add %(kind)s.")
                if action == "add"
                else _("Your account may not change %(kind)s.")
            )
            raise exceptions.PermissionDenied(message % {"kind": opts.verbose_name_plural})

    def saved(self, record: PublishableModel, *, status: int) -> Response:
        fresh = self.get_queryset().get(pk=record.pk)
        fresh.warnings = record.location_problems() if isinstance(record, Place) else []
        data = self.saved_serializer_class(fresh, context=self.get_serializer_context()).data
        return Response(data, status=status, headers={"Location": str(data["api_url"])})


WRITE_NOTE = (
    " Staff only: send `Authorization: Token <key>` (tokens are made in the admin). The record "
    "is validated exactly as in the admin; nothing is saved when anything is wrong."
)


@extend_schema_view(
    list=extend_schema(
        summary="List places",
        description="Published streets, relics and scenic spots, 50 a page in id order (stable: "
        "new records go to the end). `format=geojson` gives the whole filtered list as an "
        "RFC 7946 FeatureCollection for QGIS or Leaflet; `format=csv` as a spreadsheet "
        "(UTF-8 with BOM).",
        responses=list_responses(PlaceSerializer, geojson=True),
    ),
    retrieve=extend_schema(
        summary="One place",
        description="A published place with the people linked to it, its sources, photos and, "
        "for streets, former names.",
        responses=PlaceDetailSerializer,
    ),
    create=extend_schema(
        summary="Create a place",
        description="`kind` says which: street, relic or scenic." + WRITE_NOTE,
        request=PlaceInputSerializer,
        responses={201: PlaceSavedSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a place",
        description="Only the fields sent change; a translated text changes only in the "
        "languages sent." + WRITE_NOTE,
        request=PlaceInputSerializer,
        responses={200: PlaceSavedSerializer},
    ),
)
class PlaceViewSet(WritableMixin, RecordViewSet):
    filterset_class = PlaceFilter
    renderer_classes = [JSONRenderer, CSVRenderer, GeoJSONRenderer]
    input_serializer_class = PlaceInputSerializer
    saved_serializer_class = PlaceSavedSerializer
    export_name = "places"

    def get_queryset(self) -> QuerySet[Place]:
        # A unit's boundary is a large JSON polygon that a place never shows: parsing it for
        # every row was a third of an export's time.
        places = Place.objects.with_details().defer("unit__boundary", "unit__bbox").order_by("id")
        # What the account may read; lists stay published unless they ask for other statuses.
        places = roles.places_visible(self.request.user, places)
        if self.action != "list":
            places = places.prefetch_related(
                public_person_links(), "sources", "photos", "street__former_names"
            )
        return places

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return PlaceSerializer if self.action == "list" else PlaceDetailSerializer

    def writable(self, record: Place) -> Place:
        return record.specific

    def feature(self, record: Place, data: dict) -> dict:
        return feature(id=data["id"], geometry=point(data["lon"], data["lat"]), properties=data)


@extend_schema_view(
    list=extend_schema(
        summary="List people",
        description="Published people linked to places, 50 a page in id order.",
        responses=list_responses(PersonSerializer, geojson=False),
    ),
    retrieve=extend_schema(
        summary="One person",
        description="A published person with the published places linked to them.",
        responses=PersonDetailSerializer,
    ),
    create=extend_schema(
        summary="Create a person",
        request=PersonInputSerializer,
        description=WRITE_NOTE.strip(),
        responses={201: PersonDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a person",
        description="Only the fields sent change." + WRITE_NOTE,
        request=PersonInputSerializer,
        responses={200: PersonDetailSerializer},
    ),
)
class PersonViewSet(WritableMixin, RecordViewSet):
    filterset_class = PersonFilter
    input_serializer_class = PersonInputSerializer
    saved_serializer_class = PersonDetailSerializer
    export_name = "people"

    def get_queryset(self) -> QuerySet[Person]:
        people = roles.people_visible(self.request.user, Person.objects.order_by("id"))
        if self.action != "list":
            people = people.prefetch_related(
                Prefetch(
                    "streets_named_after",
                    queryset=Street.objects.published().order_by("slug"),
                    to_attr="public_streets",
                ),
                Prefetch(
                    "links",
                    queryset=PersonLink.objects.filter(
                        place__status=Status.PUBLISHED
                    ).select_related("place"),
                    to_attr="public_place_links",
                ),
                "sources",
                "photos",
            )
        return people

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return PersonSerializer if self.action == "list" else PersonDetailSerializer


@extend_schema_view(
    list=extend_schema(
        summary="List communes and wards",
        description="The province's communes and wards (and the province itself), with former "
        "units kept for history (`current=false`). `format=geojson` gives their boundaries.",
        responses=list_responses(UnitSerializer, geojson=True),
    ),
    retrieve=extend_schema(
        summary="One commune or ward",
        responses=UnitSerializer,
        parameters=[
            OpenApiParameter(
                "code",
                str,
                OpenApiParameter.PATH,
                pattern=r"^[0-9]{1,10}$",
                description="The unit's official national code, e.g. 05986.",
            )
        ],
    ),
)
class UnitViewSet(RecordViewSet):
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    renderer_classes = [JSONRenderer, CSVRenderer, GeoJSONRenderer]
    lookup_field = "code"
    lookup_value_regex = r"[0-9]{1,10}"
    export_name = "units"

    def get_queryset(self) -> QuerySet[AdminUnit]:
        return (
            AdminUnit.objects.select_related("parent", "successor")
            .annotate(place_count=Count("places", filter=Q(places__status=Status.PUBLISHED)))
            .order_by("code")
        )

    def feature(self, record: AdminUnit, data: dict) -> dict:
        return feature(id=data["code"], geometry=multipolygon(record.boundary), properties=data)


def public_plates() -> QuerySet[Plate]:
    """Plates whose scan shows a published record: made for a published record, or for one
    merged into a record that is published. A plate leading to a draft or withdrawn record is
    not open data (its code would announce the record). Merged records are few and withdrawn,
    so their chains are followed in Python."""
    published = Q(place__status=Status.PUBLISHED) | Q(person__status=Status.PUBLISHED)
    merged = Plate.objects.filter(
        Q(place__merged_into__isnull=False) | Q(person__merged_into__isnull=False)
    ).select_related("place", "person")
    leading_on = [plate.pk for plate in merged if plate.landing().is_published]
    return Plate.objects.filter(published | Q(pk__in=leading_on))


@extend_schema_view(
    list=extend_schema(
        summary="List plates",
        description="The QR plates of published records, in the order they were minted: the "
        "code printed on each, the address its QR code holds, the record a scan shows and the "
        "plate's stage (planned, approved, printed, installed, damaged, replaced, retired).",
        responses=list_responses(PlateSerializer, geojson=False),
    ),
    retrieve=extend_schema(
        summary="One plate",
        description="A plate by its code, in any letter case, with or without spaces or dashes "
        "(O is read as 0, I and L as 1, as on the scan path).",
        responses=PlateSerializer,
        parameters=[
            OpenApiParameter(
                "code",
                str,
                OpenApiParameter.PATH,
                description="The code printed under the QR code, e.g. 7KQ2M9X.",
            )
        ],
    ),
)
class PlateViewSet(RecordViewSet):
    serializer_class = PlateSerializer
    filterset_class = PlateFilter
    lookup_field = "code"
    export_name = "plates"

    def get_queryset(self) -> QuerySet[Plate]:
        if getattr(self, "swagger_fake_view", False):
            # Schema generation (also `check --deploy`, which may run before any database
            # exists) needs the model only: public_plates() would query.
            return Plate.objects.none()
        return public_plates().select_related("place", "person").order_by("id")

    def get_object(self) -> Plate:
        try:
            code = codes.normalize(self.kwargs["code"])
        except codes.CodeError as exc:
            raise exceptions.NotFound() from exc
        self.kwargs["code"] = code
        return super().get_object()


# --- addresses -----------------------------------------------------------------------------------


class Router(DefaultRouter):
    include_format_suffixes = False  # formats are chosen with ?format=, documented per list


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PATCH", "PUT", "DELETE"])
@permission_classes([AllowAny])
@throttle_classes([])
def not_found(request: Request, path: str = "") -> Response:
    """Any other address under /api/: a JSON 404 rather than the site's HTML page."""
    raise exceptions.NotFound(_("There is no API endpoint at this address. See /api/docs/."))


router = Router()
router.register("places", PlaceViewSet, basename="place")
router.register("people", PersonViewSet, basename="person")
router.register("units", UnitViewSet, basename="unit")
router.register("plates", PlateViewSet, basename="plate")

app_name = "api"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="api:docs"), name="index"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        # Swagger UI draws its icons from data: URLs: allowed for images on this page alone.
        csp_override(
            {**settings.SECURE_CSP, "img-src": [*settings.SECURE_CSP["img-src"], "data:"]}
        )(SpectacularSwaggerView.as_view(url_name="api:schema")),
        name="docs",
    ),
    # Only addresses ending in "/": one without it still gets CommonMiddleware's redirect.
    re_path(r"^(?P<path>.*/)$", not_found),
]
