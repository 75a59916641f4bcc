"""What every endpoint shares: the language and format a request asks for, errors as JSON, the
throttles, a list that is also a whole-list export (CSV, GeoJSON), and staff writes through the
content's one write path."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api.filters import ListFilterBackend
from api.middleware import cache_control
from api.negotiation import ALL_LANGUAGES, FormatNegotiation, requested_language
from api.pagination import PagePagination
from api.permissions import StaffCanWrite
from api.renderers import CSVRenderer, feature_collection, licence_link
from api.schema import ApiSchema
from api.serializers import LANGUAGE_CODES, InLanguage, save_from_input
from api.throttles import AnonymousThrottle, ExportThrottle, StaffThrottle
from sites.models import Place, PublishableModel


class ApiViewMixin:
    """Language, error format and content negotiation shared by every endpoint."""

    content_negotiation_class = FormatNegotiation
    permission_classes = [StaffCanWrite]
    throttle_classes = [AnonymousThrottle, ExportThrottle, StaffThrottle]
    schema = ApiSchema()
    language: str = ""
    # False for what no language changes (the catalogue, the bulk files): no `?lang=`, no
    # Content-Language, and so one copy in shared caches (api.middleware.SharedCacheMiddleware).
    speaks = True

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # The language chosen for this request is undone afterwards, whatever happens.
        with translation.override(translation.get_language()):
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            # Before the parameters are read: a wrong method is a 405 whatever they say.
            raise exceptions.MethodNotAllowed(request.method)
        if self.speaks:
            self.language = requested_language(request)
        super().initial(request, *args, **kwargs)

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
        response["Link"] = licence_link()
        if request.method in ("GET", "HEAD"):
            response["Cache-Control"] = cache_control(
                request._request,
                response,
                language_in_address=not self.speaks or "lang" in request.query_params,
            )
        if self.language:
            response["Content-Language"] = (
                ", ".join(LANGUAGE_CODES) if self.language == ALL_LANGUAGES else self.language
            )
        return response


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
        save_from_input(record=record, values=values.validated_data, by=request.user)
        return self.saved(record, status=201)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.writable(self.get_object())
        self.require_permission("change", record)
        values = self.input_serializer_class(
            record, data=request.data, partial=True, context=self.get_serializer_context()
        )
        values.is_valid(raise_exception=True)
        save_from_input(record=record, values=values.validated_data, by=request.user)
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
