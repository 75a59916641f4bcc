"""Public pages. Every view starts from a `published()` queryset: drafts never reach visitors.

The pages hold nothing personal (no session, no CSRF token, no "logged in as"), so they are the
same for everyone at one address and can be cached by the phone, a proxy and the service worker.
The language is in the address (/vi/…, /en/…); the switch remembers the choice in a cookie
through a plain link (`switch_language`), not a POST form.

The scan path (plates) shows a record by calling the view its own address resolves to, so the
views' URL kwargs (`kind` + `slug`, `slug`) are their interface.
"""

from __future__ import annotations

import hashlib
import json
import re
from itertools import groupby

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, When
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.urls import reverse, translate_url
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView, TemplateView

from lib import languages
from lib.static_text import static_text
from public import maps, seo
from qrplates.selectors import public_plates
from sites.models import (
    AdminUnit,
    HeritageFields,
    Narration,
    OldSlug,
    Person,
    PersonLink,
    Photo,
    Place,
    Route,
    RouteStop,
    Source,
    Street,
    published_q,
)
from sites.selectors import RowsPaginator, nearby

SEGMENT_KINDS = {segment: kind for kind, segment in Place.URL_SEGMENTS.items()}
KIND_PLURALS = {
    Place.Kind.STREET: _("Streets"),
    Place.Kind.RELIC: _("Relics"),
    Place.Kind.SCENIC: _("Scenic spots"),
}
HIGHLIGHTS = 6
# What "save this area for offline" stores at most: a phone's storage is not ours to fill
# (some 10 KB per page and 10-20 KB per small photo: a few megabytes for a large area).
OFFLINE_MAX_PLACES = 150
OFFLINE_PHOTOS_PER_PLACE = 3

# A page's content changes when an editor publishes: ten minutes of freshness on the phone, then
# a cheap revalidation (ETag, 304); five minutes in a shared cache or CDN (which hears nothing of a
# publish); a day of serving a stale copy while revalidating, and a week when the server cannot
# be reached, which is most of the point on a mountain road.
PAGE_CACHE = {
    "public": True,
    "max_age": 600,
    "s_maxage": 300,
    "stale_while_revalidate": 86400,
    "stale_if_error": 604800,
}


def cache_public_page(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Cache headers for a public page: the same for everyone at one address, so any cache may
    keep it. A page answered at an address without a language prefix (the scan path) depends on
    the language cookie and Accept-Language (`Vary`); a shared cache in front normalises those
    to the language itself (see the deployment guide) so that it keeps one copy per language. A
    signed-in visitor's page (staff, an installer, with their own links) is theirs only."""
    if response.has_header("Cache-Control") or response.cookies:
        return response
    if response.status_code in (200, 301):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            patch_cache_control(response, private=True, max_age=0)
            return response
        if not translation.get_language_from_path(request.path_info):
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        patch_cache_control(response, **PAGE_CACHE)
    return response


class PublicPageMixin:
    """Shared by every public page: cache headers, the page's addresses in every language, and
    the default share picture."""

    noindex = False

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().dispatch(request, *args, **kwargs)
        return cache_public_page(request, response)

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context.update(seo.page_links(self.request.path))
        context["share_image"] = seo.share_image([])
        context["noindex"] = self.noindex
        return context


class MovedMixin:
    """A renamed record's (or walking route's) old address redirects to the new one, and a
    merged record's address to the record that stays (301 both)."""

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

    def moved_to(self) -> Place | Person | Route | None:
        slug = self.kwargs.get("slug", "")
        model = self.get_queryset().model
        merges = hasattr(model, "merged_into")  # routes are never merged
        target = merges and model.objects.filter(slug=slug).exclude(merged_into=None).first()
        if not target:
            old = (
                OldSlug.objects.filter(kind=self.slug_scope_for(), slug=slug)
                .select_related("place", "person", "route")
                .first()
            )
            target = old and (old.place or old.person or old.route)
        # Merged, or renamed and then merged: the record that stays (`survivor`).
        if target and merges:
            target = target.survivor()
        return target if target and target.is_published else None


class RecordMixin(MovedMixin, PublicPageMixin):
    """A place's or a person's page (`MovedMixin`: its old addresses redirect)."""

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        record = self.object
        links = seo.record_links(record)
        photos = list(record.photos.all())
        image = seo.share_image(photos)
        context.update(links)
        context.update(
            photos=photos,
            narration=narration_for(record),
            sources=list(record.sources.all()),
            other_name=seo.other_name(record),
            share_image=image,
            share=seo.share_links(links["canonical_url"]),
        )
        return context


def narration_for(record: Place | Person | Route) -> Narration | None:
    """The record's (or walking route's) recording in the language its text is shown in: the
    page's, or the one its text falls back to while the translation is not written
    (`lib.languages.chain`, as the note on the page says). The page's text is its transcript,
    so no other recording is offered."""
    shown = languages.shown(translation.get_language(), record.missing_languages())
    return record.narrations.filter(language=shown).first()


def citable_sources() -> Prefetch:
    """A record's sources as its public page lists them: the citable ones only."""
    return Prefetch("sources", queryset=Source.objects.citable())


def published_person_links() -> Prefetch:
    return Prefetch(
        "person_links",
        queryset=PersonLink.objects.filter(published_q("person")).select_related("person"),
    )


class PlaceDetailView(RecordMixin, DetailView):
    """A street, relic or scenic spot. URL kwargs: `kind` (a URL segment: "streets", "relics",
    "scenic-spots") and `slug`. A constant number of queries, whatever the number of people,
    photos, sources or nearby places."""

    template_name = "sites/place_detail.html"
    context_object_name = "place"

    def slug_scope_for(self) -> str:
        return SEGMENT_KINDS[self.kwargs["kind"]]

    def get_queryset(self) -> QuerySet[Place]:
        kind = self.slug_scope_for()
        related = ["unit", "named_after"] if kind == Place.Kind.STREET else ["unit"]
        prefetch: list = [published_person_links(), "photos", citable_sources()]
        if kind == Place.Kind.STREET:
            prefetch.append("former_names")
        # The kind's own model: its columns come in the same query, and the prefetched lists
        # sit on the object the template uses.
        return (
            Place.model_for_kind(kind)
            .objects.published()
            .select_related(*related)
            # The map takes the boundary from the process's copy (maps.place_map).
            .defer("unit__boundary")
            .prefetch_related(*prefetch)
        )

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        place = self.object
        namesake = getattr(place, "named_after", None)
        if namesake and not namesake.is_published:
            namesake = None
        links = list(place.person_links.all())
        people = {link.person.pk: link.person for link in links}
        if namesake:
            people[namesake.pk] = namesake
        around = nearby(place)
        image = context["share_image"]
        context.update(
            namesake=namesake,
            links=links,
            named_streets=self.streets_named_after(place, list(people.values())),
            former_names=list(place.former_names.all()) if isinstance(place, Street) else [],
            nearby=around.near,
            unit_places=around.in_unit,
            map=maps.place_map(place, around.near),
            routes=list(Route.objects.published().through([place]).only("slug", "title")),
            directions=seo.directions(place),
            jsonld=seo.jsonld_script(seo.place_jsonld(place, context, image)),
            og_type="article",
            meta_description=seo.description(place.summary or place.body),
        )
        return context

    @staticmethod
    def streets_named_after(place: Place, people: list[Person]) -> list[Street]:
        """Other streets named after the people of this page, each with its namesake: one query."""
        if not people:
            return []
        return list(
            Street.objects.published()
            .filter(named_after__in=people)
            .exclude(pk=place.pk)
            .select_related("named_after")
            .order_by("named_after__slug", "slug")
        )


class PersonDetailView(RecordMixin, DetailView):
    """A person: biography, years, and every street and site linked to them. URL kwarg: `slug`."""

    template_name = "sites/person_detail.html"
    context_object_name = "person"
    slug_scope = "person"

    def get_queryset(self) -> QuerySet[Person]:
        return Person.objects.published().prefetch_related(
            Prefetch(
                "streets_named_after",
                queryset=Street.objects.published().select_related("unit"),
            ),
            Prefetch(
                "links",
                queryset=PersonLink.objects.filter(published_q("place")).select_related(
                    "place", "place__unit"
                ),
            ),
            "photos",
            citable_sources(),
        )

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        person = self.object
        context.update(
            streets=list(person.streets_named_after.all()),
            links=list(person.links.all()),
            jsonld=seo.jsonld_script(seo.person_jsonld(person, context, context["share_image"])),
            og_type="profile",
            meta_description=seo.description(person.role or person.biography),
        )
        return context


class RouteDetailView(MovedMixin, PublicPageMixin, DetailView):
    """A walking route: its stops in order (published ones only), their map, the length and
    walking time computed from the stops, its recorded narration. Three queries."""

    template_name = "sites/route_detail.html"
    context_object_name = "route"
    slug_scope = Route.slug_scope
    queryset = Route.objects.published().prefetch_related(
        Prefetch("stops", queryset=RouteStop.objects.select_related("place"))
    )

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        stops = self.object.published_stops()
        length = Route.length_of(stops)
        context.update(
            stops=stops,
            length_m=length,
            minutes=Route.walking_minutes(length),
            map=maps.route_map(self.object, stops),
            narration=narration_for(self.object),
            meta_description=seo.description(self.object.summary or self.object.body),
        )
        return context


def grouped_by_kind(places: list[Place]) -> list[tuple[str, list[Place]]]:
    """(plural label, places) for each kind present, in the kinds' order, places by slug."""
    order = list(Place.Kind)
    ordered = sorted(places, key=lambda p: (order.index(p.kind), p.slug))
    return [
        (KIND_PLURALS[kind], list(group)) for kind, group in groupby(ordered, key=lambda p: p.kind)
    ]


class UnitDetailView(PublicPageMixin, DetailView):
    """A commune or ward: its published places, and "save this area for offline"."""

    template_name = "sites/unit_detail.html"
    context_object_name = "unit"
    queryset = AdminUnit.objects.exclude(level=AdminUnit.Level.PROVINCE).select_related("successor")

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        places = list(Place.objects.published().in_unit(self.object).for_list())
        context.update(
            map=maps.unit_map(self.object, places),
            places_by_kind=grouped_by_kind(places),
            place_count=len(places),
            offline_url=reverse("sites:unit_offline", kwargs={"slug": self.object.slug}),
            meta_description=seo.description(
                translation.gettext("Streets, relics and scenic spots in %(unit)s")
                % {"unit": self.object.name}
            ),
        )
        return context


def pack_narration(places: list[Place], routes: list[Route]) -> list[str]:
    """The recorded narration an area's pack stores: each place's recording in the language its
    page shows (`narration_for`), in the places' order, then each walking route's the same way,
    as long as they fit in OFFLINE_NARRATION_MB together (one that does not fit is left out; a
    smaller one after it may still fit)."""
    code = translation.get_language()
    shown = [
        *shown_narration(Place, "place", [place.pk for place in places], code),
        *shown_narration(Route, "route", [route.pk for route in routes], code),
    ]
    budget = settings.OFFLINE_NARRATION_MB * 1024 * 1024
    urls = []
    for narration in shown:
        if narration.size <= budget:
            budget -= narration.size
            urls.append(narration.url)
    return urls


def shown_narration(model: type, key: str, ids: list[int], code: str) -> list[Narration]:
    """The recording each of the `model` records `ids` (places or routes, named `key` on a
    Narration) plays on its page in language `code` (`narration_for`'s rule, for many records
    in two queries and one per language of the chain), in the order of `ids`."""
    missing: dict[int, list[str]] = {pk: [] for pk in ids}
    if not ids:
        return []
    for language in languages.chain(code):
        if language == languages.DEFAULT:
            continue
        records = model.objects.filter(pk__in=ids)
        for pk in records.missing_translation(language).values_list("pk", flat=True):
            missing[pk].append(language)
    found = {
        (getattr(narration, f"{key}_id"), narration.language): narration
        for narration in Narration.objects.filter(
            **{f"{key}_id__in": ids}, language__in=languages.chain(code)
        ).only("id", f"{key}_id", "language", "audio", "size")
    }
    chosen = (found.get((pk, languages.shown(code, missing[pk]))) for pk in ids)
    return [narration for narration in chosen if narration is not None]


@require_safe
def unit_offline(request: HttpRequest, slug: str) -> HttpResponse:
    """What "save this area for offline" stores for a commune or ward, in the page's language
    (the service worker fetches and keeps it, `static/js/sw.js`):

    - `pages`: the unit's page, its places' pages and the pages of the people linked to them
      (or whom its streets are named after);
    - `scans`: the scan address of each plate of those places (`/Q/<code>`) and the page it
      shows, so that scanning a plate there with no signal opens that page;
    - `images`: the places' small photos;
    - `audio`: within OFFLINE_NARRATION_MB, their recorded narration (`pack_narration`);
    - and the pages of the walking routes through the area join `pages`, their recorded
      narration `audio` (after the places')."""
    unit = get_object_or_404(AdminUnit.objects.exclude(level=AdminUnit.Level.PROVINCE), slug=slug)
    places = list(
        Place.objects.published()
        .in_unit(unit)
        .only("id", "kind", "slug")
        .order_by("kind", "slug")
        .prefetch_related(
            Prefetch("photos", queryset=Photo.objects.only("id", "place_id", "image", "renditions"))
        )[:OFFLINE_MAX_PLACES]
    )
    place_pages = {place.pk: place.get_absolute_url() for place in places}
    people = Person.objects.published().filter(
        Q(links__place__in=place_pages) | Q(streets_named_after__in=place_pages)
    )
    pages = [
        unit.get_absolute_url(),
        *place_pages.values(),
        *(person.get_absolute_url() for person in people.distinct().only("id", "slug")),
    ]
    scans = {
        reverse("qrplates:scan", kwargs={"code": code}): place_pages[place_id]
        for code, place_id in public_plates()
        .filter(place__in=place_pages)
        .order_by("code")
        .values_list("code", "place_id")
    }
    pictures = []
    for place in places:
        for photo in list(place.photos.all())[:OFFLINE_PHOTOS_PER_PLACE]:
            if photo.renditions.get("widths"):
                pictures.append(photo.picture.small_url)
    # The walking routes through the area: their pages (with their maps) are read there too.
    routes = list(
        Route.objects.published()
        .through(Place.objects.published().in_unit(unit))
        .only("id", "slug")
        .order_by("slug")
    )
    pages += [route.get_absolute_url() for route in routes]
    response = JsonResponse(
        {
            "unit": unit.get_absolute_url(),
            "name": unit.name,
            "language": translation.get_language(),
            "pages": pages,
            "scans": scans,
            "images": pictures,
            "audio": pack_narration(places, routes),
            "generated": timezone.now().isoformat(timespec="seconds"),
        },
        json_dumps_params={"ensure_ascii": False},
    )
    return cache_public_page(request, response)


def kind_counts() -> list[tuple[str, str, int]]:
    """(kind, plural label, number published) for every kind with a published place."""
    counts = dict(Place.objects.published().order_by().values_list("kind").annotate(n=Count("id")))
    return [(kind, KIND_PLURALS[kind], counts[kind]) for kind in Place.Kind if counts.get(kind)]


class HomeView(PublicPageMixin, TemplateView):
    template_name = "sites/home.html"

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        rank_order = Case(
            *(
                When(Q(relic__ranking=value) | Q(scenicspot__ranking=value), then=position)
                for position, value in enumerate(
                    [
                        HeritageFields.Ranking.SPECIAL_NATIONAL,
                        HeritageFields.Ranking.NATIONAL,
                        HeritageFields.Ranking.PROVINCIAL,
                    ]
                )
            ),
            default=9,
            output_field=IntegerField(),
        )
        # Highlights: the highest-ranked relics and scenic spots, the most recently published
        # first among equals.
        context["highlights"] = list(
            Place.objects.published()
            .exclude(kind=Place.Kind.STREET)
            .with_details()
            .annotate(tier=rank_order)
            .order_by("tier", "-published_at", "slug")[:HIGHLIGHTS]
        )
        context["kinds"] = [
            (label, count, reverse("sites:kind", kwargs={"kind": Place.URL_SEGMENTS[kind]}))
            for kind, label, count in kind_counts()
        ]
        context["routes"] = list(Route.objects.published().only("slug", "title"))
        context["units"] = list(
            AdminUnit.objects.communes()
            .filter(published_q("places"))
            .annotate(n=Count("places"))
            .order_by("slug")
        )
        context["map"] = maps.province_map(
            list(AdminUnit.objects.communes().defer("boundary")),
            {unit.pk for unit in context["units"]},
        )
        context["meta_description"] = translation.gettext(
            "The history of Lạng Sơn's streets, relics and scenic spots and of the people "
            "linked to them."
        )
        return context


class KindListView(PublicPageMixin, ListView):
    """Every published street (or relic, or scenic spot), alphabetically."""

    template_name = "sites/kind_list.html"
    context_object_name = "places"
    paginate_by = 60

    def get_queryset(self) -> QuerySet[Place]:
        kind = SEGMENT_KINDS[self.kwargs["kind"]]
        return Place.objects.published().of_kind(kind).for_list().order_by("slug")

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["kind_label"] = KIND_PLURALS[SEGMENT_KINDS[self.kwargs["kind"]]]
        return context


class PersonListView(PublicPageMixin, ListView):
    """Every published person, alphabetically (by address: the name without accents)."""

    template_name = "sites/person_list.html"
    context_object_name = "people"
    paginate_by = 100

    def get_queryset(self) -> QuerySet[Person]:
        return Person.objects.published().order_by("slug")


class UnitListView(PublicPageMixin, ListView):
    """Every commune and ward in force, wards first, each with its number of published places
    (none is a number too: the list is where a visitor finds that out)."""

    template_name = "sites/unit_list.html"
    context_object_name = "units"

    def get_queryset(self) -> QuerySet[AdminUnit]:
        return (
            AdminUnit.objects.communes()
            .defer("boundary", "bbox")
            .annotate(n=Count("places", filter=published_q("places")))
            .order_by("slug")
        )


class RouteListView(PublicPageMixin, ListView):
    """Every published walking route, by address, each with what its own page says first: its
    summary, its number of (published) stops, its length and walking time. Two queries."""

    template_name = "sites/route_list.html"
    context_object_name = "routes"

    def get_queryset(self) -> QuerySet[Route]:
        stops = RouteStop.objects.select_related("place")
        return (
            Route.objects.published()
            .prefetch_related(Prefetch("stops", queryset=stops))
            .order_by("slug")
        )

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        for route in context["routes"]:
            stops = route.published_stops()
            route.stop_count = len(stops)
            route.length_m = Route.length_of(stops)
            route.minutes = Route.walking_minutes(route.length_m)
        context["meta_description"] = translation.gettext(
            "Walks from place to place in Lạng Sơn, with their stops in order, their length and "
            "the time they take."
        )
        return context


class CappedPaginator(RowsPaginator):
    """Pages of search results that count and show at most `cap` of them. Past the cap, the
    page asks for another word."""

    cap = 600

    @cached_property
    def count(self) -> int:
        # Asked only when the page did not count the search while reading its keys (a page
        # past the last one, nothing found). Keys only: their rank is not needed to count them.
        return self.object_list.order_by().values("pk")[: self.cap].count()


class SearchView(PublicPageMixin, ListView):
    """Places and people by name in any language; then the places linked to the people found."""

    template_name = "sites/search.html"
    context_object_name = "places"
    paginate_by = 30
    paginator_class = CappedPaginator
    noindex = True
    people_limit = 20
    linked_limit = 30

    def get_queryset(self) -> QuerySet[Place]:
        return Place.objects.published().search(self.query).for_list()

    @property
    def query(self) -> str:
        typed = "".join(ch for ch in self.request.GET.get("q", "") if ch.isprintable() or ch == " ")
        return " ".join(typed.split())[:200]

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        people = list(Person.objects.published().search(self.query)[: self.people_limit])
        linked: list[Place] = []
        if people:
            # Two indexed lookups: one OR across both joins, with DISTINCT, scanned every place.
            linked_ids = set(
                Street.objects.filter(named_after__in=people).values_list("pk", flat=True)
            ) | set(PersonLink.objects.filter(person__in=people).values_list("place_id", flat=True))
            candidates = list(
                Place.objects.published()
                .filter(pk__in=linked_ids)
                .for_list()
                .order_by("kind", "slug")[: 2 * self.linked_limit]
            )
            # Those the search itself found are listed above already. Asked of the candidates
            # only: the search over every record, as a subquery, cost 0.4 s at 100,000 records.
            found = set(
                Place.objects.published()
                .filter(pk__in=[place.pk for place in candidates])
                .search(self.query)
                .values_list("pk", flat=True)
            )
            linked = [place for place in candidates if place.pk not in found][: self.linked_limit]
        context.update(
            q=self.query, units=AdminUnit.objects.named(self.query), people=people, linked=linked
        )
        return context


class AboutView(PublicPageMixin, TemplateView):
    template_name = "sites/about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Each language by its own name, as the language switch shows it.
        context["language_names"] = ", ".join(language.name for language in languages.LANGUAGES)
        context["foreign_language"] = languages.get(languages.FOREIGN).name
        return context


class OfflineView(PublicPageMixin, TemplateView):
    """Shown by the service worker for a page that was never opened when there is no signal."""

    template_name = "sites/offline.html"
    noindex = True


@require_safe
def switch_language(request: HttpRequest, code: str) -> HttpResponse:
    """The language switch: remembers the choice in the language cookie and goes to `next`
    (the same page in that language). A plain link, so it works with JavaScript off and leaves
    the pages free of CSRF tokens, hence cacheable."""
    supported = {c for c, _name in settings.LANGUAGES}
    if code not in supported:
        raise Http404
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    target = translate_url(target, code) if target else f"/{code}/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=False,  # the page's script sets the same cookie to skip this redirect
    )
    patch_cache_control(response, no_store=True)
    return response


def shell_urls() -> list[str]:
    """What the service worker stores on install: the offline page in each language and the
    static files every page uses."""
    urls = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            urls.append(reverse("sites:offline"))
    urls += [static("js/site.js"), static("img/icon.svg"), static("img/icon-192.png")]
    return urls


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the site's root so that it may serve every page. Its
    text names the hashed static files: a new deployment changes it, and phones update."""
    code = static_text("js/sw.js")
    shell = shell_urls()
    config = {
        "version": hashlib.sha1(
            (code + " ".join(shell)).encode(), usedforsecurity=False
        ).hexdigest()[:12],
        "shell": shell,
        "languages": [code for code, _name in settings.LANGUAGES],
        "defaultLanguage": settings.LANGUAGE_CODE,
        "languageCookie": settings.LANGUAGE_COOKIE_NAME,
    }
    body = f"self.STREETINFO = {json.dumps(config)};\n{code}"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # Browsers check for a new worker at most daily anyway; never let a cache pin an old one.
    patch_cache_control(response, no_cache=True, max_age=0)
    return response


@require_safe
def web_manifest(request: HttpRequest) -> HttpResponse:
    """Lets a visitor add the site to the home screen; the name follows the cookie language."""
    language = translation.get_language()
    manifest = {
        "name": translation.gettext("Streetinfo Lạng Sơn"),
        "short_name": "Streetinfo",
        "lang": language,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b4f8a",
        "icons": [
            {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("img/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    patch_cache_control(response, private=True, max_age=86400)
    return response


# One range of bytes, as a player asks for it ("bytes=0-", "bytes=1000-1999", "bytes=-500").
BYTE_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


@require_safe
def narration(request: HttpRequest, pk: int, digest: str, ext: str) -> HttpResponse:
    """A record's recorded narration, only while the record is published: a withdrawn record's
    recording goes with its page (the file under /media/ is never served, docs/operations.md).
    A player asks for ranges of it (to start, to seek; Safari plays nothing otherwise)."""
    record = Narration.objects.published().filter(pk=pk).first()
    if record is None or not record.audio or record.url != request.path:
        raise Http404
    try:
        size = record.audio.size
        file = record.audio.open("rb")
    except OSError as error:
        raise Http404 from error
    # Audio is compressed already: gzip would cost time and lose the length and the ranges.
    request.META.pop("HTTP_ACCEPT_ENCODING", None)
    asked = BYTE_RANGE.fullmatch(request.headers.get("Range", "").strip())
    if asked and (asked[1] or asked[2]):
        if asked[1]:
            start = int(asked[1])
            end = min(int(asked[2]), size - 1) if asked[2] else size - 1
        else:
            start, end = max(0, size - int(asked[2])), size - 1
        if start > end or start >= size:
            file.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        with file:
            file.seek(start)
            response = HttpResponse(file.read(end - start + 1), status=206)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    else:
        response = FileResponse(file)
    response["Content-Type"] = record.content_type
    response["Accept-Ranges"] = "bytes"
    # As long as a page: a withdrawal reaches phones as soon as the page's does.
    patch_cache_control(response, **PAGE_CACHE)
    return response


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /lang/",
        f"Sitemap: {settings.PUBLIC_BASE_URL}{reverse('sitemap')}",
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=86400)
    return response
