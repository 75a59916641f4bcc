"""The OpenAPI schema (/api/schema/, drawn at /api/docs/) says what every operation shares: the
language parameters, the error responses with their one body, and the shapes of the exports."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from api.errors import ErrorSerializer
from api.negotiation import ALL_LANGUAGES
from api.serializers import LANGUAGE_CODES

LANGUAGE_PARAMETERS = [
    OpenApiParameter(
        "lang",
        str,
        enum=[*LANGUAGE_CODES, ALL_LANGUAGES],
        description="Language of texts, labels and page addresses. Without it, the "
        "Accept-Language header decides: its first language the site has, else English for a "
        "header that names none of them, Vietnamese when there is no header. A text not "
        "written in a language falls back along that language's chain, ending in Vietnamese "
        "(Chinese: English first), and `missing_translations` says so. `all` gives every "
        "translation: each such field becomes an object keyed by language code.",
    ),
    OpenApiParameter(
        "Accept-Language",
        str,
        location=OpenApiParameter.HEADER,
        description="The language wanted when `lang` is not given, e.g. `en-GB,en;q=0.9` or "
        "`zh-CN,zh;q=0.9`.",
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
