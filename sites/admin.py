"""The editors' tool: Vietnamese / English tabs, inlines for people, sources and photos,
diacritic-insensitive search, and a visible mark on every record still missing a translation."""

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TabbedTranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from qrplates.admin import PersonPlateInline, PlacePlateInline, mint_plates
from sites.models import (
    AdminUnit,
    FormerName,
    Person,
    PersonLink,
    Photo,
    Place,
    PublishableModel,
    Relic,
    ScenicSpot,
    Source,
    Street,
)
from sites.text import slugify_vi

LANGUAGE_NAMES = dict(settings.LANGUAGES)


class MissingTranslationFilter(admin.SimpleListFilter):
    title = _("translation")
    parameter_name = "missing"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [
            (code, _("%(language)s missing") % {"language": name})
            for code, name in settings.LANGUAGES[1:]
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in LANGUAGE_NAMES:
            return queryset.missing_translation(self.value())
        return queryset


@admin.display(description=_("translation"))
def translation_mark(record: PublishableModel) -> str:
    missing = record.missing_languages()
    if not missing:
        return "✓"
    return format_html_join(
        " ",
        '<span class="missing-translation" title="{}">{} ✗</span>',
        (
            (gettext("%(language)s text missing") % {"language": LANGUAGE_NAMES[c]}, c.upper())
            for c in missing
        ),
    )


class FoldedSearchMixin:
    """Admin search that ignores diacritics and case: "hoang van thu" finds "Hoàng Văn Thụ"."""

    search_fields = ("search_text",)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        if not search_term.strip():
            return queryset, False
        return queryset.search(search_term), False


class PublishableAdmin(FoldedSearchMixin, TabbedTranslationAdmin):
    list_filter = ["status", MissingTranslationFilter]
    readonly_fields = ["published_at", "created_at", "updated_at"]
    list_per_page = 50

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        record = self.get_object(request, object_id)
        if request.method == "GET" and record is not None:
            for code in record.missing_languages():
                messages.warning(
                    request,
                    _("The %(language)s text of this record is not written yet.")
                    % {"language": LANGUAGE_NAMES[code]},
                )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("public page"))
    def public_link(self, record: PublishableModel) -> str:
        if not record.pk or not record.is_published:
            return gettext("not published")
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            record.get_absolute_url(),
            gettext("open public page"),
        )


class SourceInline(TranslationTabularInline):
    model = Source
    fields = ["title", "url", "note", "position"]
    extra = 0


class PlaceSourceInline(SourceInline):
    fk_name = "place"


class PersonSourceInline(SourceInline):
    fk_name = "person"


class PhotoInline(TranslationStackedInline):
    model = Photo
    fields = ["image", "caption", "credit", "position"]
    extra = 0


class PlacePhotoInline(PhotoInline):
    fk_name = "place"


class PersonPhotoInline(PhotoInline):
    fk_name = "person"


class PlacePersonLinkInline(TranslationTabularInline):
    model = PersonLink
    fk_name = "place"
    fields = ["person", "role", "year_from", "year_to", "note"]
    autocomplete_fields = ["person"]
    extra = 0
    verbose_name_plural = _("linked people")


class PersonPlaceLinkInline(PlacePersonLinkInline):
    fk_name = "person"
    fields = ["place", "role", "year_from", "year_to", "note"]
    autocomplete_fields = ["place"]
    verbose_name_plural = _("linked places")


class FormerNameInline(TranslationTabularInline):
    model = FormerName
    fields = ["name", "until_year", "note"]
    extra = 0


def place_fieldsets(
    main: tuple[str, ...], location: tuple[str, ...], *, visiting: bool = False
) -> list[tuple]:
    fieldsets = [
        (None, {"fields": ["name", "slug", "status", *main]}),
        (_("Text"), {"fields": ["summary", "body"]}),
        (_("Location"), {"fields": list(location)}),
    ]
    if visiting:
        fieldsets.append((_("Visiting"), {"fields": ["opening_hours", "fees", "visiting_notes"]}))
    fieldsets.append(
        (
            _("Advanced"),
            {
                "classes": ["collapse"],
                "fields": [
                    "external_id",
                    "merged_into",
                    "public_link",
                    "published_at",
                    "created_at",
                    "updated_at",
                ],
            },
        )
    )
    return fieldsets


class PlaceAdminBase(PublishableAdmin):
    list_display = ["name", "unit", "status", translation_mark, "updated_at"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit", "merged_into"]
    readonly_fields = [*PublishableAdmin.readonly_fields, "public_link"]
    inlines = [PlacePersonLinkInline, PlaceSourceInline, PlacePhotoInline, PlacePlateInline]
    actions = [mint_plates]

    def get_list_filter(self, request: HttpRequest) -> list:
        return [*super().get_list_filter(request), ("unit", admin.RelatedOnlyFieldListFilter)]

    def save_model(self, request: HttpRequest, obj: Place, form, change: bool) -> None:
        had_unit = obj.unit_id is not None
        super().save_model(request, obj, form, change)
        if not had_unit and obj.unit_id is not None:
            messages.info(
                request,
                _("Commune or ward filled in from the coordinates: %(unit)s. Check it.")
                % {"unit": obj.unit.name},
            )
        for problem in obj.location_problems():
            messages.warning(request, problem)


class HeritageAdmin(PlaceAdminBase):
    list_display = ["name", "ranking", "unit", "status", translation_mark, "updated_at"]
    fieldsets = place_fieldsets(
        ("ranking", "ranking_year", "decision_number", "decision_date", "category"),
        ("address", "lat", "lon", "unit"),
        visiting=True,
    )

    def get_list_filter(self, request: HttpRequest) -> list:
        return ["ranking", *super().get_list_filter(request)]


@admin.register(Street)
class StreetAdmin(PlaceAdminBase):
    list_display = ["name", "street_type", "named_after", "unit", "status", translation_mark]
    list_select_related = ["unit", "named_after"]
    autocomplete_fields = ["unit", "named_after", "merged_into"]
    fieldsets = place_fieldsets(
        ("street_type", "named_after", "naming_resolution", "naming_resolution_date"),
        ("start_point", "end_point", "length_m", "lat", "lon", "unit"),
    )
    inlines = [FormerNameInline, *PlaceAdminBase.inlines]


@admin.register(Relic)
class RelicAdmin(HeritageAdmin):
    pass


@admin.register(ScenicSpot)
class ScenicSpotAdmin(HeritageAdmin):
    pass


@admin.register(Place)
class PlaceAdmin(FoldedSearchMixin, admin.ModelAdmin):
    """All places in one list, whatever their kind; editing happens in each kind's own form."""

    list_display = ["name", "kind", "unit", "status", translation_mark, "updated_at"]
    list_filter = [
        "kind",
        "status",
        MissingTranslationFilter,
        ("unit", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["unit"]
    actions = [mint_plates]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def change_view(self, request: HttpRequest, object_id: str, *args, **kwargs) -> HttpResponse:
        place = self.get_object(request, object_id)
        if place is None:
            return super().change_view(request, object_id, *args, **kwargs)
        specific = place.specific
        return HttpResponseRedirect(
            reverse(f"admin:sites_{specific._meta.model_name}_change", args=[place.pk])
        )


@admin.register(Person)
class PersonAdmin(PublishableAdmin):
    readonly_fields = [*PublishableAdmin.readonly_fields, "public_link"]
    list_display = ["name", "years", "role", "status", translation_mark]
    autocomplete_fields = ["merged_into"]
    inlines = [PersonPlaceLinkInline, PersonSourceInline, PersonPhotoInline, PersonPlateInline]
    actions = [mint_plates]
    fieldsets = [
        (None, {"fields": ["name", "slug", "status", "alt_names", "role"]}),
        (
            _("Years"),
            {"fields": [("birth_year", "birth_year_approx"), ("death_year", "death_year_approx")]},
        ),
        (_("Biography"), {"fields": ["biography", "portrait"]}),
        (
            _("Advanced"),
            {
                "classes": ["collapse"],
                "fields": [
                    "external_id",
                    "merged_into",
                    "public_link",
                    "published_at",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]


@admin.register(AdminUnit)
class AdminUnitAdmin(TabbedTranslationAdmin):
    list_display = ["name", "code", "level", "parent", "valid_until", "successor"]
    list_filter = ["level", "valid_until"]
    search_fields = ["slug"]
    autocomplete_fields = ["parent", "successor"]
    readonly_fields = ["bbox"]
    fields = [
        "name",
        "code",
        "slug",
        "level",
        "parent",
        "valid_from",
        "valid_until",
        "successor",
        "formed_from",
        "label_lat",
        "label_lon",
        "boundary",
        "bbox",
    ]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        # The slug is the folded name, so "ky lua" finds "Phường Kỳ Lừa".
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(Q(slug__contains=slugify_vi(term)) | Q(code__startswith=term)), False
