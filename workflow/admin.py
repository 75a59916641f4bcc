"""The admin pages of the Department's workflow: each record's review page and the list's
review and publishing actions, the queues of problem reports and community suggestions, and each
editor's communes and wards on their user page. `backoffice/admin.py` composes them with the
content's and the plates' admin and registers them."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sites import roles
from sites.admin_scope import can
from sites.models import (
    BelongsToRecord,
    EditorUnit,
    Place,
    ProblemReport,
    PublishableModel,
    Status,
    Suggestion,
    TextState,
)
from workflow import review
from workflow.models import Phase


def review_action(name: str, description, permission: str, step: Callable, done_message):
    """A list action that takes each chosen record through `step` (one of `workflow.review`'s
    steps, called with `record` and `by`), says which records refused and why, and counts the
    rest."""

    @admin.action(description=description, permissions=[permission])
    def action(modeladmin, request: HttpRequest, queryset: QuerySet) -> None:
        done = 0
        for record in queryset:
            try:
                step(record=record, by=request.user)
                done += 1
            except (PermissionDenied, ValidationError) as error:
                reasons = error.messages if isinstance(error, ValidationError) else [str(error)]
                messages.error(request, f"{record}: {' '.join(reasons)}")
        if done:
            messages.success(request, done_message % {"count": done})

    action.__name__ = name
    return action


class ReviewAdminMixin:
    """For a record's admin (`sites.admin.PublishableAdmin`): the record's review page, a link
    to it on the record's page, and the list's actions that send for review, publish, unpublish
    and withdraw, all through `workflow.review`."""

    actions = ["submit_for_review", "publish", "back_to_draft", "withdraw"]

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return can(request, "record.publish")

    def get_urls(self) -> list:
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name=f"{opts.app_label}_{opts.model_name}_review",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        # No lookup here: the record's own change view checks the permission first, and
        # answers a record that is not there (or not the user's) without this link.
        opts = self.model._meta
        extra_context = {
            **(extra_context or {}),
            "review_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_review", args=[unquote(object_id)]
            ),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def review_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """What changed since the last published version, field by field and language by
        language; a reviewer publishes or sends the record back from here."""
        record = get_object_or_404(self.get_queryset(request), pk=object_id)
        # What changed since publication is unpublished text: the record's editors only.
        if not self.has_view_history_or_change_history_permission(request, record):
            raise PermissionDenied
        opts = self.model._meta
        change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
        if request.method == "POST":
            self._review_decision(request, record)
            return HttpResponseRedirect(request.path)
        version = review.last_published_version(record)
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": gettext("Review: %(record)s") % {"record": record},
            "record": record,
            "version": version,
            "changes": review.changes_since_published(record),
            "related_changes": review.related_changes_since_published(record, user=request.user),
            "can_publish": roles.can_publish(request.user),
            "can_submit": record.status == Status.DRAFT and roles.can_edit(request.user, record),
            "change_url": change_url,
            "history_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_history", args=[record.pk]
            ),
            "text_states": [
                (name, TextState(record.text_state(code)).label)
                for code, name in settings.LANGUAGES
            ],
        }
        return TemplateResponse(request, "admin/sites/review.html", context)

    def _review_decision(self, request: HttpRequest, record: PublishableModel) -> None:
        decision = request.POST.get("decision", "")
        note = request.POST.get("note", "").strip()[:100]
        try:
            if decision == "publish":
                review.record_publish(record=record, by=request.user, note=note)
                messages.success(request, _("Published."))
            elif decision == "submit":
                review.record_submit(record=record, by=request.user)
                messages.success(request, _("Sent for review."))
            elif decision in (Status.DRAFT, Status.WITHDRAWN):
                review.record_unpublish(record=record, by=request.user, status=decision, note=note)
                messages.success(
                    request,
                    _("The record is now “%(status)s”.") % {"status": Status(decision).label},
                )
        except PermissionDenied as denied:
            messages.error(request, str(denied) or gettext("You may not do that."))
        except ValidationError as invalid:
            for message in invalid.messages:
                messages.error(request, message)

    # Actions on the list: each applies one step of `workflow.review` to every chosen record

    submit_for_review = review_action(
        "submit_for_review",
        _("Send for review"),
        "change",
        review.record_submit,
        _("Sent for review: %(count)s."),
    )
    publish = review_action(
        "publish", _("Publish"), "publish", review.record_publish, _("Published: %(count)s.")
    )
    back_to_draft = review_action(
        "back_to_draft",
        _("Unpublish: back to draft"),
        "publish",
        review.record_unpublish,
        _("Back to draft: %(count)s."),
    )
    withdraw = review_action(
        "withdraw",
        _("Withdraw"),
        "publish",
        functools.partial(review.record_unpublish, status=Status.WITHDRAWN),
        _("Withdrawn: %(count)s."),
    )


class SubmissionAdmin(admin.ModelAdmin):
    list_select_related = [*BelongsToRecord.OWNER_RELATED, "place__unit", "plate"]
    date_hierarchy = "created_at"
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        """The reports and suggestions about the records the user may edit."""
        return roles.submissions_for(request.user, super().get_queryset(request))

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can(request, "submission.handle", obj))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # they come from the public pages only

    @admin.display(description=_("about"))
    def record_link(self, submission) -> str:
        record = submission.owner
        return format_html(
            '<a href="{}">{}</a>',
            reverse(f"admin:sites_{record._meta.model_name}_change", args=[record.pk]),
            record,
        )

    @admin.display(description=_("commune or ward"), ordering="place__unit__name")
    def unit_name(self, submission) -> str:
        unit = submission.unit
        return unit.name if unit else "—"

    def _handle(self, request: HttpRequest, submission, **changes) -> None:
        for name, value in changes.items():
            setattr(submission, name, value)
        submission.handled_at = timezone.now()
        submission.handled_by = request.user
        submission.save()


class OverdueFilter(admin.SimpleListFilter):
    title = _("due date")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin) -> list:
        return [("1", _("Overdue"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.overdue() if self.value() == "1" else queryset


class ProblemReportAdmin(SubmissionAdmin):
    READ_ONLY = ["kind", "record_link", "plate", "message", "contact", "language", "created_at"]

    list_display = [
        "sent_on",
        "kind",
        "record_link",
        "plate",
        "unit_name",
        "short_message",
        "status",
        "due",
    ]
    list_filter = [
        "status",
        OverdueFilter,
        "kind",
        ("place__unit", admin.RelatedOnlyFieldListFilter),
    ]
    ROUTED = ["handler_names", "due_on"]
    fields = [*READ_ONLY, *ROUTED, "status", "staff_note", "handled_at", "handled_by"]
    readonly_fields = [*READ_ONLY, *ROUTED, "handled_at", "handled_by"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("handlers")

    @admin.display(description=_("sent"), ordering="created_at")
    def sent_on(self, report: ProblemReport) -> str:
        # The day is enough in the list (the hour is on the report's page): the list then fits
        # 1366 px with the due date.
        return timezone.localtime(report.created_at).strftime("%d/%m/%Y")

    @admin.display(description=_("due on"), ordering="due_on")
    def due(self, report: ProblemReport) -> str:
        if report.due_on is None:
            return "—"
        day = report.due_on.strftime("%d/%m/%Y")
        if report.status == ProblemReport.State.OPEN and report.due_on < timezone.localdate():
            return format_html("<strong>{} ({})</strong>", day, gettext("overdue"))
        return day

    @admin.display(description=_("sent to"))
    def handler_names(self, report: ProblemReport) -> str:
        return (
            ", ".join(user.get_full_name() or user.get_username() for user in report.handlers.all())
            or "—"
        )

    actions = ["mark_handled", "reopen"]

    @admin.display(description=_("message"))
    def short_message(self, report: ProblemReport) -> str:
        return report.message[:80] + ("…" if len(report.message) > 80 else "")

    def save_model(self, request: HttpRequest, obj: ProblemReport, form, change: bool) -> None:
        if "status" in form.changed_data:
            handled = obj.status == ProblemReport.State.HANDLED
            obj.handled_at = timezone.now() if handled else None
            obj.handled_by = request.user if handled else None
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Mark as handled"), permissions=["change"])
    def mark_handled(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = queryset.filter(status=ProblemReport.State.OPEN).update(
            status=ProblemReport.State.HANDLED, handled_at=timezone.now(), handled_by=request.user
        )
        messages.success(request, gettext("Marked as handled: %(count)s.") % {"count": count})

    @admin.action(description=_("Reopen"), permissions=["change"])
    def reopen(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = queryset.update(status=ProblemReport.State.OPEN, handled_at=None, handled_by=None)
        messages.success(request, gettext("Reopened: %(count)s.") % {"count": count})


class SuggestionAdmin(SubmissionAdmin):
    READ_ONLY = [
        "kind",
        "record_link",
        "preview",
        "text",
        "credit",
        "contact",
        "language",
        "created_at",
    ]

    list_display = ["created_at", "kind", "record_link", "unit_name", "preview", "status"]
    list_filter = ["status", "kind", ("place__unit", admin.RelatedOnlyFieldListFilter)]
    # A suggestion is read, then accepted or rejected by the actions: its status is not typed.
    fields = [*READ_ONLY, "status", "staff_note", "accepted_photo_link", "handled_at", "handled_by"]
    readonly_fields = [*READ_ONLY, "status", "accepted_photo_link", "handled_at", "handled_by"]
    actions = ["accept", "reject"]

    @admin.display(description=_("photo"))
    def preview(self, suggestion: Suggestion) -> str:
        if not suggestion.photo:
            return "—"
        return format_html(
            '<a href="{0}" target="_blank" rel="noopener"><img src="{0}" alt="" '
            'style="max-width:240px;max-height:160px"></a>',
            suggestion.photo.url,
        )

    @admin.display(description=_("photo added to the record"))
    def accepted_photo_link(self, suggestion: Suggestion) -> str:
        if suggestion.accepted_photo_id is None:
            return "—"
        record = suggestion.owner
        return format_html(
            '<a href="{}">{}</a>',
            reverse(f"admin:sites_{record._meta.model_name}_change", args=[record.pk]),
            gettext("see the record's photos"),
        )

    @admin.action(description=_("Accept (a photo is added to the record)"), permissions=["change"])
    def accept(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Accepting a correction records the decision (an editor then edits the record, which
        goes through review as usual); accepting a photo adds it to the record's photos the way
        the record's own page would (`review.record_add_photo`): an editor's photo on a
        published record sends the record back to review, visitor's caption and all."""
        accepted = 0
        for suggestion in queryset.filter(status=Suggestion.State.NEW):
            record = suggestion.owner
            photo = None
            if suggestion.kind == Suggestion.Kind.PHOTO and suggestion.photo:
                was_published = record.status == Status.PUBLISHED
                try:
                    photo = review.record_add_photo(
                        record=record,
                        image=suggestion.photo.file,
                        name=suggestion.photo.name.rsplit("/", 1)[-1],
                        caption=suggestion.text[:300],
                        credit=suggestion.credit[:200],
                        by=request.user,
                    )
                except PermissionDenied:
                    messages.error(
                        request,
                        gettext("%(record)s: you can only edit records in your communes.")
                        % {"record": record},
                    )
                    continue
                if was_published and record.status != Status.PUBLISHED:
                    messages.warning(
                        request,
                        gettext(
                            "%(record)s: the photo was added and the record sent to the "
                            "reviewers; the public page says “being updated” until a reviewer "
                            "publishes it again."
                        )
                        % {"record": record},
                    )
            self._handle(
                request, suggestion, status=Suggestion.State.ACCEPTED, accepted_photo=photo
            )
            accepted += 1
        if accepted:
            messages.success(request, gettext("Accepted: %(count)s.") % {"count": accepted})

    @admin.action(description=_("Reject"), permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        rejected = 0
        for suggestion in queryset.filter(status=Suggestion.State.NEW):
            self._handle(request, suggestion, status=Suggestion.State.REJECTED)
            rejected += 1
        messages.success(request, gettext("Rejected: %(count)s.") % {"count": rejected})


class EditorUnitInline(admin.TabularInline):
    model = EditorUnit
    extra = 0
    autocomplete_fields = ["unit"]
    verbose_name = _("commune or ward")
    verbose_name_plural = _("communes and wards this editor works in")


# Django stores each permission's name in English when it creates it ("Can add street"): the
# user and group pages name them again in the admin's language.
PERMISSION_ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    """ "App | model | what it allows", in the active language."""
    model = permission.content_type.model_class()
    if model is None:
        return str(permission)
    original = getattr(model, "instance_type", None)  # a django-simple-history model
    name = (
        gettext("history of %(model)s") % {"model": original._meta.verbose_name}
        if original is not None
        else model._meta.verbose_name
    )
    action = permission.codename.split("_", 1)[0]
    if permission.codename == f"{action}_{model._meta.model_name}" and action in PERMISSION_ACTIONS:
        allows = PERMISSION_ACTIONS[action] % {"model": name}
    else:
        allows = gettext(permission.name)
    app = apps.get_app_config(model._meta.app_label).verbose_name
    return f"{app} | {name} | {allows}"


class TranslatedPermissionsMixin:
    """The permission list of a user or group page, in the admin's language."""

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions") and field is not None:
            field.label_from_instance = permission_label
        return field


class StreetinfoUserAdmin(TranslatedPermissionsMixin, UserAdmin):
    """Django's user admin plus the communes and wards of an editor."""

    inlines = [*UserAdmin.inlines, EditorUnitInline]


class StreetinfoGroupAdmin(TranslatedPermissionsMixin, GroupAdmin):
    """Django's group admin, its permissions named in the admin's language."""


class PhaseForm(forms.ModelForm):
    """Kinds and languages are chosen from the site's lists (the language registry), never
    typed."""

    kinds = forms.MultipleChoiceField(
        label=_("kinds of place"),
        choices=Place.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for every kind."),
    )
    languages = forms.MultipleChoiceField(
        label=_("languages to review"),
        choices=settings.LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for every language of the site."),
    )

    class Meta:
        model = Phase
        fields = [
            "name",
            "starts_on",
            "gather_by",
            "print_by",
            "attach_by",
            "units",
            "kinds",
            "places",
            "languages",
        ]


class PhaseInline(admin.StackedInline):
    model = Phase
    form = PhaseForm
    extra = 0
    autocomplete_fields = ["units", "places"]


class PlanAdmin(admin.ModelAdmin):
    """The plan and its phases, on one page. Progress is never typed here: the dashboard
    computes it."""

    list_display = ["title", "is_example", "decision_number", "decision_date"]
    inlines = [PhaseInline]
    fields = [
        "title",
        "is_example",
        "decision_number",
        "decision_date",
        "decision_issuer",
        "decision_url",
        "notes",
    ]
