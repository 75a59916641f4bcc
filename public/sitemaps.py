"""sitemap.xml: every published page in every language, each with its hreflang alternates and
an x-default (the Vietnamese page). Addresses are built on PUBLIC_BASE_URL, like the plates."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, QuerySet
from django.urls import reverse

from sites.models import AdminUnit, Person, Place, Route, published_q


class PublicSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    limit = 2000

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.PUBLIC_BASE_URL).scheme

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.PUBLIC_BASE_URL).netloc


class PlaceSitemap(PublicSitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self) -> QuerySet[Place]:
        return Place.objects.published().only("kind", "slug", "updated_at").order_by("pk")

    def lastmod(self, place: Place):
        return place.updated_at


class PersonSitemap(PublicSitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self) -> QuerySet[Person]:
        return Person.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, person: Person):
        return person.updated_at


class UnitSitemap(PublicSitemap):
    """Communes and wards with at least one published place."""

    changefreq = "weekly"
    priority = 0.5

    def items(self) -> QuerySet[AdminUnit]:
        return (
            AdminUnit.objects.communes()
            .filter(published_q("places"))
            .annotate(lastmod=Max("places__updated_at"))
            .order_by("pk")
        )

    def lastmod(self, unit: AdminUnit):
        return unit.lastmod


class RouteSitemap(PublicSitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self) -> QuerySet[Route]:
        return Route.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, route: Route):
        return route.updated_at


class PageSitemap(PublicSitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self) -> list[str]:
        return ["sites:home", "sites:people", "sites:units", "sites:routes", "sites:about"]

    def location(self, name: str) -> str:
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "places": PlaceSitemap,
    "people": PersonSitemap,
    "units": UnitSitemap,
    "routes": RouteSitemap,
}
