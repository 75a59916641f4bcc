"""Every write to a plate goes through here: minting, each step of its life, retargeting and
replacement. Keyword-only, atomic, and each validates what it is asked before writing anything.
The admin, the demo loader and (later) the API call these; none of them edits a plate's code or
status directly."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from lib import geo
from qrplates import codes
from qrplates.models import TRANSITIONS, Plate, PlateEvent
from sites.models import Person, Place

# Each attempt draws a fresh random code; with 1 in 10,000 odds of a collision at 100,000
# plates, eight attempts failing in a row means something other than bad luck is wrong.
MINT_ATTEMPTS = 8


class MintError(RuntimeError):
    pass


def plate_mint(
    *,
    target: Place | Person,
    label: str = "",
    notes: str = "",
    by: AbstractBaseUser | None = None,
    on: datetime.date | None = None,
    replaces: Plate | None = None,
) -> Plate:
    """Mints a plate for `target` with a fresh random code, status "planned", and records the
    first step of its history.

    A code is minted here and nowhere else, once, and lives forever: the plate row is never
    deleted (retiring sets a status), so the code is never given to another plate, and a
    retarget or a merge changes what the code leads to, never the code.

    Uniqueness is the database's unique constraint, not a check-then-insert, so two editors
    minting at the same instant cannot both get one code: the second insert waits for the
    first, fails, rolls back its savepoint only, and draws again.
    """
    if not isinstance(target, Place | Person) or target.pk is None:
        raise TypeError("A plate is minted for a saved place or person.")
    by = by if by is not None and by.is_authenticated else None
    with transaction.atomic():
        for _attempt in range(MINT_ATTEMPTS):
            plate = Plate(
                code=codes.new_code(),
                owner=target,
                label=label,
                notes=notes,
                created_by=by,
                replaces=replaces,
            )
            try:
                # A savepoint: on PostgreSQL a failed insert poisons the whole transaction.
                with transaction.atomic():
                    plate.save(force_insert=True)
            except IntegrityError:
                if Plate.objects.filter(code=plate.code).exists():
                    continue  # the code was taken a moment ago: draw another
                raise
            PlateEvent.objects.create(
                plate=plate,
                to_status=Plate.Status.PLANNED,
                on=on or timezone.localdate(),
                recorded_by=by,
                notes=notes if replaces is None else f"{replaces.code} → {plate.code}",
            )
            return plate
    raise MintError(f"No free plate code after {MINT_ATTEMPTS} attempts.")


def check_step(
    plate: Plate,
    status: str,
    *,
    on: datetime.date,
    lat: float | None = None,
    lon: float | None = None,
    last_on: datetime.date | None = None,
) -> None:
    """Raises ValidationError, in the active language, when `plate` cannot take this step."""
    if status not in TRANSITIONS[plate.status]:
        allowed = ", ".join(str(Plate.Status(s).label) for s in TRANSITIONS[plate.status])
        raise ValidationError(
            _(
                "A plate that is “%(current)s” cannot become “%(next)s”. "
                "Possible next steps: %(allowed)s."
            )
            % {
                "current": Plate.Status(plate.status).label,
                "next": Plate.Status(status).label,
                "allowed": allowed or "—",
            },
            code="transition",
        )
    if on > timezone.localdate():
        raise ValidationError(_("The date of a step cannot be in the future."), code="future")
    if last_on is None:
        last_on = plate.events.order_by("-on", "-id").values_list("on", flat=True).first()
    if last_on is not None and on < last_on:
        raise ValidationError(
            _("This step cannot come before the previous one (%(date)s).")
            % {"date": last_on.strftime("%d/%m/%Y")},
            code="order",
        )
    if status == Plate.Status.ARTWORK_APPROVED and not plate.landing().is_published:
        raise ValidationError(
            _(
                "Publish the record first: the artwork is approved once the page the plate "
                "leads to is ready."
            ),
            code="unpublished",
        )
    if (lat is None) != (lon is None):
        raise ValidationError(_("Give both latitude and longitude, or neither."), code="latlon")
    if status == Plate.Status.INSTALLED and lat is None:
        raise ValidationError(
            _("Give the coordinates where the plate was installed."), code="position"
        )
    if lat is not None and not geo.in_vietnam(lat, lon):
        raise ValidationError(
            _("These coordinates (%(lat)s, %(lon)s) are not in Vietnam.")
            % {"lat": lat, "lon": lon},
            code="outside",
        )


def plate_transition(
    *,
    plate: Plate,
    status: str,
    on: datetime.date | None = None,
    by: AbstractBaseUser | None = None,
    done_by: str = "",
    lat: float | None = None,
    lon: float | None = None,
    photo: UploadedFile | None = None,
    notes: str = "",
) -> PlateEvent:
    """Moves `plate` one step along its life (see TRANSITIONS) and records the step: the date
    (today unless given), who did it, where (required when installing), a photo and notes.
    Artwork is approved only for a plate whose record is published. A replacement goes through
    `plate_replace`, which also mints the new plate."""
    if status == Plate.Status.REPLACED:
        raise ValueError("Use plate_replace to replace a plate.")
    return _record_step(
        plate=plate,
        status=status,
        on=on,
        by=by,
        done_by=done_by,
        lat=lat,
        lon=lon,
        photo=photo,
        notes=notes,
    )


def _record_step(
    *,
    plate: Plate,
    status: str,
    on: datetime.date | None,
    by: AbstractBaseUser | None,
    **fields: object,
) -> PlateEvent:
    on = on or timezone.localdate()
    by = by if by is not None and by.is_authenticated else None
    with transaction.atomic():
        # The row lock makes two editors recording steps at once take turns.
        locked = Plate.objects.select_for_update().get(pk=plate.pk)
        check_step(locked, status, on=on, lat=fields.get("lat"), lon=fields.get("lon"))
        event = PlateEvent(
            plate=locked,
            from_status=locked.status,
            to_status=status,
            on=on,
            recorded_by=by,
            **{k: v for k, v in fields.items() if v is not None},
        )
        event.full_clean()
        event.save()
        locked.status = status
        locked.save(update_fields=["status"])
    plate.status = status
    return event


def plate_replace(
    *,
    plate: Plate,
    on: datetime.date | None = None,
    by: AbstractBaseUser | None = None,
    done_by: str = "",
    notes: str = "",
) -> Plate:
    """Marks a damaged plate "replaced" and mints its replacement: a new plate, with its own
    code, for the same record and position, starting its life as "planned". The old code keeps
    leading to the record's page (a photo of the old plate still works)."""
    with transaction.atomic():
        _record_step(
            plate=plate, status=Plate.Status.REPLACED, on=on, by=by, done_by=done_by, notes=notes
        )
        return plate_mint(
            target=plate.place or plate.person,
            label=plate.label,
            by=by,
            on=on,
            replaces=plate,
        )


def plate_retarget(
    *,
    plate: Plate,
    target: Place | Person,
    by: AbstractBaseUser | None = None,
    on: datetime.date | None = None,
    notes: str = "",
) -> Plate:
    """Makes the plate lead to another record. The code stays; the history records the change.
    (A merge of records needs no retarget: plates follow the "merged into" link by themselves.)"""
    by = by if by is not None and by.is_authenticated else None
    with transaction.atomic():
        locked = Plate.objects.select_for_update().get(pk=plate.pk)
        current_pk = locked.place_id if isinstance(target, Place) else locked.person_id
        if current_pk == target.pk:
            return plate
        previous = locked.place or locked.person
        locked.owner = target
        locked.save(update_fields=["place", "person"])
        # History notes are data, written in the default language like the records themselves.
        with translation.override(settings.LANGUAGE_CODE):
            summary = f"{previous} → {target}"
        PlateEvent.objects.create(
            plate=locked,
            from_status=locked.status,
            to_status=locked.status,
            on=on or timezone.localdate(),
            recorded_by=by,
            notes="\n".join(part for part in (summary, notes) if part),
        )
    plate.owner = target
    return plate
