"""/api/: the versioned endpoints under v1/, the schema and its docs, and a JSON 404 for any
other address."""

from django.conf import settings
from django.urls import include, path, re_path
from django.views.decorators.csp import csp_override
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from api import catalog
from api.bulk import DATASETS
from api.opendata import BulkFileView, CatalogView
from api.views import (
    PersonViewSet,
    PlaceViewSet,
    PlateViewSet,
    RouteViewSet,
    UnitViewSet,
    not_found,
)


class Router(DefaultRouter):
    include_format_suffixes = False  # formats are chosen with ?format=, documented per list


router = Router()
router.register("places", PlaceViewSet, basename="place")
router.register("people", PersonViewSet, basename="person")
router.register("units", UnitViewSet, basename="unit")
router.register("plates", PlateViewSet, basename="plate")
router.register("routes", RouteViewSet, basename="route")

app_name = "api"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="api:docs"), name="index"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "catalog.jsonld",
        CatalogView.as_view(media_type="application/ld+json", serialize=catalog.as_jsonld),
        name="catalog-jsonld",
    ),
    path(
        "catalog.ttl",
        CatalogView.as_view(media_type="text/turtle", serialize=catalog.as_turtle),
        name="catalog-ttl",
    ),
    re_path(
        rf"^bulk/(?P<name>{'|'.join(DATASETS)})\.zip$", BulkFileView.as_view(), name="bulk-file"
    ),
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
