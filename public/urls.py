"""Public pages, under a language prefix (/vi/…, /en/…: see streetinfo/urls.py). The namespace
stays `sites`: records name their own pages with it (`get_absolute_url`), and so do templates."""

from django.urls import path, register_converter

from public import views
from sites.models import Place


class PlaceKindConverter:
    """The URL segment of each kind of place: "streets", "relics", "scenic-spots"."""

    regex = "|".join(Place.URL_SEGMENTS.values())

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PlaceKindConverter, "placekind")

app_name = "sites"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("about/", views.AboutView.as_view(), name="about"),
    path("offline/", views.OfflineView.as_view(), name="offline"),
    path("people/", views.PersonListView.as_view(), name="people"),
    path("units/", views.UnitListView.as_view(), name="units"),
    path("people/<slug:slug>/", views.PersonDetailView.as_view(), name="person"),
    path("units/<slug:slug>/", views.UnitDetailView.as_view(), name="unit"),
    path("routes/", views.RouteListView.as_view(), name="routes"),
    path("routes/<slug:slug>/", views.RouteDetailView.as_view(), name="route"),
    path("units/<slug:slug>/offline.json", views.unit_offline, name="unit_offline"),
    path("<placekind:kind>/", views.KindListView.as_view(), name="kind"),
    path("<placekind:kind>/<slug:slug>/", views.PlaceDetailView.as_view(), name="place"),
]
