"""Print batches: putting plates into a print run, handing the run to a print shop, its files,
and the shop's word that the plates are printed. Writes are keyword-only, atomic services; the
admin, the download views and the `export_artwork` command all start from here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Func, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from qrplates import artwork, rendering, services
from qrplates.artwork.archive import BatchItem, batch_files, stream_zip
from qrplates.models import PRINTER_GROUP, Plate, PrintBatch, new_link_key
from sites import roles
from sites.models import Status

# Plates that are on a pole or could still go on one; retired and replaced plates are never
# printed again (their replacement has its own code).
PRINTABLE = [
    Plate.Status.PLANNED,
    Plate.Status.ARTWORK_APPROVED,
    Plate.Status.PRINTED,
    Plate.Status.INSTALLED,
    Plate.Status.DAMAGED,
]
LINK_SALT = "qrplates.print-batch-download"
# How long a signed download link works: long enough for a print shop to fetch the files (and
# fetch them again), short enough that a forwarded link dies on its own.
LINK_LIFETIME = datetime.timedelta(days=14)


def record_refusal(plate: Plate) -> str:
    """Why the record a scan of `plate` shows keeps the plate out of print, or "" when it may be
    printed. THE rule for every door into a print batch (the plate list's action, the batch's
    own page, the `export_artwork` command), for sending a batch, and for a batch's manifest,
    page and build when the record changed after the plate went in.

    The record is the plate's landing (its own record, or the one it was merged into: a merged
    record's plate is printed with the survivor's name, so the survivor decides). It must be
    published (`sites.models.published_q`, asked of the record in hand by `is_published`): a
    withdrawn record's plate would lead to the "being updated" page for as long as the metal
    hangs; a draft or a record in review is not yet approved by the Department, and its name may
    still change. The plate's own artwork approval is asked when the batch is sent."""
    record = plate.landing()
    if record.is_published:
        return ""
    name = record.name_vi or record.name
    if record.status == Status.WITHDRAWN:
        return _("%(code)s leads to “%(name)s”, which is withdrawn.") % {
            "code": plate.code,
            "name": name,
        }
    return _("%(code)s leads to “%(name)s”, which is not approved yet (%(status)s).") % {
        "code": plate.code,
        "name": name,
        "status": record.get_status_display().lower(),
    }


def position_problem(plate: Plate, unplaced_siblings: int) -> str:
    """A warning for the manifest and the batch's page, never a refusal: the plate says nothing
    of where it hangs (its "where it hangs" field is empty) while its record has other plates
    in service that say nothing either (`unplaced_siblings`), so the installer cannot tell them
    apart."""
    if plate.label.strip() or not unplaced_siblings:
        return ""
    record = plate.place or plate.person
    return _(
        "%(code)s: %(count)d plates of one record (“%(name)s”) with no position: fill in "
        "“where it hangs” so that the installer can tell them apart."
    ) % {
        "code": plate.code,
        "count": unplaced_siblings + 1,
        "name": record.name_vi or record.name,
    }


def plate_data(plate: Plate) -> artwork.PlateData:
    """What the plate says, from the record a scan of it shows (the survivor of a merge)."""
    record = plate.landing()
    place_kind = getattr(record, "kind", None)
    unit = getattr(record, "unit", None)
    return artwork.PlateData(
        code=plate.code,
        payload=rendering.payload(plate.code),
        name_vi=record.name_vi or record.name,
        name_en=record.name_en or "",
        unit_name=unit.name if unit else "",
        kind=place_kind or "person",
        position=plate.label,
    )


def plate_template(plate_kind: str, batch: PrintBatch | None = None) -> artwork.Template:
    if batch is not None and batch.template:
        return artwork.get_template(batch.template)
    return artwork.template_for_kind(plate_kind)


def batch_plates(batch: PrintBatch) -> QuerySet[Plate]:
    """The batch's plates in print order (by code, as the manifest lists them), with what
    their artwork needs joined in."""
    return with_unplaced_siblings(
        batch.plates.select_related(
            "place",
            "place__unit",
            "place__merged_into",
            "person",
            "person__merged_into",
        )
    ).order_by("code")


def with_unplaced_siblings(plates: QuerySet[Plate]) -> QuerySet[Plate]:
    """Each plate with `unplaced_siblings`: the other plates of its record, in service, whose
    "where it hangs" is empty (`position_problem`). One counting subquery per kind of owner,
    each on its foreign key's index."""

    def unplaced(owner: str) -> Coalesce:
        others = (
            Plate.objects.filter(**{owner: OuterRef(owner)}, status__in=PRINTABLE, label="")
            .exclude(pk=OuterRef("pk"))
            .order_by()
            .annotate(n=Func(F("pk"), function="COUNT"))
            .values("n")
        )
        return Coalesce(Subquery(others), 0)

    return plates.annotate(unplaced_siblings=unplaced("place_id") + unplaced("person_id"))


def batch_items(batch: PrintBatch) -> Iterator[BatchItem]:
    """The batch's plates as the artwork sees them, each with what keeps it from print
    (`withheld`: its record is no longer published, `record_refusal`) and what else the
    manifest should say of it (`problem`: no position among several plates)."""
    # `iterator()`: a province-wide batch streams from the database in chunks, like its ZIP.
    for plate in batch_plates(batch).iterator(chunk_size=500):
        data = plate_data(plate)
        # The status label stays lazy: the manifest is written in the download's language.
        status = Plate.Status(plate.status).label
        yield BatchItem(
            data,
            plate_template(data.kind, batch),
            status,
            withheld=record_refusal(plate),
            problem=position_problem(plate, plate.unplaced_siblings),
        )


def batch_problems(batch: PrintBatch) -> list[str]:
    """What the batch's page warns of: plates whose record was withdrawn (or went back to
    review) after they went in, which the ZIP leaves out, and plates of one record that say
    nothing of where they hang."""
    withheld, unplaced = [], []
    for plate in batch_plates(batch):
        withheld.append(record_refusal(plate))
        unplaced.append(position_problem(plate, plate.unplaced_siblings))
    # What keeps a plate from print first, then the warnings.
    return [problem for problem in (*withheld, *unplaced) if problem]


def batch_zip(batch: PrintBatch, *, language: str = "vi") -> Iterator[bytes]:
    """The batch's ZIP, produced while it is sent."""
    files = batch_files(
        batch_items(batch),
        dpi=batch.png_dpi,
        sheet=artwork.SHEETS[batch.sheet],
        title=batch.name,
        error_correction=batch.error_correction,
        language=language,
    )
    return stream_zip(files, root=batch.folder_name)


def check_plates(
    plates: Iterable[Plate], *, batch: PrintBatch | None = None, kept: Iterable[int] = ()
) -> None:
    """Raises ValidationError, with every plate refused and why, unless all `plates` can go to
    print: none retired or replaced, each one leading to a published record
    (`record_refusal`), and each one's artwork drawable on its template (a name too long for
    it, a character the font lacks, are caught here, before the print shop sees them). The
    first message says that nothing was saved; one message follows per plate refused.

    `kept`: ids of plates already in the batch (its page saved again): their record is not
    asked again, since a record withdrawn after its plate went in is the page's warning and the
    manifest's problem column, and refuses the sending, not an edit of the batch's notes."""
    plates = list(plates)
    kept = set(kept)
    problems, refused = [], set()
    dead = [plate.code for plate in plates if plate.status not in PRINTABLE]
    if dead:
        refused.update(dead)
        problems.append(
            _("Retired and replaced plates are not printed again: %(codes)s.")
            % {"codes": ", ".join(dead)}
        )
    level = batch.error_correction if batch is not None else None
    for plate in plates:
        if plate.status not in PRINTABLE:
            continue
        refusal = "" if plate.pk in kept else record_refusal(plate)
        if not refusal:
            data = plate_data(plate)
            try:
                artwork.layout_plate(data, plate_template(data.kind, batch), level)
            except artwork.ArtworkError as error:
                refusal = f"{plate.code}: {error}"
        if refusal:
            refused.add(plate.code)
            problems.append(refusal)
    if problems:
        lead = _("Nothing was saved: %(count)d of the %(total)d plates cannot go to print.") % {
            "count": len(refused),
            "total": len(plates),
        }
        raise ValidationError([lead, *problems])


def batch_add_plates(*, batch: PrintBatch, plates: Iterable[Plate]) -> int:
    """Adds plates to a batch still being prepared; returns how many were new to it. Refuses,
    adding nothing, what `check_plates` refuses."""
    plates = list(plates)
    if batch.status != PrintBatch.Status.DRAFT:
        raise ValidationError(
            _("The batch “%(batch)s” has gone to the print shop: start a new batch.")
            % {"batch": batch}
        )
    check_plates(plates, batch=batch)
    with transaction.atomic():
        before = batch.plates.count()
        batch.plates.add(*plates)
        return batch.plates.count() - before


def batch_create(
    *, name: str, plates: Iterable[Plate], by: AbstractBaseUser | None = None
) -> PrintBatch:
    """A new batch, being prepared, holding `plates` (see `batch_add_plates` for refusals)."""
    with transaction.atomic():
        batch = PrintBatch.objects.create(
            name=name, created_by=by if by is not None and by.is_authenticated else None
        )
        batch_add_plates(batch=batch, plates=plates)
    return batch


def batch_send(*, batch: PrintBatch, printer: AbstractBaseUser | None = None) -> PrintBatch:
    """Hands the batch to the print shop: from now on its plates are fixed and the shop's
    account sees it. Every plate's artwork must be approved: a print shop prints only what the
    Department has signed off."""
    with transaction.atomic():
        locked = PrintBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != PrintBatch.Status.DRAFT:
            raise ValidationError(_("This batch has already been sent."))
        plates = list(locked.plates.select_related(*Plate.OWNER_RELATED))
        if not plates:
            raise ValidationError(_("The batch has no plates."))
        unapproved = [p.code for p in plates if p.status != Plate.Status.ARTWORK_APPROVED]
        if unapproved:
            raise ValidationError(
                _("Approve the artwork of these plates first: %(codes)s.")
                % {"codes": ", ".join(unapproved)}
            )
        # A record withdrawn (or sent back to review) since its plate went in.
        withheld = list(filter(None, map(record_refusal, plates)))
        if withheld:
            raise ValidationError(
                [_("The batch was not sent: remove these plates first."), *withheld]
            )
        if printer is not None:
            locked.printer = printer
        if locked.printer is not None and not is_printer(locked.printer):
            raise ValidationError(
                _("%(user)s is not in the “%(group)s” group.")
                % {"user": locked.printer, "group": PRINTER_GROUP}
            )
        locked.status = PrintBatch.Status.SENT
        locked.sent_at = timezone.now()
        locked.save(update_fields=["status", "sent_at", "printer"])
    batch.refresh_from_db()
    return batch


def batch_mark_printed(
    *, batch: PrintBatch, by: AbstractBaseUser, on: datetime.date | None = None
) -> list[str]:
    """The print shop's word that the batch is printed: each plate still awaiting print takes
    the "printed" step (dated `on`, done by the shop), and the batch is closed. Returns the
    codes of plates that could not take the step (retired meanwhile, say), which stay as they
    are."""
    skipped = []
    with transaction.atomic():
        locked = PrintBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != PrintBatch.Status.SENT:
            raise ValidationError(_("Only a batch sent to the print shop can be marked printed."))
        done_by = by.get_full_name() or by.get_username()
        for plate in locked.plates.select_related(*Plate.OWNER_RELATED):
            # A plate the ZIP left out (its record withdrawn meanwhile) was not printed.
            if plate.status != Plate.Status.ARTWORK_APPROVED or record_refusal(plate):
                skipped.append(plate.code)
                continue
            services.plate_transition(
                plate=plate,
                status=Plate.Status.PRINTED,
                on=on,
                by=by,
                done_by=done_by,
                notes=_("Print batch “%(batch)s”") % {"batch": locked.name},
            )
        locked.status = PrintBatch.Status.PRINTED
        locked.printed_at = timezone.now()
        locked.printed_by = by
        locked.save(update_fields=["status", "printed_at", "printed_by"])
    batch.refresh_from_db()
    return skipped


def is_printer(user: AbstractBaseUser) -> bool:
    return roles.is_printer(user)


def can_download(user: AbstractBaseUser, batch: PrintBatch) -> bool:
    """Staff who may see batches get any batch; a print shop only the batches sent to it
    (`sites.roles`)."""
    return roles.can(user, "batch.download", batch)


# Signed download links, for a print shop without an account.


def download_token(batch: PrintBatch) -> str:
    return signing.TimestampSigner(salt=LINK_SALT).sign(f"{batch.pk}.{batch.link_key}")


def batch_for_token(token: str, max_age: datetime.timedelta) -> PrintBatch | None:
    """The batch a link was signed for, or None when the link is forged, expired or revoked
    (a new key was issued) or the batch is still being prepared."""
    try:
        value = signing.TimestampSigner(salt=LINK_SALT).unsign(token, max_age=max_age)
    except signing.BadSignature:
        return None
    pk, _sep, key = value.partition(".")
    batch = PrintBatch.objects.filter(pk=pk, link_key=key).first() if pk.isdigit() else None
    if batch is None or batch.status == PrintBatch.Status.DRAFT:
        return None
    return batch


def batch_revoke_links(*, batch: PrintBatch) -> None:
    """Every download link given out for the batch stops working."""
    batch.link_key = new_link_key()
    batch.save(update_fields=["link_key"])
