"""The content's admin: Vietnamese / English tabs, inlines for people, sources, photos and
recorded narration, diacritic-insensitive search, the state of the text in each language on
every record, each record's history, and the Department's roles (sites/roles.py): an editor sees
and edits the records of their communes only and cannot publish; a reviewer reviews and
publishes.

These classes know nothing of plates or of the Department's workflow, and register nothing:
`backoffice/admin.py` adds the plates, the review pages and the spreadsheet import to them and
puts them on the admin site."""

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csp import csp_override
from modeltranslation.admin import (
    TabbedTranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from lib import languages
from lib.text import slugify_vi
from sites import roles
from sites.admin_scope import (
    RoleAutocompleteMixin,
    RoleChoicesMixin,
    ScopedLinkInlineMixin,
    can,
)
from sites.models import (
    AdminUnit,
    FormerName,
    Narration,
    Person,
    PersonLink,
    Photo,
    Place,
    PublishableModel,
    Route,
    RouteStop,
    Source,
    Status,
    TextState,
    stored_text,
    unit_boundaries,
)
from sites.services import attached_delete, attached_save, record_save
from sites.translation import translated_fields

STATE_MARKS = {
    TextState.MISSING: "✗",
    TextState.MACHINE: "⚙",
    TextState.DRAFT: "✎",
    TextState.REVIEWED: "✓",
}
STORED_STATES = [TextState.DRAFT, TextState.MACHINE, TextState.REVIEWED]


class TextStateFilter(admin.SimpleListFilter):
    """Reviewers' filter: records whose text in a language is missing, a (machine) draft or
    reviewed."""

    title = _("text in each language")
    parameter_name = "text"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [
            (f"{code}:{state}", f"{name}: {TextState(state).label}")
            for code, name in settings.LANGUAGES
            for state in TextState.values
            if not (code == settings.LANGUAGE_CODE and state == TextState.MISSING)
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        code, _sep, state = (self.value() or "").partition(":")
        if code in languages.codes() and state in TextState.values:
            return queryset.with_text_state(code, state)
        return queryset


@admin.display(description=_("translation"))
def translation_mark(record: PublishableModel) -> str:
    """One mark per language: ✗ missing, ⚙ machine-translated draft, ✎ draft, ✓ reviewed."""
    return format_html_join(
        " ",
        '<span class="{}" title="{}">{} {}</span>',
        (
            (
                "missing-translation" if state == TextState.MISSING else f"text-{state}",
                f"{languages.get(code).name}: {TextState(state).label}",
                code.upper(),
                STATE_MARKS[state],
            )
            for code, _name in settings.LANGUAGES
            for state in [record.text_state(code)]
        ),
    )


# The last, folded fieldset of every record's page.
ADVANCED = (
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


class TextStatesForm(forms.ModelForm):
    """A form of a model with text states (`TextStatesModel`) plus the state of its text in each
    language. Only a reviewer may mark a text reviewed; an editor's change to a reviewed text
    makes it a draft again."""

    user = None  # set by the admin's get_form

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        reviewer = roles.can_publish(self.user)
        for code, _name in settings.LANGUAGES:
            field = self.fields.get(f"text_state_{code}")
            if field is None:
                continue
            current = self.instance.translation_states.get(code) or TextState.DRAFT
            field.initial = current
            if not reviewer:
                if current == TextState.REVIEWED:
                    field.disabled = True
                else:
                    field.choices = [c for c in field.choices if c[0] != TextState.REVIEWED]

    def changed_languages(self) -> set[str]:
        languages = translated_fields(self._meta.model)
        return {languages[f] for f in self.changed_data if languages.get(f, "*") != "*"}

    def text_states(self) -> dict[str, str]:
        states = dict(self.instance.translation_states)
        reviewer = roles.can_publish(self.user)
        changed = self.changed_languages()
        for code, _name in settings.LANGUAGES:
            chosen = self.cleaned_data.get(f"text_state_{code}") or states.get(code)
            if not reviewer and code in changed and chosen == TextState.REVIEWED:
                chosen = TextState.DRAFT
            if chosen:
                states[code] = chosen
        return states


class PublishableForm(TextStatesForm):
    """The record's form: the text states, and the statuses the user may set."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        reviewer = roles.can_publish(self.user)
        status = self.fields.get("status")
        if status is not None and not reviewer:
            status.choices = [c for c in status.choices if c[0] in roles.EDITOR_STATUSES]
            if self.instance.pk and self.instance.status not in roles.EDITOR_STATUSES:
                self.initial["status"] = Status.REVIEW
                status.help_text = _(
                    "This record is %(status)s. Saving your changes sends it back to the "
                    "reviewers; its public page says “being updated” until they publish it."
                ) % {"status": self.instance.get_status_display()}

    def clean(self) -> dict:
        return check_stored_text(self, super().clean())


def check_stored_text(form: forms.ModelForm, cleaned: dict) -> dict:
    """Checks `form`'s text as the write path will store it (NFC, without markup: a text that
    is only markup is empty), so the editor is told there, by the field, and the save that
    follows cannot fail."""
    fields = {field.name: field for field in form._meta.model._meta.concrete_fields}
    for name, value in list(cleaned.items()):
        if not (form.fields[name].required and isinstance(value, str) and name in fields):
            continue
        if value.strip() and not stored_text(fields[name], value).strip():
            form.add_error(name, form.fields[name].error_messages["required"])
    return cleaned


class AttachedForm(forms.ModelForm):
    """A link's or a source's row: its text checked as it will be stored (see
    `check_stored_text`; `PublishableAdmin.save_formset` writes it)."""

    def clean(self) -> dict:
        return check_stored_text(self, super().clean())


def text_state_form(model_form: type[forms.ModelForm]) -> type[forms.ModelForm]:
    """`model_form` with one "state of the text" choice per language of the site."""
    fields = {
        f"text_state_{code}": forms.ChoiceField(
            label=_("%(language)s text") % {"language": name},
            choices=[(state, TextState(state).label) for state in STORED_STATES],
            required=False,
            help_text=_(
                "Mark a machine translation as such: public pages then say so. Only "
                "reviewers can mark a text reviewed."
            ),
        )
        for code, name in settings.LANGUAGES
    }
    return type("TextStateForm", (model_form,), fields)


TEXT_STATE_FIELDS = [f"text_state_{code}" for code, _name in settings.LANGUAGES]


class TextStatesAdminMixin:
    """Hands the request's user to the form (`TextStatesForm.user`): which text states and
    statuses it offers depends on the user's roles."""

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})


class FoldedSearchMixin:
    """Admin search that ignores diacritics and case: "hoang van thu" finds "Hoàng Văn Thụ"."""

    search_fields = ("search_text",)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        if not search_term.strip():
            return queryset, False
        return queryset.search(search_term), False


class HistoryContext(HistoricalRecordContextHelper):
    """How a history page shows what changed. django-simple-history reads a foreign key that
    was empty as a deleted row ("Deleted person (pk=None)"): here it is shown empty."""

    def prepare_delta_change_value(self, change, value):
        if isinstance(value, DeletedObject) and value.pk is None:
            return "—"
        return super().prepare_delta_change_value(change, value)


class PublishableAdmin(
    TextStatesAdminMixin,
    RoleAutocompleteMixin,
    RoleChoicesMixin,
    FoldedSearchMixin,
    SimpleHistoryAdmin,
    TabbedTranslationAdmin,
):
    form = text_state_form(PublishableForm)
    list_filter = ["status", TextStateFilter]
    readonly_fields = ["published_at", "created_at", "updated_at"]
    list_per_page = 50
    history_list_display = ["history_status"]

    def get_historical_record_context_helper(self, request, historical_record) -> HistoryContext:
        return HistoryContext(self.model, historical_record)

    # The roles (sites/roles.py): what a user sees, edits and may set.

    def scope(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        """The records `request.user` finds in this list: what they may read (people: the
        published ones and those they look after, to link them)."""
        return roles.records_visible(request.user, queryset)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.scope(request, super().get_queryset(request))

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_view_permission(request, obj)
        return allowed and can(request, "record.view", obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can(request, "record.change", obj))

    def has_view_history_or_change_history_permission(self, request: HttpRequest, obj=None):
        """Past versions may hold text that was never published: the record's editors only (a
        version of the history is checked against the record as it is stored now)."""
        if obj is None:
            return self.has_view_permission(request)
        stored = self.model._default_manager.filter(pk=obj.pk).first()
        return stored is not None and can(request, "record.history", stored)

    def save_model(self, request: HttpRequest, obj: PublishableModel, form, change: bool) -> None:
        previous = type(obj).objects.filter(pk=obj.pk).values_list("status", flat=True).first()
        if isinstance(form, TextStatesForm):
            obj.translation_states = form.text_states()
        # The content's one write path, as the API's and the import's: the form has validated
        # what the user typed; the roles refuse what the form never offered (a crafted request:
        # PermissionDenied) and may send an editor's change back to review.
        record_save(record=obj, by=request.user)
        if obj.merged_into_id and previous == Status.PUBLISHED and obj.status == Status.WITHDRAWN:
            messages.info(
                request,
                _(
                    "Merged into “%(record)s”: this record is withdrawn, and its plates now "
                    "lead to the record that stays."
                )
                % {"record": obj.merged_into},
            )
        if previous in (Status.PUBLISHED, Status.WITHDRAWN) and obj.status == Status.REVIEW:
            messages.warning(
                request,
                _(
                    "Your changes were sent to the reviewers: the public page says “being "
                    "updated” until a reviewer publishes the record again."
                ),
            )

    # What hangs on the record: links and sources

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        """Links and sources are written through the content's write path for what hangs on a
        record (`attached_save`, `attached_delete`), as the import's are: each added, changed or
        removed row puts its record through the roles, so an editor's change to a published
        record's links or sources sends it back to review, with the editor in the histories.
        A link hangs on its place (it is shown on the place's page), also when it is written
        from the person's page. Other inlines save as Django's do."""
        if formset.model not in (PersonLink, Source):
            super().save_formset(request, form, formset, change)
            return
        rows = formset.save(commit=False)
        sent_back = {}
        for row, delete in [(row, True) for row in formset.deleted_objects] + [
            (row, False) for row in rows
        ]:
            record = attached_record(row, form.instance)
            before = record.status
            if delete:
                attached_delete(row, record=record, by=request.user)
            else:
                attached_save(row, record=record, by=request.user)
            if record is not form.instance and record.status != before:
                sent_back[record.pk] = record
        formset.save_m2m()
        for record in sent_back.values():
            messages.warning(
                request,
                _(
                    "“%(record)s” was sent to the reviewers: its public page says “being "
                    "updated” until a reviewer publishes it again."
                )
                % {"record": record},
            )

    # History

    @admin.display(description=_("status"))
    def history_status(self, version) -> str:
        return Status(version.status).label if version.status in Status.values else "—"

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied  # before any lookup: nothing to learn, nothing to spend
        record = self.get_object(request, object_id)
        if request.method == "GET" and record is not None:
            for code in record.missing_languages():
                messages.warning(
                    request,
                    _("The %(language)s text of this record is not written yet.")
                    % {"language": languages.get(code).name},
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


def attached_record(row: PersonLink | Source, page_record: PublishableModel) -> PublishableModel:
    """The record `row` hangs on, written from `page_record`'s page: a source's owner (the
    page's record), a link's place (the page's record, or on a person's page the place at the
    link's other end)."""
    if isinstance(row, PersonLink) and not isinstance(page_record, Place):
        return row.place.specific
    return page_record


class SourceInline(TranslationTabularInline):
    model = Source
    form = AttachedForm
    fields = ["title", "url", "note", "citable", "position"]
    extra = 0


class PhotoInline(TranslationStackedInline):
    model = Photo
    fields = ["image", "caption", "credit", "position"]
    extra = 0


class NarrationInline(admin.TabularInline):
    """A recording of the record's text per language (lib.audio checks it and removes its
    tags); the page's text in that language is its transcript."""

    model = Narration
    fields = ["language", "audio", "duration"]
    readonly_fields = ["duration"]
    extra = 0

    @admin.display(description=_("length"))
    def duration(self, narration: Narration) -> str:
        return narration.duration if narration.pk else "—"


def per_owner(inline: type) -> tuple[type, type]:
    """`inline` for a place's page and for a person's: the two keys of the owner shape."""
    return tuple(
        type(f"{owner.title()}{inline.__name__}", (inline,), {"fk_name": owner})
        for owner in ("place", "person")
    )


PlaceSourceInline, PersonSourceInline = per_owner(SourceInline)
PlacePhotoInline, PersonPhotoInline = per_owner(PhotoInline)
PlaceNarrationInline, PersonNarrationInline = per_owner(NarrationInline)
RouteNarrationInline = type("RouteNarrationInline", (NarrationInline,), {"fk_name": "route"})


class PlacePersonLinkInline(ScopedLinkInlineMixin, TranslationTabularInline):
    model = PersonLink
    form = AttachedForm
    fk_name = "place"
    other = "person"
    fields = ["person", "role", "year_from", "year_to", "note"]
    autocomplete_fields = ["person"]
    extra = 0
    verbose_name_plural = _("linked people")


class PersonPlaceLinkInline(PlacePersonLinkInline):
    """A person's links to places: a link is shown on the place's page, so an editor adds and
    changes links to the places of their own communes only; the others are read-only."""

    fk_name = "person"
    other = "place"
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
        (None, {"fields": ["name", "slug", "status", *main, "wikidata"]}),
        (_("Text"), {"fields": ["summary", "body", *TEXT_STATE_FIELDS]}),
        (_("Location"), {"fields": list(location)}),
    ]
    if visiting:
        fieldsets.append((_("Visiting"), {"fields": ["opening_hours", "fees", "visiting_notes"]}))
    fieldsets.append(ADVANCED)
    return fieldsets


def admin_map_csp() -> dict:
    """The Content-Security-Policy of a page with the admin's map: the site's own, with the
    tile server's host added to img-src (settings.ADMIN_MAP_TILES). Only those admin pages get
    it; the public site loads nothing from another host. (`data:` too: Leaflet blanks a tile it
    abandons with a one-pixel data: image.)"""
    tiles = urlsplit(settings.ADMIN_MAP_TILES)
    policy = dict(settings.SECURE_CSP)
    policy["img-src"] = [*policy.get("img-src", []), f"{tiles.scheme}://{tiles.netloc}", "data:"]
    return policy


def units_geojson(request: HttpRequest) -> JsonResponse:
    """Every current commune and ward, with its boundary, as a GeoJSON FeatureCollection: the
    outlines the admin's map draws under a place's point (read from the process's copy of the
    boundaries, `unit_boundaries`)."""
    boundaries = unit_boundaries()
    units = AdminUnit.objects.communes().defer("boundary").order_by("slug")
    features = [
        {
            "type": "Feature",
            "id": unit.pk,
            "properties": {"name": unit.name, "code": unit.code},
            "geometry": boundaries[unit.pk][1],
        }
        for unit in units
        if unit.pk in boundaries
    ]
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Cache-Control"] = "private, max-age=3600"
    return response


class PlaceAdminBase(PublishableAdmin):
    """A place's form: its point can be placed on a map (Leaflet from our static files, over
    tiles from settings.ADMIN_MAP_TILES) that also draws our communes' outlines, so that an
    editor sees in which commune the point falls even when the tiles do not load. The latitude
    and longitude boxes stay, and typing in them moves the point."""

    list_display = ["name", "unit", "status", translation_mark, "updated_at"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit", "merged_into"]
    readonly_fields = [*PublishableAdmin.readonly_fields, "public_link"]
    inlines = [PlacePersonLinkInline, PlaceSourceInline, PlacePhotoInline, PlaceNarrationInline]

    def scope(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        """An editor's lists of places are their communes' and wards' (published places of
        others are read on the public site)."""
        return roles.places_for(request.user, queryset)

    def get_list_filter(self, request: HttpRequest) -> list:
        return [*super().get_list_filter(request), ("unit", admin.RelatedOnlyFieldListFilter)]

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "unit" and not roles.can_publish(request.user):
            # An editor files records under their own communes and wards (roles.choices), and
            # must choose one.
            field.required = True
        return field

    class Media:
        css = {"all": ["vendor/leaflet/leaflet.css", "css/admin_place_map.css"]}
        js = ["vendor/leaflet/leaflet.js", "js/admin_place_map.js"]

    def get_urls(self) -> list:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "units.geojson",
                self.admin_site.admin_view(self.units_geojson_view),
                name="{}_{}_units_geojson".format(*info),
            ),
            *super().get_urls(),
        ]

    def units_geojson_view(self, request: HttpRequest) -> JsonResponse:
        """The outlines for the map: for those who may read this kind of place."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return units_geojson(request)

    def render_change_form(self, request: HttpRequest, context: dict, *args, **kwargs):
        info = self.opts.app_label, self.opts.model_name
        context["place_map"] = {
            "tiles": settings.ADMIN_MAP_TILES,
            "attribution": settings.ADMIN_MAP_ATTRIBUTION,
            "units": reverse("admin:{}_{}_units_geojson".format(*info)),
        }
        return super().render_change_form(request, context, *args, **kwargs)

    def changeform_view(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        view = csp_override(admin_map_csp())(super().changeform_view)
        return view(request, *args, **kwargs)

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


class StreetAdmin(PlaceAdminBase):
    list_display = ["name", "street_type", "named_after", "unit", "status", translation_mark]
    list_select_related = ["unit", "named_after"]
    autocomplete_fields = ["unit", "named_after", "merged_into"]
    fieldsets = place_fieldsets(
        (
            "street_type",
            "named_after",
            "namesake_wikidata",
            "naming_resolution",
            "naming_resolution_date",
        ),
        ("start_point", "end_point", "length_m", "lat", "lon", "end_lat", "end_lon", "unit"),
    )
    inlines = [FormerNameInline, *PlaceAdminBase.inlines]


class PlaceAdmin(RoleAutocompleteMixin, FoldedSearchMixin, admin.ModelAdmin):
    """All places in one list, whatever their kind; editing happens in each kind's own form."""

    list_display = ["name", "kind", "unit", "status", translation_mark, "updated_at"]
    list_filter = [
        "kind",
        "status",
        TextStateFilter,
        ("unit", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["unit"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Place]:
        return roles.places_for(request.user, super().get_queryset(request))

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


class PersonAdmin(PublishableAdmin):
    readonly_fields = [*PublishableAdmin.readonly_fields, "public_link"]
    list_display = ["name", "life_years", "role", "status", translation_mark]
    autocomplete_fields = ["merged_into"]
    inlines = [PersonPlaceLinkInline, PersonSourceInline, PersonPhotoInline, PersonNarrationInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "status", "alt_names", "role", "wikidata"]}),
        (
            _("Years"),
            {"fields": [("birth_year", "birth_year_approx"), ("death_year", "death_year_approx")]},
        ),
        (_("Biography"), {"fields": ["biography", "portrait", *TEXT_STATE_FIELDS]}),
        ADVANCED,
    ]

    @admin.display(description=_("Years"))
    def life_years(self, person: Person) -> str:
        return person.years


class AdminUnitAdmin(RoleAutocompleteMixin, TabbedTranslationAdmin):
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

    def search_match(self, term: str) -> Q:
        # The slug is the folded name, so "ky lua" finds "Phường Kỳ Lừa". (The "commune or
        # ward" box of a record offers an editor their own units only: roles.choices.)
        return Q(slug__contains=slugify_vi(term)) | Q(code__startswith=term)


class RouteStopInline(admin.TabularInline):
    model = RouteStop
    extra = 1
    autocomplete_fields = ["place"]
    fields = ["position", "place"]
    ordering = ["position"]


class RouteAdmin(TextStatesAdminMixin, SimpleHistoryAdmin, TabbedTranslationAdmin):
    """Walking routes: the stops in order; the length and walking time are computed from them
    on the page. Saved through the content's one write path (`record_save`: validation, the
    roles, the writer in its history); publishing a route asks the same rule as a record's
    status (roles)."""

    list_display = ["title", "status", "slug"]
    list_filter = ["status"]
    search_fields = ["slug", "title_vi", "title_en"]
    form = text_state_form(TextStatesForm)
    fields = ["title", "summary", "body", *TEXT_STATE_FIELDS, "slug", "status", "external_id"]
    inlines = [RouteStopInline, RouteNarrationInline]

    def save_model(self, request: HttpRequest, obj: Route, form, change: bool) -> None:
        obj.translation_states = form.text_states()
        record_save(record=obj, by=request.user)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        field = super().formfield_for_choice_field(db_field, request, **kwargs)
        if db_field.name == "status":
            field.choices = [
                (value, label)
                for value, label in field.choices
                if roles.can_set_status(request.user, value)
            ]
        return field
