"""Plates: the metal signs on poles whose QR codes lead to a record's page, their life from plan
to retirement, and how often each is scanned.

A plate row is never deleted and its code never changes: the code is printed on metal that hangs
for years, and the only promise a printed code can keep is to keep meaning something. What a code
leads to can change (a retarget, a merge of records), the code itself cannot.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Mapping

import simple_history
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction
from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.text import slugify_vi
from lib.uploads import PhotoField
from qrplates import artwork, codes
from sites import roles
from sites.models import (
    BelongsToRecord,
    Person,
    Place,
    coordinate_field,
    one_owner_constraint,
    owner_fields,
    staff_field,
)

MAX_PHOTO_BYTES = 10 * 1024 * 1024


def validate_photo_size(photo) -> None:
    """Named by migration 0001; photos are now checked by lib.uploads.PhotoField."""
    if photo and photo.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The photo is %(size)s MB; the limit is %(limit)s MB. Send a smaller copy."),
            params={"size": round(photo.size / 1024 / 1024, 1), "limit": MAX_PHOTO_BYTES >> 20},
        )


class PlateQuerySet(models.QuerySet):
    def delete(self) -> None:
        raise TypeError("Plates are never deleted: retire them (see Plate.delete).")

    def with_step_dates(self) -> PlateQuerySet:
        """Each plate with the date it first reached each stage: `planned_on`, `approved_on`,
        `printed_on`, `installed_on` (None while not reached)."""
        return self.annotate(
            **{
                f"{name}_on": Min("events__on", filter=Q(events__to_status=status))
                for name, status in STEP_DATE_NAMES.items()
            }
        )

    def with_durations(self) -> PlateQuerySet:
        """Adds the two lead times the province's plan tracks, as timedeltas (None until both
        ends exist):
        - `content_time`: planned → artwork approved, the time to gather the content (artwork
          is approved only once the record it leads to is published);
        - `attach_time`: printed → installed, the time to put the plate on its pole.
        Filter and aggregate on them like any field: `.filter(attach_time__gt=timedelta(30))`.
        """
        return self.with_step_dates().annotate(
            content_time=ExpressionWrapper(
                F("approved_on") - F("planned_on"), output_field=DurationField()
            ),
            attach_time=ExpressionWrapper(
                F("installed_on") - F("printed_on"), output_field=DurationField()
            ),
        )

    def duration_summary(self) -> dict[str, datetime.timedelta | int | None]:
        """Average and longest lead times over these plates, and how many plates each covers."""
        return self.with_durations().aggregate(
            content_avg=Avg("content_time"),
            content_max=Max("content_time"),
            content_count=Count("pk", filter=Q(content_time__isnull=False)),
            attach_avg=Avg("attach_time"),
            attach_max=Max("attach_time"),
            attach_count=Count("pk", filter=Q(attach_time__isnull=False)),
        )

    def with_scan_total(self) -> PlateQuerySet:
        """Each plate with `scan_total`, every counted scan of it. A subquery, so it combines
        with the lead-time aggregates without multiplying rows."""
        scans = (
            PlateScanDay.objects.filter(plate=OuterRef("pk"))
            .values("plate")
            .annotate(total=Sum("count"))
            .values("total")
        )
        return self.annotate(scan_total=Coalesce(Subquery(scans), 0))


class Plate(BelongsToRecord):
    """A plate on a pole (or planned for one) and the code printed on it. It leads to its
    `owner`, a place or a person (`plate.owner = record` retargets it)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ARTWORK_APPROVED = "approved", _("Artwork approved")
        PRINTED = "printed", _("Printed")
        INSTALLED = "installed", _("Installed")
        DAMAGED = "damaged", _("Damaged")
        REPLACED = "replaced", _("Replaced")
        RETIRED = "retired", _("Retired")

    code = models.CharField(
        _("code"),
        max_length=codes.CODE_LENGTH,
        unique=True,
        editable=False,
        help_text=_("Printed under the QR code. Minted once, never changed, never reused."),
    )
    # A record with plates cannot be deleted: its codes are printed on poles and must keep
    # leading somewhere.
    place, person = owner_fields(on_delete=models.PROTECT, related_name="plates")
    # A panel at a stop of a walking route (the start of a heritage walk) leads to the route:
    # its scan shows the route's page. It still belongs to its place (one owner, the database's
    # rule): who edits and mints it, and what the artwork names, stay the place's.
    route = models.ForeignKey(
        "sites.Route",
        verbose_name=_("leads to the walking route"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plates",
        help_text=_(
            "For a panel at a stop of a walking route: a scan shows the route's page (while it "
            "is published; otherwise the place's)."
        ),
    )
    label = models.CharField(
        _("where it hangs"),
        max_length=200,
        blank=True,
        help_text=_(
            "Tells plates of the same record apart, e.g. “north end”, “main gate”, “inner hall”."
        ),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PLANNED,
        editable=False,
        db_index=True,
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="replacements",
        help_text=_("The damaged plate this one was made to replace."),
    )
    notes = models.TextField(_("notes"), blank=True)
    needs_review = models.BooleanField(
        _("to check"),
        default=False,
        db_index=True,
        help_text=_(
            "Set when something about the plate needs a look, e.g. it was installed far from "
            "the record's coordinates. Clear it once checked."
        ),
    )
    review_note = models.CharField(_("what to check"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("minted"), auto_now_add=True)
    created_by = staff_field(_("minted by"))

    objects = PlateQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("plate")
        verbose_name_plural = _("plates")
        constraints = [
            one_owner_constraint(
                "plate_one_target", _("Choose either a place or a person for the plate.")
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding and self.pk:
            stored = Plate.objects.filter(pk=self.pk).values_list("code", flat=True).first()
            if stored is not None and stored != self.code:
                raise ValueError("A plate's code never changes.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The address the QR code leads to (its short, non-prefixed form)."""
        return reverse("qrplates:scan", kwargs={"code": self.code})

    def delete(self, *args, **kwargs) -> None:
        # The code may be printed on a pole somewhere: deleting the row would let it resolve to
        # nothing, and let a later mint give the same code to another record.
        raise TypeError("Plates are never deleted: retire the plate instead.")

    def clean(self) -> None:
        super().clean()
        if self.route_id and not (
            self.place_id and self.route.stops.filter(place_id=self.place_id).exists()
        ):
            raise ValidationError(
                {"route": _("A plate leads to a walking route only from one of its stops.")}
            )

    def landing(self) -> Place | Person:
        """The record a scan of this plate shows: its owner, or the record it was merged
        into (followed to the end of the chain). It may be unpublished."""
        record = self.place or self.person
        return record.survivor()

    def allowed_next(self) -> list[str]:
        return TRANSITIONS[self.status]


# What may follow each status. "Replaced" ends a plate's life: the replacement is a new plate
# with its own code (the old code keeps leading to the same page).
TRANSITIONS: dict[str, list[str]] = {
    Plate.Status.PLANNED: [Plate.Status.ARTWORK_APPROVED, Plate.Status.RETIRED],
    Plate.Status.ARTWORK_APPROVED: [
        Plate.Status.PRINTED,
        Plate.Status.PLANNED,
        Plate.Status.RETIRED,
    ],
    Plate.Status.PRINTED: [Plate.Status.INSTALLED, Plate.Status.DAMAGED, Plate.Status.RETIRED],
    Plate.Status.INSTALLED: [Plate.Status.DAMAGED, Plate.Status.RETIRED],
    Plate.Status.DAMAGED: [Plate.Status.REPLACED, Plate.Status.INSTALLED, Plate.Status.RETIRED],
    Plate.Status.REPLACED: [],
    Plate.Status.RETIRED: [],
}

STEP_DATE_NAMES = {
    "planned": Plate.Status.PLANNED,
    "approved": Plate.Status.ARTWORK_APPROVED,
    "printed": Plate.Status.PRINTED,
    "installed": Plate.Status.INSTALLED,
}


class PlateEvent(models.Model):
    """One step in a plate's life: when, who, where, with a photo and notes. Never edited
    afterwards; a mistake is corrected by a further step."""

    plate = models.ForeignKey(
        Plate, verbose_name=_("plate"), on_delete=models.PROTECT, related_name="events"
    )
    from_status = models.CharField(
        _("from"), max_length=10, choices=Plate.Status.choices, blank=True
    )
    to_status = models.CharField(_("step"), max_length=10, choices=Plate.Status.choices)
    on = models.DateField(_("date"), default=timezone.localdate)
    done_by = models.CharField(
        _("done by"),
        max_length=200,
        blank=True,
        help_text=_("Who did it: a person, a print shop, an installation team."),
    )
    lat = coordinate_field(
        _("latitude"), 90, _("Where the plate was installed, in decimal degrees, e.g. 21.851727.")
    )
    lon = coordinate_field(_("longitude"), 180)
    photo = PhotoField(_("photo"), upload_to="plates/%Y/", blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("plate step")
        verbose_name_plural = _("plate history")
        permissions = [("install_plate", _("Can confirm a plate's installation in the field"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__isnull=True, lon__isnull=True)
                | Q(lat__isnull=False, lon__isnull=False),
                name="plateevent_lat_lon_together",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plate} — {self.get_to_status_display()} — {self.on:%d/%m/%Y}"


class PlateScanDayQuerySet(models.QuerySet):
    def record(self, plate: Plate, day: datetime.date | None = None) -> None:
        """Adds one scan to the plate's counter for the day."""
        self.record_many({(plate.pk, day or timezone.localdate()): 1})

    def record_many(self, counts: Mapping[tuple[int, datetime.date], int]) -> None:
        """Adds `counts` ({(plate id, day): scans}) to the day counters, one upsert per plate
        and day that increments in place: two app servers writing at the same moment cannot lose
        a scan, and a busy plate costs one cheap write whatever its count."""
        table = connection.ops.quote_name(PlateScanDay._meta.db_table)
        rows = [(plate_id, day, n) for (plate_id, day), n in counts.items() if n]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (plate_id, day, count) VALUES (%s, %s, %s) "
                f"ON CONFLICT (plate_id, day) DO UPDATE SET count = {table}.count + excluded.count",
                rows,
            )


class PlateScanDay(models.Model):
    """How many times a plate was scanned on a day. Nothing else is kept about a scan: no IP
    address, no cookie, no user agent."""

    plate = models.ForeignKey(
        Plate, verbose_name=_("plate"), on_delete=models.PROTECT, related_name="scan_days"
    )
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("scans"), default=0)

    objects = PlateScanDayQuerySet.as_manager()

    class Meta:
        ordering = ["-day"]
        verbose_name = _("scans of a day")
        verbose_name_plural = _("scans by day")
        constraints = [
            models.UniqueConstraint(fields=["plate", "day"], name="platescanday_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plate} {self.day}: {self.count}"


# Who changed a plate's own fields (what it leads to, its label and notes, its status) and when,
# with the old values; the steps of its life are in PlateEvent.
simple_history.register(Plate)


# Print batches: the plates a print shop prints in one run (the artwork issue).

# The print shops' group, one of the Department's roles (sites/roles.py).
PRINTER_GROUP = roles.PRINTER


def new_link_key() -> str:
    """Part of what a batch's download link signs: a new key revokes every link given out."""
    return secrets.token_hex(16)


class PrintBatchQuerySet(models.QuerySet):
    def for_printer(self, user: models.Model) -> PrintBatchQuerySet:
        """What a print shop's account sees: the batches sent to it, nothing in preparation."""
        return self.filter(printer=user).exclude(status=PrintBatch.Status.DRAFT)

    def with_plate_count(self) -> PrintBatchQuerySet:
        return self.annotate(plate_count=Count("plates"))


class PrintBatch(models.Model):
    """A print run: plates whose artwork goes to one print shop in one ZIP (per plate PDF, SVG
    and PNG, imposed sheets and a manifest), and the shop's word that they are printed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        SENT = "sent", _("Sent to the print shop")
        PRINTED = "printed", _("Printed")

    name = models.CharField(
        _("name"),
        max_length=160,
        help_text=_("What the print shop will see, e.g. “Tam Thanh ward, November 2026”."),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    plates = models.ManyToManyField(
        Plate, verbose_name=_("plates"), related_name="print_batches", blank=True
    )
    printer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("print shop account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="print_batches",
        limit_choices_to={"groups__name": PRINTER_GROUP},
        help_text=_(
            "A staff account in the “Printer” group: it sees only the batches sent to it, can "
            "download them and mark them printed, and nothing else."
        ),
    )
    template = models.CharField(
        _("plate template"),
        max_length=20,
        blank=True,
        choices=[(name, template.label) for name, template in artwork.TEMPLATES.items()],
        help_text=_(
            "Leave empty to print streets on the small street plate and relics, scenic spots "
            "and people on the heritage panel."
        ),
    )
    error_correction = models.CharField(
        _("QR error correction"),
        max_length=1,
        choices=list(artwork.ERROR_CORRECTION_LEVELS.items()),
        default="H",
        help_text=_(
            "H still reads with nearly a third of the symbol damaged: keep it for plates that "
            "hang outdoors."
        ),
    )
    png_dpi = models.PositiveSmallIntegerField(
        _("PNG resolution (dpi)"),
        default=artwork.DEFAULT_DPI,
        validators=[
            MinValueValidator(artwork.DPI_RANGE[0]),
            MaxValueValidator(artwork.DPI_RANGE[1]),
        ],
    )
    sheet = models.CharField(
        _("press sheet for imposition"),
        max_length=20,
        choices=[(name, name) for name in artwork.SHEETS],
        default="A1",
    )
    link_key = models.CharField(max_length=32, editable=False, default=new_link_key)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = staff_field(_("created by"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)
    printed_at = models.DateTimeField(_("printed"), null=True, blank=True, editable=False)
    printed_by = staff_field(_("marked printed by"))

    objects = PrintBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("print batch")
        verbose_name_plural = _("print batches")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("admin:qrplates_printbatch_change", args=[self.pk])

    @property
    def folder_name(self) -> str:
        """The ZIP's top folder and file name: "batch-12-tam-thanh-ward-november-2026"."""
        return f"batch-{self.pk}-{slugify_vi(self.name)[:60]}".rstrip("-")


class BatchFile(models.Model):
    """A print batch's ZIP, built in the background into storage (`qrplates.batch_files`): the
    last complete file, served with its size, ETag and byte ranges, and the build in progress or
    last attempted. A build counts plates done out of the total; a failed one keeps its reason.
    The file is of the batch as its `fingerprint` says; when the batch or what its plates show
    changes, the fingerprint does and the file is built again, never before."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        BUILDING = "building", _("Being built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    batch = models.OneToOneField(
        PrintBatch, on_delete=models.CASCADE, primary_key=True, related_name="file"
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    # What is being (or was last) built.
    fingerprint = models.CharField(max_length=64)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    # The last complete file: its name in the "batches" storage and the fingerprint it was built
    # from. Empty until a build succeeds; replaced only by a complete file.
    name = models.CharField(max_length=255, blank=True)
    built_fingerprint = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    built_at = models.DateTimeField(null=True, blank=True)
    # What the complete file's manifest flags in its problem column, one plate a line: plates
    # left out because their record is no longer published, plates with no position.
    flagged = models.TextField(blank=True)

    class Meta:
        verbose_name = _("print batch file")
        verbose_name_plural = _("print batch files")

    def __str__(self) -> str:
        return self.name or str(self.batch)

    @property
    def flagged_lines(self) -> list[str]:
        return [line for line in self.flagged.splitlines() if line]

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0
