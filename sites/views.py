"""Public pages. Every view starts from a `published()` queryset: drafts never reach visitors."""

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.utils import translation
from django.views.generic import DetailView, ListView, TemplateView

from sites.models import AdminUnit, OldSlug, Person, PersonLink, Place, Source, Status

SEGMENT_KINDS = {segment: kind for kind, segment in Place.URL_SEGMENTS.items()}
NEARBY_RADIUS_M = 2000
NEARBY_LIMIT = 6


class PublicMixin:
    """Shared by every public page: the published queryset and a redirect for renamed records."""

    slug_scope: str = ""

    def slug_scope_for(self) -> str:
        return self.slug_scope

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            moved = self.moved_to()
            if moved is None:
                raise
            return HttpResponsePermanentRedirect(moved.get_absolute_url())

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context.update(record_links(self.object))
        return context

    def moved_to(self) -> Place | Person | None:
        old = (
            OldSlug.objects.filter(kind=self.slug_scope_for(), slug=self.kwargs.get("slug", ""))
            .select_related("place", "person")
            .first()
        )
        target = old and (old.place or old.person)
        return target if target and target.is_published else None


def record_links(record: Place | Person) -> dict:
    """The canonical address of a record's page and its address in every language, absolute,
    for <link rel="canonical"> and hreflang alternates (also used by the scan path)."""
    alternates = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            alternates.append((code, settings.PUBLIC_BASE_URL + record.get_absolute_url()))
    return {
        "canonical_url": settings.PUBLIC_BASE_URL + record.get_absolute_url(),
        "alternates": alternates,
    }


def published_links() -> Prefetch:
    return Prefetch(
        "person_links",
        queryset=PersonLink.objects.filter(person__status=Status.PUBLISHED).select_related(
            "person"
        ),
    )


class PlaceDetailView(PublicMixin, DetailView):
    template_name = "sites/place_detail.html"
    context_object_name = "place"

    def slug_scope_for(self) -> str:
        return SEGMENT_KINDS[self.kwargs["kind"]]

    def get_queryset(self) -> QuerySet[Place]:
        return (
            Place.objects.published()
            .of_kind(self.slug_scope_for())
            .with_details()
            .prefetch_related(published_links(), "photos", "sources")
        )

    def get_object(self, queryset: QuerySet | None = None) -> Place:
        return super().get_object(queryset).specific

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        place = self.object
        namesake = getattr(place, "named_after", None)
        if namesake and not namesake.is_published:
            namesake = None
        context["namesake"] = namesake
        if namesake:
            context["same_namesake"] = list(
                Place.objects.published()
                .filter(street__named_after=namesake)
                .exclude(pk=place.pk)
                .for_list()
            )
        if place.has_coordinates:
            context["nearby"] = [
                (other, round(distance))
                for other, distance in Place.objects.published()
                .with_coordinates()
                .exclude(pk=place.pk)
                .for_list()
                .near(place.lat, place.lon, NEARBY_RADIUS_M)[:NEARBY_LIMIT]
            ]
        return context


class PersonDetailView(PublicMixin, DetailView):
    template_name = "sites/person_detail.html"
    context_object_name = "person"
    slug_scope = "person"

    def get_queryset(self) -> QuerySet[Person]:
        return Person.objects.published().prefetch_related(
            Prefetch(
                "streets_named_after",
                queryset=Place.objects.published().for_list(),
            ),
            Prefetch(
                "links",
                queryset=PersonLink.objects.filter(place__status=Status.PUBLISHED).select_related(
                    "place"
                ),
            ),
            "photos",
            Prefetch("sources", queryset=Source.objects.all()),
        )


class UnitDetailView(DetailView):
    template_name = "sites/unit_detail.html"
    context_object_name = "unit"
    queryset = AdminUnit.objects.all()

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["places"] = Place.objects.published().in_unit(self.object).for_list()
        return context


class HomeView(TemplateView):
    template_name = "sites/home.html"

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        places = list(Place.objects.published().for_list())
        context["places_by_kind"] = [
            (label, [p for p in places if p.kind == kind]) for kind, label in Place.Kind.choices
        ]
        context["units"] = (
            AdminUnit.objects.communes().filter(places__status=Status.PUBLISHED).distinct()
        )
        return context


class SearchView(ListView):
    template_name = "sites/search.html"
    context_object_name = "places"
    paginate_by = 30

    def get_queryset(self) -> QuerySet[Place]:
        return Place.objects.published().search(self.query).for_list()

    @property
    def query(self) -> str:
        return self.request.GET.get("q", "")[:200]

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["q"] = self.query
        context["people"] = Person.objects.published().search(self.query)[:30]
        return context
