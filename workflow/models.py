"""The province's plan as data: the plan the portal serves (and the decision that adopted it) and
its phases, each with the records it covers and its target dates for the plan's three stages.
Progress is never stored here: `workflow.progress` computes it from what the portal records."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lib import languages
from sites.models import AdminUnit, Place, PlaceQuerySet


class PlanQuerySet(models.QuerySet):
    def current(self) -> Plan | None:
        """The plan the dashboard follows: the latest adopted plan, else the latest example."""
        return self.order_by("is_example", "-created_at", "-pk").first()


class Plan(models.Model):
    """A plan (kế hoạch) of the province. Every field of the decision is optional: leave empty
    what no document gives."""

    title = models.CharField(_("title"), max_length=300)
    is_example = models.BooleanField(
        _("example"),
        default=False,
        help_text=_(
            "An example to show how the portal follows a plan, not a plan anyone adopted: "
            "the dashboard and the report say so."
        ),
    )
    decision_number = models.CharField(
        _("decision number"), max_length=100, blank=True, help_text=_("E.g. 1234/QĐ-UBND.")
    )
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decision_issuer = models.CharField(
        _("issued by"),
        max_length=200,
        blank=True,
        help_text=_("E.g. the Provincial People's Committee."),
    )
    decision_url = models.URLField(_("document link"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["is_example", "-created_at"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.title


class Stage(models.TextChoices):
    """The plan's three stages, in its words: information gathered, plate printed, plate
    attached."""

    GATHERED = "gathered", _("Information gathered")
    PRINTED = "printed", _("Plate printed")
    ATTACHED = "attached", _("Plate attached")


class Phase(models.Model):
    """A part of a plan: the records it covers (communes or wards, kinds, chosen records; empty
    means "all") and the date by which each stage should be done for all of them."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="phases"
    )
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    units = models.ManyToManyField(
        AdminUnit,
        verbose_name=_("communes and wards"),
        blank=True,
        related_name="+",
        help_text=_("Leave empty for the whole province."),
    )
    kinds = models.JSONField(
        _("kinds of place"),
        default=list,
        blank=True,
        help_text=_("Leave empty for every kind."),
    )
    places = models.ManyToManyField(
        Place,
        verbose_name=_("chosen records"),
        blank=True,
        related_name="+",
        help_text=_("Records in the phase whatever their commune or kind."),
    )
    languages = models.JSONField(
        _("languages to review"),
        default=list,
        blank=True,
        help_text=_(
            "The languages whose text must be reviewed before a record's information counts "
            "as gathered. Leave empty for every language of the site."
        ),
    )
    gather_by = models.DateField(_("information gathered by"), null=True, blank=True)
    print_by = models.DateField(_("plates printed by"), null=True, blank=True)
    attach_by = models.DateField(_("plates attached by"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "starts_on", "attach_by", "pk"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")

    def __str__(self) -> str:
        return f"{self.plan} — {self.name}"

    def clean(self) -> None:
        unknown_kinds = set(self.kinds or []) - set(Place.Kind.values)
        if unknown_kinds:
            raise ValidationError({"kinds": _("Unknown kind of place.")})
        if set(self.languages or []) - set(languages.codes()):
            raise ValidationError({"languages": _("The site has no such language.")})
        targets = [self.starts_on, self.gather_by, self.print_by, self.attach_by]
        given = [day for day in targets if day is not None]
        if given != sorted(given):
            raise ValidationError(
                _(
                    "The dates must follow the plan's order: start, information gathered, "
                    "plates printed, plates attached."
                )
            )

    def required_languages(self) -> list[str]:
        """The language codes whose text must be reviewed: the phase's, else every language."""
        return [code for code in languages.codes() if code in self.languages] or languages.codes()

    def target(self, stage: str) -> datetime.date | None:
        return {
            Stage.GATHERED: self.gather_by,
            Stage.PRINTED: self.print_by,
            Stage.ATTACHED: self.attach_by,
        }[stage]

    def records(self) -> PlaceQuerySet:
        """The places the phase covers, withdrawn and merged records left out (a merged record's
        plates count for the record it was merged into)."""
        scope = Q()
        if self.pk and self.units.exists():
            scope &= Q(unit__in=self.units.all())
        if self.kinds:
            scope &= Q(kind__in=self.kinds)
        chosen = self.pk and self.places.exists()
        if chosen:
            # Chosen records alone, or added to the communes and kinds when those are set.
            scope = Q(pk__in=self.places.all()) | (scope if scope else Q(pk__in=[]))
        return Place.objects.filter(scope).counted()
