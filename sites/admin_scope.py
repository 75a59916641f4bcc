"""The admin's side of the roles (sites/roles.py): every form field that points at records
offers what `roles.choices` allows, in the form and in its autocomplete box, and a link row that
names a record the user may not edit is shown read-only.

A form field's queryset is also what the form accepts, so a crafted POST (`place=<id>` of
another commune's draft) is refused like a choice that was never offered."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from sites import roles


def can(request: HttpRequest, action: str, obj: models.Model | None = None) -> bool:
    """`roles.can` for the request's user, remembered for the request: an admin page asks the
    same question of the same record a dozen times. (Not for a record being created: where it
    will be filed may still change.)"""
    if obj is not None and obj.pk is None:
        return roles.can(request.user, action, obj)
    remembered = request.__dict__.setdefault("_streetinfo_can", {})
    key = (action, obj._meta.label if obj is not None else "", getattr(obj, "pk", None))
    if key not in remembered:
        remembered[key] = roles.can(request.user, action, obj)
    return remembered[key]


def _narrow(field: forms.Field | None, db_field: models.Field, request: HttpRequest):
    if field is not None and hasattr(field, "queryset"):
        field.queryset = roles.choices(request.user, db_field, field.queryset)
    return field


def autocomplete_source(request: HttpRequest) -> models.Field | None:
    """The form field an admin autocomplete request fills in (`?app_label=…&model_name=…&
    field_name=…`), or None for any other request."""
    names = [request.GET.get(key) for key in ("app_label", "model_name", "field_name")]
    if not all(names) or not request.path.endswith("/autocomplete/"):
        return None
    app_label, model_name, field_name = names
    try:
        from django.apps import apps

        return apps.get_model(app_label, model_name)._meta.get_field(field_name)
    except (LookupError, FieldDoesNotExist):
        return None


class RoleChoicesMixin:
    """For a ModelAdmin or an inline: foreign keys and many-to-many fields offer, and accept,
    what `roles.choices` allows the user."""

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        return _narrow(
            super().formfield_for_foreignkey(db_field, request, **kwargs), db_field, request
        )

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        return _narrow(
            super().formfield_for_manytomany(db_field, request, **kwargs), db_field, request
        )


class RoleAutocompleteMixin:
    """For a ModelAdmin that other forms' autocomplete boxes search: the results are what the
    asking field may offer (e.g. a plate's "place" box: the places one may edit)."""

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        queryset = self.offered(request, queryset)
        if self.search_match is None:
            return super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(self.search_match(term)), False

    # An admin whose search is not Django's search_fields gives the condition a term matches.
    search_match: Callable[[str], Q] | None = None

    def offered(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        """`queryset` narrowed to what the asking autocomplete box may offer."""
        source = autocomplete_source(request)
        if source is None:
            return queryset
        return roles.choices(request.user, source, queryset)


class ScopedLinkFormSet(BaseInlineFormSet):
    """Rows whose other end (`other`) the user may not choose stay as they are: shown, read-only,
    not deletable. A person's page lists their links to places in other communes; an editor
    reads them but does not write on another commune's page."""

    user = None
    other: str = ""

    def choosable(self) -> set:
        """The records at the other end of the rows that `user` may choose (one query)."""
        if getattr(self, "_choosable", None) is None:
            db_field = self.model._meta.get_field(self.other)
            ends = {getattr(row, db_field.attname) for row in self.get_queryset()}
            offered = roles.choices(
                self.user, db_field, db_field.related_model._default_manager.filter(pk__in=ends)
            )
            self._choosable = set(offered.values_list("pk", flat=True))
        return self._choosable

    def _construct_form(self, i: int, **kwargs) -> forms.Form:
        form = super()._construct_form(i, **kwargs)
        instance = form.instance
        if instance.pk is None or not self.other:
            return form
        db_field = instance._meta.get_field(self.other)
        value = getattr(instance, db_field.attname)
        if value in self.choosable():
            return form
        form.fields[self.other].queryset = db_field.related_model._default_manager.filter(pk=value)
        # The row's id and its link to this page's record stay: a browser sends no disabled
        # field, and without its id the row would be taken for a new one.
        kept = {instance._meta.pk.name, self.fk.name}
        for name, field in form.fields.items():
            if name not in kept:
                field.disabled = True
        return form


class ScopedLinkInlineMixin(RoleChoicesMixin):
    """For an inline of links (see ScopedLinkFormSet): the rows the user may read (both ends),
    and only those whose other end they may choose are open to change."""

    formset = ScopedLinkFormSet
    other = ""  # the field naming the record at the other end of the link

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return roles.links_visible(request.user, super().get_queryset(request))

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"user": request.user, "other": self.other})
