"""Plates in the editors' admin: a plate list filtered by status and commune, each plate's page
with its QR code, history and scans, plates inline on every record, and a "mint plate" action.
Codes are read-only everywhere; every write goes through `qrplates.services`.

Nothing here is registered: `backoffice/admin.py` puts these admins on the admin site and adds
the inlines and the action to the records' admins."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lib.text import fold
from qrplates import artwork, batch_files, batch_views, batches, codes, rendering, services
from qrplates.artwork.text import number, span
from qrplates.models import TRANSITIONS, BatchFile, Plate, PlateEvent, PrintBatch
from qrplates.selectors import field_position
from sites import roles
from sites.admin_scope import RoleAutocompleteMixin, RoleChoicesMixin, can
from sites.models import Place
from sites.services import record_save

RECENT_DAYS = 30


def days(duration: datetime.timedelta | None) -> str:
    """A lead time in days, to a tenth ("—" while one of its ends is missing)."""
    if duration is None:
        return "—"
    return str(round(duration.total_seconds() / 86400, 1)).removesuffix(".0")


def plate_link(plate: Plate) -> str:
    return format_html(
        '<a href="{}"><code>{}</code></a>',
        reverse("admin:qrplates_plate_change", args=[plate.pk]),
        plate.code,
    )


class PlateStepForm(forms.ModelForm):
    """One new step in a plate's life, checked against the plate's current status."""

    plate: Plate | None = None

    class Meta:
        model = PlateEvent
        fields = ["on", "to_status", "done_by", "lat", "lon", "photo", "notes"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.plate is not None and "to_status" in self.fields and self.instance.pk is None:
            self.fields["to_status"].choices = [("", "---------")] + [
                (status, Plate.Status(status).label) for status in TRANSITIONS[self.plate.status]
            ]

    def clean(self) -> dict:
        data = super().clean()
        if self.plate is None or self.instance.pk or not data.get("to_status"):
            return data
        try:
            services.check_step(
                self.plate,
                data["to_status"],
                on=data.get("on") or timezone.localdate(),
                lat=data.get("lat"),
                lon=data.get("lon"),
            )
        except ValidationError as error:
            raise ValidationError(error.messages) from error
        return data


class PlateStepFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        new = [f for f in self.extra_forms if f.has_changed() and not f.errors]
        if len(new) > 1:
            raise ValidationError(gettext("Record one step at a time."))


class PlateEventInline(admin.TabularInline):
    """The plate's history, read-only, and a row to record the next step."""

    model = PlateEvent
    form = PlateStepForm
    formset = PlateStepFormSet
    fields = ["on", "to_status", "done_by", "lat", "lon", "photo", "notes", "recorded_by"]
    readonly_fields = ["recorded_by"]
    extra = 0
    can_delete = False
    verbose_name = _("step")
    verbose_name_plural = _("history")

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # a step, once recorded, is history

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is not None and bool(TRANSITIONS[obj.status]) and can(request, "plate.step", obj)

    def get_formset(
        self, request: HttpRequest, obj: Plate | None = None, **kwargs
    ) -> type[BaseInlineFormSet]:
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type("PlateStepFormFor", (formset.form,), {"plate": obj})
        return formset


class TargetKindFilter(admin.SimpleListFilter):
    title = _("leads to")
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [*Place.Kind.choices, ("person", _("Person"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "person":
            return queryset.exclude(person=None)
        if self.value() in Place.Kind.values:
            return queryset.filter(place__kind=self.value())
        return queryset


class PlateForm(forms.ModelForm):
    """A plate's record: "exactly one of a place and a person" is the model's constraint, which
    the form checks with its message (`sites.models.one_owner_constraint`)."""

    class Meta:
        model = Plate
        fields = ["place", "person", "route", "label", "notes", "needs_review", "review_note"]


class PlateAdmin(RoleAutocompleteMixin, RoleChoicesMixin, admin.ModelAdmin):
    """Who sees which plates, and who takes which step, is `sites.roles`: an editor sees the
    plates of their records and mints plates for them; the steps of a plate's life (artwork
    approved, printed, retired: retiring cannot be undone) and print batches are reviewers'."""

    form = PlateForm
    list_display = [
        "code",
        "leads_to",
        "label",
        "status",
        "unit_name",
        "scans",
        "content_days",
        "attach_days",
        "minted_on",
    ]
    list_filter = [
        "status",
        "needs_review",
        TargetKindFilter,
        ("place__unit", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["place", "place__unit", "person"]
    search_fields = ["code"]
    search_help_text = _("A code (any letter case) or a name, with or without diacritics.")
    autocomplete_fields = ["place", "person", "route"]
    readonly_fields = [
        "code",
        "qr_preview",
        "artwork_links",
        "status",
        "replaces_link",
        "lead_times",
        "scan_history",
        "created_at",
        "created_by",
    ]
    inlines = [PlateEventInline]
    actions = ["approve_artwork", "mark_printed", "retire", "put_into_batch"]
    list_per_page = 100

    def get_fieldsets(self, request: HttpRequest, obj: Plate | None = None) -> list[tuple]:
        if obj is None:
            return [(None, {"fields": ["place", "person", "label", "notes"]})]
        return [
            (None, {"fields": ["code", "qr_preview", "artwork_links", "status", "label"]}),
            (
                _("Leads to"),
                {
                    "fields": ["place", "person", "route"],
                    "description": _(
                        "Changing this makes the printed code lead to another record; the code "
                        "stays. A merged record needs no change: its plates follow the merge."
                    ),
                },
            ),
            (
                None,
                {"fields": ["lead_times", "scan_history", "notes", "needs_review", "review_note"]},
            ),
            (
                _("Advanced"),
                {
                    "classes": ["collapse"],
                    "fields": ["replaces_link", "created_at", "created_by"],
                },
            ),
        ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Plate]:
        plates = super().get_queryset(request).with_durations().with_scan_total()
        # Grouped by the lead-time aggregates, the query no longer takes the model's ordering
        # by itself: the plate boxes of print batches page through it.
        return roles.plates_for(request.user, plates).order_by(*Plate._meta.ordering)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or can(request, "plate.view", obj))

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and can(request, "plate.step", obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # a code once printed must keep resolving: retire the plate instead

    # The bulk actions' permissions (admin.action(permissions=[…])), from the roles.

    def has_approve_artwork_permission(self, request: HttpRequest) -> bool:
        return can(request, "plate.approve_artwork")

    def has_mark_printed_permission(self, request: HttpRequest) -> bool:
        return can(request, "plate.mark_printed")

    def has_retire_permission(self, request: HttpRequest) -> bool:
        return can(request, "plate.retire")

    def has_batch_permission(self, request: HttpRequest) -> bool:
        return can(request, "batch.create")

    def search_match(self, term: str) -> Q:
        """A code (as typed or scanned, any case or separators) or words of the name of the
        place or person the plate leads to."""
        condition = Q(code__startswith=codes.clean(term)[: codes.CODE_LENGTH])
        words = fold(term).split()
        if words:
            place_match, person_match = Q(), Q()
            for word in words[:10]:
                place_match &= Q(place__search_text__contains=word)
                person_match &= Q(person__search_text__contains=word)
            condition |= place_match | person_match
        return condition

    # Columns and read-only fields

    @admin.display(description=_("leads to"))
    def leads_to(self, plate: Plate) -> str:
        record = plate.place or plate.person
        return format_html(
            '<a href="{}">{}</a> <small>({})</small>',
            reverse(f"admin:sites_{record._meta.model_name}_change", args=[record.pk]),
            record,
            _kind_label(plate),
        )

    @admin.display(description=_("minted"), ordering="created_at")
    def minted_on(self, plate: Plate) -> str:
        # The day is enough in the list (the hour is on the plate's page): the list then fits
        # 1366 px.
        return timezone.localtime(plate.created_at).strftime("%d/%m/%Y")

    @admin.display(description=_("commune or ward"), ordering="place__unit__name")
    def unit_name(self, plate: Plate) -> str:
        return plate.unit.name if plate.unit else "—"

    @admin.display(description=_("scans"), ordering="scan_total")
    def scans(self, plate: Plate) -> int:
        return plate.scan_total

    @admin.display(description=_("time to gather the content (days)"), ordering="content_time")
    def content_days(self, plate: Plate) -> str:
        return days(plate.content_time)

    @admin.display(description=_("time to attach (days)"), ordering="attach_time")
    def attach_days(self, plate: Plate) -> str:
        return days(plate.attach_time)

    @admin.display(description=_("QR code"))
    def qr_preview(self, plate: Plate) -> str:
        svg = rendering.render_svg(plate.code, module_px=5).content.decode()
        return format_html(
            '<div>{}</div><p><code>{}</code></p><p><a href="{}" download>SVG</a> · '
            '<a href="{}" download>PNG</a> · '
            '<a href="{}" target="_blank" rel="noopener">{}</a></p>',
            # Our own markup, drawn from a validated code (digits and capitals only).
            mark_safe(svg),
            rendering.payload(plate.code),
            reverse("admin:qrplates_plate_qr", args=[plate.pk, "svg"]),
            reverse("admin:qrplates_plate_qr", args=[plate.pk, "png"]),
            plate.get_absolute_url(),
            gettext("open what it leads to"),
        )

    @admin.display(description=_("plate artwork"))
    def artwork_links(self, plate: Plate) -> str:
        data = batches.plate_data(plate)
        default = batches.plate_template(data.kind)
        others = [template for template in artwork.TEMPLATES.values() if template != default]
        rows = format_html_join(
            "",
            "<div>{}: {}</div>",
            (
                (
                    template.label,
                    format_html_join(
                        " · ",
                        '<a href="{}?template={}" download>{}</a>',
                        (
                            (
                                reverse("admin:qrplates_plate_artwork", args=[plate.pk, fmt]),
                                template.name,
                                fmt.upper(),
                            )
                            for fmt in artwork.FORMATS
                        ),
                    ),
                )
                for template in [default, *others]
            ),
        )
        return format_html("{}{}", rows, template_notes([default]))

    @admin.action(description=_("Put into a print batch"), permissions=["batch"])
    def put_into_batch(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return put_into_batch(self, request, queryset)

    @admin.display(description=_("replaces"))
    def replaces_link(self, plate: Plate) -> str:
        parts = []
        if plate.replaces_id:
            parts.append(format_html("{} {}", gettext("Replaces"), plate_link(plate.replaces)))
        for newer in plate.replacements.all():
            parts.append(format_html("{} {}", gettext("Replaced by"), plate_link(newer)))
        return format_html_join(mark_safe("<br>"), "{}", ((p,) for p in parts)) or "—"

    @admin.display(description=_("lead times"))
    def lead_times(self, plate: Plate) -> str:
        return format_html(
            "{}: {} · {}: {}",
            gettext("time to gather the content (days)"),
            days(plate.content_time),
            gettext("time to attach (days)"),
            days(plate.attach_time),
        )

    @admin.display(description=_("scans"))
    def scan_history(self, plate: Plate) -> str:
        since = timezone.localdate() - datetime.timedelta(days=RECENT_DAYS - 1)
        recent = list(plate.scan_days.filter(day__gte=since).values_list("day", "count"))
        summary = gettext("%(total)s in all, %(recent)s in the last %(days)s days") % {
            "total": plate.scan_total,
            "recent": sum(count for _day, count in recent),
            "days": RECENT_DAYS,
        }
        rows = format_html_join(
            "", "<li>{}: {}</li>", ((day.strftime("%d/%m/%Y"), n) for day, n in recent)
        )
        return format_html("{}<ul>{}</ul>", summary, rows)

    # Writes, all through the services

    def save_model(self, request: HttpRequest, obj: Plate, form, change: bool) -> None:
        target = form.cleaned_data.get("place") or form.cleaned_data.get("person")
        # The form offers only the records the roles allow (roles.choices); this is the rule
        # for the step itself.
        if not change:
            roles.check(request.user, "plate.mint", target)
        elif {"place", "person"} & set(form.changed_data):
            roles.check(request.user, "plate.retarget", obj)
        if not change:
            minted = services.plate_mint(
                target=target, label=obj.label, notes=obj.notes, by=request.user
            )
            obj.pk = minted.pk
            obj._state.adding = False
            obj.refresh_from_db()
            return
        if {"place", "person"} & set(form.changed_data):
            services.plate_retarget(plate=obj, target=target, by=request.user)
        obj.save(update_fields=["label", "notes", "needs_review", "review_note"])

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not PlateEvent:
            return super().save_formset(request, form, formset, change)
        plate = form.instance
        # What the admin's change message reads; the steps are written by the services.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for step in formset.extra_forms:
            if not step.has_changed():
                continue
            data = step.cleaned_data
            details = {
                "on": data.get("on"),
                "by": request.user,
                "done_by": data.get("done_by", ""),
                "notes": data.get("notes", ""),
            }
            if data["to_status"] == Plate.Status.REPLACED:
                replacement = services.plate_replace(plate=plate, **details)
                formset.new_objects.append(plate.events.last())
                messages.success(
                    request,
                    format_html(
                        "{} {}", gettext("Replacement plate minted:"), plate_link(replacement)
                    ),
                )
            else:
                event = services.plate_transition(
                    plate=plate,
                    status=data["to_status"],
                    lat=data.get("lat"),
                    lon=data.get("lon"),
                    photo=data.get("photo") or None,
                    **details,
                )
                formset.new_objects.append(event)

    def _bulk_step(self, request: HttpRequest, queryset: QuerySet, status: str) -> None:
        done, refused = 0, []
        for plate in queryset:
            try:
                services.plate_transition(plate=plate, status=status, by=request.user)
                done += 1
            except ValidationError as error:
                refused.append(f"{plate.code}: {' '.join(error.messages)}")
        label = Plate.Status(status).label
        if done:
            messages.success(
                request,
                gettext("Plates now “%(status)s”: %(count)s.") % {"count": done, "status": label},
            )
        for reason in refused:
            messages.error(request, reason)

    @admin.action(description=_("Artwork approved (today)"), permissions=["approve_artwork"])
    def approve_artwork(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._bulk_step(request, queryset, Plate.Status.ARTWORK_APPROVED)

    @admin.action(description=_("Printed (today)"), permissions=["mark_printed"])
    def mark_printed(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._bulk_step(request, queryset, Plate.Status.PRINTED)

    @admin.action(description=_("Retire (today)"), permissions=["retire"])
    def retire(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._bulk_step(request, queryset, Plate.Status.RETIRED)

    # The list's lead-time summary and the QR downloads

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if isinstance(response, TemplateResponse) and "cl" in (response.context_data or {}):
            queryset = response.context_data["cl"].queryset
            summary = Plate.objects.filter(pk__in=queryset.values("pk")).duration_summary()
            response.context_data["lead_summary"] = {
                key: value if key.endswith("_count") else days(value)
                for key, value in summary.items()
            }
        return response

    def get_urls(self) -> list:
        return [
            path(
                "<int:pk>/qr.<str:fmt>",
                self.admin_site.admin_view(self.qr_file),
                name="qrplates_plate_qr",
            ),
            *super().get_urls(),
        ]

    def qr_file(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        plate = get_object_or_404(roles.plates_for(request.user), pk=pk)
        if not self.has_view_permission(request, plate) or fmt not in {"svg", "png"}:
            return HttpResponse(status=404)
        render = rendering.render_svg if fmt == "svg" else rendering.render_png
        file = render(plate.code)
        response = HttpResponse(file.content, content_type=file.mime)
        response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
        return response


def _kind_label(plate: Plate) -> str:
    if plate.place_id:
        return Place.Kind(plate.place.kind).label
    return gettext("Person")


# Plates on every record's page, and the "mint plate" action on every record list.


class MintingFormSet(BaseInlineFormSet):
    """A new row in a record's plates mints a plate (a code is never typed by hand)."""

    user = None

    def save_new(self, form, commit: bool = True) -> Plate:
        roles.check(self.user, "plate.mint", self.instance)
        return services.plate_mint(
            target=self.instance, label=form.cleaned_data.get("label", ""), by=self.user
        )


class PlateInline(admin.TabularInline):
    model = Plate
    formset = MintingFormSet
    fields = ["code_link", "label", "status", "scans"]
    readonly_fields = ["code_link", "status", "scans"]
    extra = 0
    can_delete = False
    verbose_name = _("plate")
    verbose_name_plural = _("plates (a new row mints a code)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Plate]:
        return roles.plates_for(request.user, super().get_queryset(request).with_scan_total())

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # edited on the plate's own page

    def get_formset(self, request: HttpRequest, obj=None, **kwargs) -> type[BaseInlineFormSet]:
        formset = super().get_formset(request, obj, **kwargs)
        return type("MintingFormSetFor", (formset,), {"user": request.user})

    @admin.display(description=_("code"))
    def code_link(self, plate: Plate) -> str:
        return plate_link(plate) if plate.pk else "—"

    @admin.display(description=_("scans"))
    def scans(self, plate: Plate) -> int:
        return getattr(plate, "scan_total", 0)


class PlacePlateInline(PlateInline):
    fk_name = "place"


class PersonPlateInline(PlateInline):
    fk_name = "person"


class MintPermissionMixin:
    """For a record's admin that offers `mint_plates`: who may mint at all (the action's
    `permissions=["mint"]`); each record is then checked on its own."""

    def has_mint_permission(self, request: HttpRequest) -> bool:
        return can(request, "plate.mint")


@admin.action(description=_("Mint a plate for each selected record"), permissions=["mint"])
def mint_plates(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    """Needs `has_mint_permission` on the record's admin (`MintPermissionMixin`); each record is
    checked on its own (a person an editor reads but does not look after gets no plate from
    them)."""
    minted = []
    for record in queryset:
        if not can(request, "plate.mint", record):
            messages.error(
                request,
                gettext("%(record)s: you can only edit records in your communes.")
                % {"record": record},
            )
            continue
        minted.append(services.plate_mint(target=record, by=request.user))
    if minted:
        messages.success(
            request,
            format_html(
                "{} {}",
                gettext("Plates minted:"),
                format_html_join(", ", "{} ({})", ((plate_link(p), p.owner) for p in minted)),
            ),
        )


# Print batches and plate artwork (the artwork issue): staff put plates into a batch and send it
# to a print shop; the shop's account sees only its own batches, downloads them and marks them
# printed. A signed, expiring link serves a shop without an account.


def template_notes(templates: list[artwork.Template]) -> str:
    """The templates' sizes, mounting and the QR sizing rule, as staff and print shops read
    them."""
    lines = [
        format_html(
            "<strong>{}</strong>: {} × {} mm · {} · {} · {}",
            template.label,
            number(template.width_mm),
            number(template.height_mm),
            gettext("mount %(height)s m above the ground")
            % {"height": span(template.mounting_height_m)},
            gettext("read from %(distance)s m") % {"distance": span(template.reading_distance_m)},
            gettext("QR at least %(size)s mm wide")
            % {"size": number(template.qr_min_for_distance_mm)},
        )
        for template in templates
    ]
    rule = gettext(
        "A phone reads a QR code from at most about ten times its width: the QR's width is at "
        "least a tenth of the reading distance, and a size whose modules would be too small to "
        "print cleanly is refused."
    )
    return format_html(
        "{}<p class='help'>{}</p>",
        format_html_join("", "<div>{}</div>", ((line,) for line in lines)),
        rule,
    )


class PrintBatchForm(forms.ModelForm):
    class Meta:
        model = PrintBatch
        fields = [
            "name",
            "printer",
            "template",
            "error_correction",
            "png_dpi",
            "sheet",
            "plates",
            "notes",
        ]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("plates") is not None:
            # The batch's options as submitted: the artwork is checked with them.
            draft = PrintBatch(
                template=data.get("template", ""),
                error_correction=data.get("error_correction", "H"),
            )
            kept = self.instance.plates.values_list("pk", flat=True) if self.instance.pk else ()
            batches.check_plates(
                data["plates"].select_related(
                    "place__unit", "place__merged_into", "person", "person__merged_into"
                ),
                batch=draft,
                kept=set(kept),
            )
        return data


class PrintBatchAdmin(RoleChoicesMixin, admin.ModelAdmin):
    form = PrintBatchForm
    change_form_template = "qrplates/artwork_batch_change_form.html"
    view_on_site = False  # its own address is this page
    list_display = [
        "name",
        "status",
        "plate_count",
        "printer",
        "created_at",
        "sent_at",
        "printed_at",
    ]
    list_filter = ["status", ("printer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "plates__code"]
    autocomplete_fields = ["plates"]
    readonly_fields = [
        "status",
        "plate_count",
        "templates_used",
        "download",
        "signed_link",
        "created_at",
        "created_by",
        "sent_at",
        "printed_at",
        "printed_by",
    ]

    # Who sees what (sites.roles): staff with permissions as usual; a print shop only the
    # batches sent to it.

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or can(request, "batch.view")

    def has_view_permission(self, request: HttpRequest, obj: PrintBatch | None = None) -> bool:
        return can(request, "batch.view", obj)

    def has_delete_permission(self, request: HttpRequest, obj: PrintBatch | None = None) -> bool:
        # A batch is the record of what a print shop was given: only an unsent one goes.
        return super().has_delete_permission(request, obj) and (
            obj is None or obj.status == PrintBatch.Status.DRAFT
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[PrintBatch]:
        batches_seen = super().get_queryset(request).with_plate_count().select_related("printer")
        return roles.batches_for(request.user, batches_seen)

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        # Who changed what in a batch is the Department's business, not the print shop's.
        if not can(request, "batch.history"):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def get_fieldsets(self, request: HttpRequest, obj: PrintBatch | None = None) -> list[tuple]:
        files = (_("Artwork"), {"fields": ["templates_used", "download", "signed_link"]})
        history = (
            _("History"),
            {"fields": ["created_at", "created_by", "sent_at", "printed_at", "printed_by"]},
        )
        if obj is None:
            return [(None, {"fields": ["name", "printer", "plates", "notes"]}), self._options()]
        if not request.user.has_perm("qrplates.view_printbatch"):
            # A print shop's view: what to print and how, nothing about the Department's work.
            files[1]["fields"] = ["templates_used", "download"]
            return [(None, {"fields": ["name", "status", "plate_count", "notes"]}), files]
        return [
            (None, {"fields": ["name", "status", "printer", "plate_count", "plates", "notes"]}),
            files,
            self._options(),
            history,
        ]

    def _options(self) -> tuple:
        return (
            _("Print options"),
            {
                "classes": ["collapse"],
                "fields": ["template", "error_correction", "png_dpi", "sheet"],
            },
        )

    def get_readonly_fields(self, request: HttpRequest, obj: PrintBatch | None = None) -> list[str]:
        if obj is not None and obj.status != PrintBatch.Status.DRAFT:
            # What the print shop was given is fixed; notes stay open for what happens next.
            fixed = [field for field in PrintBatchForm.Meta.fields if field != "notes"]
            return [*self.readonly_fields, *fixed]
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: PrintBatch, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    # Columns and read-only fields

    @admin.display(description=_("number of plates"), ordering="plate_count")
    def plate_count(self, batch: PrintBatch) -> int:
        return getattr(batch, "plate_count", 0)

    @admin.display(description=_("templates"))
    def templates_used(self, batch: PrintBatch) -> str:
        if batch.template:
            used = [artwork.get_template(batch.template)]
        else:
            kinds = {
                kind or "person"
                for kind in batch.plates.values_list("place__kind", flat=True).distinct()
            }
            used = list(dict.fromkeys(artwork.template_for_kind(kind) for kind in sorted(kinds)))
        return template_notes(used or list(artwork.TEMPLATES.values()))

    @admin.display(description=_("download"))
    def download(self, batch: PrintBatch) -> str:
        if batch.pk is None:
            return "—"
        return format_html(
            '<a class="button" href="{}">{}</a><p class="help">{}</p>',
            reverse("admin:qrplates_printbatch_download", args=[batch.pk]),
            gettext("Download the ZIP"),
            gettext(
                "Per plate a print-ready PDF (exact size, 3 mm bleed, crop marks), an SVG and a "
                "PNG; the plates imposed on press sheets; and manifest.csv. The ZIP is built in "
                "the background the first time it is asked for, and again only when the batch "
                "or its plates change; this page shows how far the build is."
            ),
        )

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        batch = self.get_object(request, object_id)
        if batch is not None:
            state = batch_files.state_of(batch, batch_files.current_fingerprint(batch))
            extra_context = {
                **(extra_context or {}),
                "batch_file": state,
                # A record withdrawn after its plate went in, plates with no position.
                "batch_problems": batches.batch_problems(batch),
                "batch_file_refresh": batch_views.REFRESH_SECONDS
                if state is not None and batch_views.building(state)
                else 0,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("download link for the print shop"))
    def signed_link(self, batch: PrintBatch) -> str:
        if batch.pk is None or batch.status == PrintBatch.Status.DRAFT:
            return gettext("Available once the batch is sent to the print shop.")
        url = settings.PUBLIC_BASE_URL + reverse(
            "qrplates:batch-download", args=[batches.download_token(batch)]
        )
        expires = timezone.localdate() + batches.LINK_LIFETIME
        return format_html(
            '<input type="text" readonly size="80" value="{}"><p class="help">{}</p>',
            url,
            gettext(
                "Works without an account until %(date)s. “New download link” withdraws every "
                "link given out before."
            )
            % {"date": expires.strftime("%d/%m/%Y")},
        )

    # The batch's own pages: download, send, mark printed, new link

    def get_urls(self) -> list:
        own = [
            ("<int:pk>/download/", self.download_view, "download"),
            ("<int:pk>/build/", self.build_view, "build"),
            ("<int:pk>/send/", self.send_view, "send"),
            ("<int:pk>/printed/", self.printed_view, "printed"),
            ("<int:pk>/new-link/", self.new_link_view, "new_link"),
        ]
        return [
            *(
                path(route, self.admin_site.admin_view(view), name=f"qrplates_printbatch_{name}")
                for route, view, name in own
            ),
            path(
                "plate/<int:pk>/artwork.<str:fmt>",
                self.admin_site.admin_view(self.plate_artwork_view),
                name="qrplates_plate_artwork",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = get_object_or_404(PrintBatch, pk=pk)
        if not can(request, "batch.download", batch):
            raise PermissionDenied
        state = batch_files.ensure_built(batch)
        if state.status == BatchFile.Status.READY:
            return batch_files.file_response(request, state)
        return redirect(batch.get_absolute_url())

    def build_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """POST: "Try again" after a failed build."""
        batch = get_object_or_404(PrintBatch, pk=pk)
        if request.method != "POST" or not can(request, "batch.download", batch):
            raise PermissionDenied
        batch_files.ensure_built(batch, retry=True)
        return redirect(batch.get_absolute_url())

    def send_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = get_object_or_404(PrintBatch, pk=pk)
        if request.method != "POST" or not can(request, "batch.send", batch):
            raise PermissionDenied
        try:
            batches.batch_send(batch=batch)
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
        else:
            messages.success(request, gettext("The batch is now with the print shop."))
            # Its files are built at once: ready by the time the print shop opens its link.
            batch_files.ensure_built(batch)
        return redirect(batch.get_absolute_url())

    def printed_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = get_object_or_404(PrintBatch, pk=pk)
        if request.method != "POST" or not can(request, "batch.mark_printed", batch):
            raise PermissionDenied
        try:
            skipped = batches.batch_mark_printed(batch=batch, by=request.user)
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
        else:
            messages.success(request, gettext("Thank you: the batch is marked printed."))
            if skipped:
                messages.warning(
                    request,
                    gettext("These plates were no longer waiting for print: %(codes)s.")
                    % {"codes": ", ".join(skipped)},
                )
        return redirect(batch.get_absolute_url())

    def new_link_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = get_object_or_404(PrintBatch, pk=pk)
        if request.method != "POST" or not can(request, "batch.new_link", batch):
            raise PermissionDenied
        batches.batch_revoke_links(batch=batch)
        messages.success(request, gettext("Earlier download links no longer work."))
        return redirect(batch.get_absolute_url())

    def plate_artwork_view(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        """One plate's artwork (staff who may see the plate: it names its record):
        ?template=street|heritage, ?dpi= for the PNG."""
        plates = roles.plates_for(
            request.user, Plate.objects.select_related("place__unit", "person")
        )
        plate = get_object_or_404(plates, pk=pk)
        if not can(request, "plate.artwork", plate):
            raise PermissionDenied
        data = batches.plate_data(plate)
        try:
            template = batches.plate_template(data.kind)
            if request.GET.get("template"):
                template = artwork.get_template(request.GET["template"])
            dpi = int(request.GET.get("dpi") or artwork.DEFAULT_DPI)
            file = artwork.render_plate(
                data, fmt=fmt, template=template, dpi=dpi, language=translation.get_language()
            )
        except (artwork.ArtworkError, ValueError) as refusal:
            messages.error(request, str(refusal))
            return redirect(reverse("admin:qrplates_plate_change", args=[plate.pk]))
        response = HttpResponse(file.content, content_type=file.mime)
        response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
        return response


def put_into_batch(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> HttpResponse | None:
    """An intermediate page: choose a batch being prepared, or name a new one."""
    roles.check(request.user, "batch.create")
    drafts = PrintBatch.objects.filter(status=PrintBatch.Status.DRAFT)
    if "apply" in request.POST:
        choice = request.POST.get("batch", "")
        name = request.POST.get("name", "").strip()
        try:
            if choice.isdigit():
                batch = get_object_or_404(drafts, pk=choice)
                added = batches.batch_add_plates(batch=batch, plates=queryset)
            elif name:
                batch = batches.batch_create(name=name, plates=queryset, by=request.user)
                added = batch.plates.count()
            else:
                raise ValidationError(gettext("Choose a batch or give the new batch a name."))
        except ValidationError as refusal:
            for message in refusal.messages:
                messages.error(request, message)
            return None
        messages.success(
            request,
            format_html(
                "{} <a href='{}'>{}</a>",
                gettext("%(count)s plates added to") % {"count": added},
                batch.get_absolute_url(),
                batch,
            ),
        )
        return None
    return TemplateResponse(
        request,
        "qrplates/artwork_batch_add.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": gettext("Put plates into a print batch"),
            "plates": queryset,
            "drafts": drafts,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "opts": modeladmin.model._meta,
        },
    )


class FieldPositionMixin:
    """For a place's admin: when plates installed at the place recorded a GPS fix and the place
    has no coordinates, or they lie far from the plates, or a street's plates give its two
    ends (`selectors.field_position`), the form offers "use the installed plate's position":
    one click, saved through the content's one write path (`record_save`), with its roles."""

    def get_urls(self) -> list:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/use-plate-position/",
                self.admin_site.admin_view(self.use_plate_position),
                name="{}_{}_use_plate_position".format(*info),
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request: HttpRequest, context: dict, *args, **kwargs):
        record = context.get("original")
        if record is not None and self.has_change_permission(request, record):
            offer = field_position(record)
            if offer is not None:
                info = self.opts.app_label, self.opts.model_name
                context["field_position"] = offer
                context["field_position_url"] = reverse(
                    "admin:{}_{}_use_plate_position".format(*info), args=[record.pk]
                )
        return super().render_change_form(request, context, *args, **kwargs)

    def use_plate_position(self, request: HttpRequest, object_id: str) -> HttpResponse:
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[object_id]
        )
        if request.method != "POST":
            return redirect(change_url)
        record = self.get_object(request, object_id)
        if record is None or not self.has_change_permission(request, record):
            raise PermissionDenied
        offer = field_position(record)
        if offer is None:
            messages.info(request, gettext("The coordinates already agree with the plates."))
            return redirect(change_url)
        record.lat, record.lon = offer.lat, offer.lon
        if offer.end_lat is not None:
            record.end_lat, record.end_lon = offer.end_lat, offer.end_lon
        codes_used = ", ".join(plate.code for plate in offer.plates)
        try:
            record_save(
                record=record,
                by=request.user,
                reason=f"Tọa độ lấy từ vị trí lắp biển {codes_used}",
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(change_url)
        messages.success(
            request,
            gettext("Coordinates set from the installed plates' positions (%(codes)s).")
            % {"codes": codes_used},
        )
        for problem in record.location_problems():
            messages.warning(request, problem)
        return redirect(change_url)
