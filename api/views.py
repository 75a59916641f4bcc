"""The API's endpoints: places, people, communes and wards, plates. Each reads from what the
account may read (`sites.roles`); places and people also take staff writes (`WritableMixin`)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api.filters import PersonFilter, PlaceFilter, PlateFilter, UnitFilter
from api.generics import RecordViewSet, WritableMixin
from api.osm import place_tags, unit_tags
from api.renderers import (
    CSVRenderer,
    GeoJSONRenderer,
    feature,
    line_string,
    multipolygon,
    point,
)
from api.schema import FeatureCollectionSerializer, list_responses
from api.serializers import (
    PersonDetailSerializer,
    PersonInputSerializer,
    PersonSerializer,
    PlaceDetailSerializer,
    PlaceInputSerializer,
    PlaceSavedSerializer,
    PlaceSerializer,
    PlateSerializer,
    RouteSerializer,
    UnitSerializer,
)
from qrplates import codes, selectors
from qrplates.models import Plate
from sites import roles
from sites.models import (
    AdminUnit,
    Person,
    PersonLink,
    Place,
    Route,
    RouteStop,
    Street,
    published_q,
)


def public_person_links() -> Prefetch:
    return Prefetch(
        "person_links",
        queryset=PersonLink.objects.filter(published_q("person")).select_related("person"),
        to_attr="public_person_links",
    )


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
                public_person_links(),
                Prefetch("sources", queryset=roles.sources_visible(self.request.user)),
                "photos",
                "narrations",
                "street__former_names",
            )
        return places

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return PlaceSerializer if self.action == "list" else PlaceDetailSerializer

    def writable(self, record: Place) -> Place:
        return record.specific

    def feature(self, record: Place, data: dict) -> dict:
        return feature(
            id=data["id"],
            geometry=point(data["lon"], data["lat"]),
            properties={**data, "osm": place_tags(record.specific)},
        )


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
                    queryset=PersonLink.objects.filter(published_q("place")).select_related(
                        "place"
                    ),
                    to_attr="public_place_links",
                ),
                Prefetch("sources", queryset=roles.sources_visible(self.request.user)),
                "photos",
                "narrations",
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
            .annotate(
                place_count=Count("places", filter=published_q("places")),
                in_force=Exists(AdminUnit.objects.current().filter(pk=OuterRef("pk"))),
            )
            .order_by("code")
        )

    def feature(self, record: AdminUnit, data: dict) -> dict:
        return feature(
            id=data["code"],
            geometry=multipolygon(record.boundary),
            properties={**data, "osm": unit_tags(record, current=record.in_force)},
        )


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
            # exists) needs the model only: selectors.public_plates() would query.
            return Plate.objects.none()
        return selectors.public_plates().select_related("place", "person").order_by("id")

    def get_object(self) -> Plate:
        try:
            code = codes.normalize(self.kwargs["code"])
        except codes.CodeError as exc:
            raise exceptions.NotFound() from exc
        self.kwargs["code"] = code
        return super().get_object()


@extend_schema_view(
    list=extend_schema(
        summary="List walking routes",
        description="Published walking routes, 50 a page in id order, each with its published "
        "stops in walking order, its length and walking time. `format=geojson` gives the whole "
        "list as an RFC 7946 FeatureCollection: each route a LineString through its published "
        "stops in order (null when fewer than two have coordinates).",
        responses={
            (200, "application/json"): RouteSerializer(many=True),
            (200, "application/geo+json"): FeatureCollectionSerializer,
        },
    ),
    retrieve=extend_schema(
        summary="One walking route",
        description="A published walking route by its slug.",
        responses=RouteSerializer,
        parameters=[
            OpenApiParameter(
                "slug", str, OpenApiParameter.PATH, description="The route's address (slug)."
            )
        ],
    ),
)
class RouteViewSet(RecordViewSet):
    serializer_class = RouteSerializer
    renderer_classes = [JSONRenderer, GeoJSONRenderer]
    lookup_field = "slug"
    export_name = "routes"

    def get_queryset(self) -> QuerySet[Route]:
        stops = RouteStop.objects.select_related("place").order_by("position")
        return (
            Route.objects.published()
            .prefetch_related(Prefetch("stops", queryset=stops), "narrations")
            .order_by("id")
        )

    def feature(self, record: Route, data: dict) -> dict:
        # The stops are the line itself; the properties name them in order (place ids).
        stops = data["stops"]
        return feature(
            id=data["slug"],
            geometry=line_string((stop["lon"], stop["lat"]) for stop in stops),
            properties={**data, "stops": [stop["place"]["id"] for stop in stops]},
        )


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PATCH", "PUT", "DELETE"])
@permission_classes([AllowAny])
@throttle_classes([])
def not_found(request: Request, path: str = "") -> Response:
    """Any other address under /api/: a JSON 404 rather than the site's HTML page."""
    raise exceptions.NotFound(_("There is no API endpoint at this address. See /api/docs/."))
