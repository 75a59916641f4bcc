"""Who may see and do what: the Department's roles, stated once for every door.

- **Editor** ("Editor" group plus one or more communes/wards in `EditorUnit`): creates and edits
  places in those units, and the people linked to them; proposes for review; never publishes.
- **Reviewer** ("Reviewer"): province-wide; reviews, publishes, unpublishes, withdraws; approves
  plate artwork, records a plate's steps, prepares print batches.
- **Printer** ("Printer"): the print batches sent to it. **Installer** ("Installer"): confirms a
  plate's installation in the field. **Steering committee**: the dashboard, read-only.
- Superusers (the IT team) may do everything.

Every door asks this module: the admin (list querysets, the choices a form offers, inlines, bulk
actions, object pages such as the artwork and QR files), the API (reads and writes), the
spreadsheet import and export, the installers' page and the print shops' downloads. It imports no
view, admin or API code, and reaches the plates app by field names and permission strings only
(that app imports this module), so the rules stay in the content app whatever moves around it.

Two questions, one answer each:

- **See**: querysets. Everyone sees what is published. An editor also sees the unpublished
  records of their communes and wards and of the people they look after (`places_visible`,
  `people_visible`); reviewers and superusers see everything. Print shops, installers and the
  steering committee see what is public plus what their job needs: a print shop the batches sent
  to it (`batches_for`), an installer the plates out in the field (`plates_for`).
- **Do**: `can(user, action, obj)`, every action named in `ACTIONS`: the model permissions the
  groups hold (`sites/migrations/0005_roles.py` and later), narrowed to the same scope.

`tests/workflow/test_permission_table.py` holds the table of roles × doors × own/other commune ×
published/unpublished that proves it, and fails for a door that is not in it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from sites.models import (
    AdminUnit,
    Person,
    PersonLink,
    Place,
    PublishableModel,
    Source,
    Status,
    published_q,
)

EDITOR = "Editor"
REVIEWER = "Reviewer"
PRINTER = "Printer"
INSTALLER = "Installer"
STEERING_COMMITTEE = "Steering committee"

# The records the roles are about (model names in the content app).
CONTENT_MODELS = ("street", "relic", "scenicspot", "person")

# What an editor may set; publishing and withdrawing are a reviewer's.
EDITOR_STATUSES = (Status.DRAFT, Status.REVIEW)

# Plates an installer may meet on the street: printed, on their pole, or damaged there (the
# values of qrplates.models.Plate.Status, which imports this module).
IN_THE_FIELD = ("printed", "installed", "damaged")

User = AbstractBaseUser | AnonymousUser


def _active(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _perm(user: User | None, permission: str) -> bool:
    return _active(user) and user.has_perm(permission)


def can_publish(user: User | None) -> bool:
    """Reviewers (and superusers): publish, unpublish, withdraw, set any status."""
    return _perm(user, "sites.publish_record")


is_reviewer = can_publish


def can_import(user: User | None) -> bool:
    return _perm(user, "sites.import_records")


def can_view_dashboard(user: User | None) -> bool:
    return _active(user) and user.is_staff and user.has_perm("sites.view_dashboard")


def can_install(user: User | None) -> bool:
    """Installers (and superusers) confirm a plate's installation from the scanned page."""
    return _perm(user, "qrplates.install_plate")


def is_printer(user: User | None) -> bool:
    """A print shop's account (the "Printer" group)."""
    if not _active(user):
        return False
    cached = getattr(user, "_streetinfo_is_printer", None)
    if cached is None:
        cached = user.groups.filter(name=PRINTER).exists()
        user._streetinfo_is_printer = cached
    return cached


# --- see: what each user may read ----------------------------------------------------------------


def unit_ids(user: User | None) -> frozenset[int] | None:
    """The units `user` works in; None means every unit (reviewers, superusers). Kept on the
    user object for the request, since the admin asks for every row of a list."""
    if not _active(user):
        return frozenset()
    if can_publish(user):
        return None
    cached = getattr(user, "_streetinfo_unit_ids", None)
    if cached is None:
        cached = frozenset(user.editor_units.values_list("unit_id", flat=True))
        user._streetinfo_unit_ids = cached
    return cached


def units_for(user: User | None) -> QuerySet[AdminUnit]:
    """The communes and wards `user` may file records under."""
    ids = unit_ids(user)
    units = AdminUnit.objects.communes()
    return units if ids is None else units.filter(pk__in=ids)


def places_for(user: User | None, queryset: QuerySet | None = None) -> QuerySet:
    """The places `user` may edit (any Place-derived queryset): an editor's communes and wards;
    every place for a reviewer; none for anyone else."""
    queryset = Place.objects.all() if queryset is None else queryset
    ids = unit_ids(user)
    return queryset if ids is None else queryset.filter(unit__in=ids)


def _linked_to_units(ids: frozenset[int]) -> Q:
    in_units = PersonLink.objects.filter(person=OuterRef("pk"), place__unit__in=ids)
    named_in_units = Place.objects.filter(street__named_after=OuterRef("pk"), unit__in=ids)
    any_link = PersonLink.objects.filter(person=OuterRef("pk"))
    any_street = Place.objects.filter(street__named_after=OuterRef("pk"))
    # People belong to no commune: an editor looks after those linked to a place of theirs,
    # and those linked to no place yet (a record being prepared).
    return (
        Q(Exists(in_units))
        | Q(Exists(named_in_units))
        | (~Q(Exists(any_link)) & ~Q(Exists(any_street)))
    )


def _people_scope(user: User | None) -> Q | None:
    """None: every person; else the condition for the people `user` looks after."""
    ids = unit_ids(user)
    if ids is None:
        return None
    if not _perm(user, "sites.change_person"):
        return Q(pk__in=[])  # not an editor: nobody's keeper
    # Kept with the units on the user object: the admin asks for it several times a page.
    cached = getattr(user, "_streetinfo_people_scope", None)
    if cached is None or cached[0] != ids:
        cached = (ids, _linked_to_units(ids))
        user._streetinfo_people_scope = cached
    return cached[1]


def people_for(user: User | None, queryset: QuerySet | None = None) -> QuerySet[Person]:
    """The people `user` may edit: for an editor, those linked to their places or to no place
    yet; every person for a reviewer; nobody for anyone else."""
    queryset = Person.objects.all() if queryset is None else queryset
    scope = _people_scope(user)
    return queryset if scope is None else queryset.filter(scope)


def places_visible(user: User | None, queryset: QuerySet | None = None) -> QuerySet:
    """The places `user` may read: the published ones, and those they may edit."""
    queryset = Place.objects.all() if queryset is None else queryset
    ids = unit_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(published_q() | Q(unit__in=ids))


def people_visible(user: User | None, queryset: QuerySet | None = None) -> QuerySet[Person]:
    """The people `user` may read: the published ones, and those they look after."""
    queryset = Person.objects.all() if queryset is None else queryset
    scope = _people_scope(user)
    return queryset if scope is None else queryset.filter(published_q() | scope)


def sources_visible(user: User | None, queryset: QuerySet | None = None) -> QuerySet[Source]:
    """The sources `user` may read: the citable ones (`Source.objects.citable()`), and every one
    for staff, who keep the others for provenance."""
    queryset = Source.objects.all() if queryset is None else queryset
    return queryset if _active(user) and user.is_staff else queryset.citable()


def records_for(user: User | None, queryset: QuerySet) -> QuerySet:
    """`places_for` or `people_for`, whichever `queryset` holds."""
    if issubclass(queryset.model, Place):
        return places_for(user, queryset)
    return people_for(user, queryset)


def records_visible(user: User | None, queryset: QuerySet) -> QuerySet:
    """`places_visible` or `people_visible`, whichever `queryset` holds."""
    if issubclass(queryset.model, Place):
        return places_visible(user, queryset)
    return people_visible(user, queryset)


def links_visible(user: User | None, queryset: QuerySet[PersonLink]) -> QuerySet[PersonLink]:
    """Links between a person and a place, when `user` may read both ends (a link names them)."""
    if unit_ids(user) is None:
        return queryset
    return queryset.filter(
        place__in=places_visible(user).values("pk"), person__in=people_visible(user).values("pk")
    )


def _plate_model() -> type[models.Model]:
    return apps.get_model("qrplates", "Plate")


def plates_for(user: User | None, queryset: QuerySet | None = None) -> QuerySet:
    """The plates `user` may see, with their codes, artwork and QR files: every plate for a
    reviewer; an editor's, those of the records they may edit; an installer's, those in the
    field and those of published records. A print shop reaches plates only through its batches.
    A plate's artwork names its record, so this follows the records' own rule."""
    queryset = _plate_model().objects.all() if queryset is None else queryset
    if not _perm(user, "qrplates.view_plate"):
        return queryset.none()
    ids = unit_ids(user)
    if ids is None:
        return queryset
    condition = Q(place__unit__in=ids) | Q(person__in=people_for(user).values("pk"))
    if can_install(user):
        condition |= Q(status__in=IN_THE_FIELD) | published_q("place") | published_q("person")
    return queryset.filter(condition)


def batches_for(user: User | None, queryset: QuerySet | None = None) -> QuerySet:
    """The print batches `user` may see: all of them for staff who prepare batches; for a print
    shop, the batches sent to it (never one being prepared)."""
    if queryset is None:
        queryset = apps.get_model("qrplates", "PrintBatch").objects.all()
    if _perm(user, "qrplates.view_printbatch"):
        return queryset
    if is_printer(user):
        return queryset.filter(printer=user).exclude(status="draft")
    return queryset.none()


def submissions_for(user: User | None, queryset: QuerySet) -> QuerySet:
    """The public's problem reports and suggestions `user` may handle: those about the records
    they may edit."""
    ids = unit_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(Q(place__unit__in=ids) | Q(person__in=people_for(user).values("pk")))


def report_handlers(report: models.Model) -> list[AbstractBaseUser]:
    """Who a public problem report goes to, by its kind and its record's commune or ward: a
    damaged or missing plate to the installers of that commune (an installer's communes are
    listed on their user page, as an editor's are), else to every installer who has none; wrong
    information or anything else to the editors of that commune. When nobody is found there,
    to the reviewers, who work province-wide. Active staff accounts with an e-mail address only,
    in a stable order."""
    staff = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    group = INSTALLER if report.kind in report.PLATE_KINDS else EDITOR
    role = staff.filter(groups__name=group)
    unit_id = report.place.unit_id if report.place_id else None
    candidates = []
    if unit_id is not None:
        candidates.append(role.filter(editor_units__unit_id=unit_id))
    if group == INSTALLER:
        candidates.append(role.filter(editor_units=None))
    candidates.append(staff.filter(groups__name=REVIEWER))
    for users in candidates:
        found = list(users.distinct().order_by("username"))
        if found:
            return found
    return []


# --- choices: what a form may offer --------------------------------------------------------------


def _units_choice(user: User | None, queryset: QuerySet) -> QuerySet:
    """An editor files records under their own communes and wards."""
    if unit_ids(user) is None:
        return queryset
    return queryset.filter(pk__in=units_for(user).values("pk"))


# The field (its model's label, lower case, and name) → the records a form may offer for it. A
# field not listed here offers what its user may read (see `choices`).
CHOICES: dict[str, Callable[[User | None, QuerySet], QuerySet]] = {
    # A plate leads to a record one may edit: its code will be printed for that record.
    "qrplates.plate.place": places_for,
    "qrplates.plate.person": people_for,
    # A link is shown on the place's page: only a place one may edit; any person one may read.
    "sites.personlink.place": places_for,
    "sites.personlink.person": people_visible,
    "sites.street.named_after": people_visible,
    "sites.place.merged_into": places_visible,
    "sites.person.merged_into": people_visible,
    "sites.place.unit": _units_choice,
    "qrplates.printbatch.plates": plates_for,
}


def choices(user: User | None, field: models.Field, queryset: QuerySet) -> QuerySet:
    """What a form field that points at other records (a foreign key or many-to-many `field`)
    may offer `user`, narrowed from `queryset`. The admin's form fields, its autocomplete
    boxes, the API's writes and the import all ask this."""
    rule = CHOICES.get(f"{field.model._meta.label_lower}.{field.name}")
    if rule is not None:
        return rule(user, queryset)
    target = queryset.model
    if issubclass(target, Place | Person):
        return records_visible(user, queryset)
    if target is _plate_model():
        return plates_for(user, queryset)
    if target is apps.get_model("qrplates", "PrintBatch"):
        return batches_for(user, queryset)
    return queryset


def may_choose(user: User | None, field: models.Field, value: models.Model | None) -> bool:
    """Whether `value` is one of `choices(user, field, …)` (None always is)."""
    if value is None:
        return True
    model = type(value)
    return choices(user, field, model._default_manager.filter(pk=value.pk)).exists()


# --- do: what each user may change ---------------------------------------------------------------


def _stored(record: models.Model) -> QuerySet:
    return type(record)._default_manager.filter(pk=record.pk)


def in_scope(user: User | None, record: PublishableModel) -> bool:
    """Whether `record` lies in `user`'s units (for a new record: where it would be filed; for
    a stored one, both where it is and where it would move)."""
    ids = unit_ids(user)
    if ids is None:
        return True
    if isinstance(record, Place):
        if record.unit_id is None or record.unit_id not in ids:
            return False
        return record.pk is None or places_for(user, _stored(record)).exists()
    if isinstance(record, Person):
        return (
            _perm(user, "sites.change_person")
            if record.pk is None
            else people_for(user, _stored(record)).exists()
        )
    return False


def _model_perm(user: User, action: str, record: models.Model) -> bool:
    opts = record._meta
    return user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")


def _specific(record: PublishableModel) -> PublishableModel:
    return record.specific if type(record) is Place else record


def can_view(user: User | None, record: PublishableModel | None = None) -> bool:
    """Whether `user` may read `record` as it is stored: published, or theirs to edit."""
    if record is None or record.pk is None:
        return True
    stored = _stored(record)
    return records_visible(user, stored).exists()


def can_edit(user: User | None, record: PublishableModel | None = None) -> bool:
    """Whether `user` may change `record` (a Street, Relic, ScenicSpot or Person; a bare Place
    is checked as its specific kind; a walking route, which crosses communes, only by those
    who work province-wide: `in_scope`)."""
    if record is None:
        return _active(user) and any(
            user.has_perm(f"sites.change_{name}") for name in CONTENT_MODELS
        )
    if not _active(user):
        return False
    record = _specific(record)
    action = "add" if record.pk is None else "change"
    return _model_perm(user, action, record) and in_scope(user, record)


def can_set_status(user: User | None, status: str) -> bool:
    return can_publish(user) or (_active(user) and status in EDITOR_STATUSES)


def can_mint(user: User | None, record: PublishableModel | None = None) -> bool:
    """A plate's code is printed for its record: minted by those who may add plates, for a
    record they may edit."""
    return _perm(user, "qrplates.add_plate") and (record is None or can_edit(user, record))


def can_view_plate(user: User | None, plate: models.Model | None = None) -> bool:
    if plate is None:
        return _perm(user, "qrplates.view_plate")
    return plates_for(user, _stored(plate)).exists()


def can_step_plate(user: User | None, plate: models.Model | None = None) -> bool:
    """A step in a plate's life (artwork approved, printed, retired, …) is the Department's
    decision: staff who may change plates, for a plate they may see. Retiring cannot be
    undone."""
    return _perm(user, "qrplates.change_plate") and (plate is None or can_view_plate(user, plate))


def can_retarget(user: User | None, plate: models.Model | None = None) -> bool:
    return can_step_plate(user, plate)


def can_install_plate(user: User | None, plate: models.Model | None = None) -> bool:
    return can_install(user) and (plate is None or can_view_plate(user, plate))


def can_batch(user: User | None, plates: object = None) -> bool:
    """Putting plates into a print batch (a new one or one being prepared)."""
    return _perm(user, "qrplates.add_printbatch") and _perm(user, "qrplates.change_printbatch")


def can_view_batch(user: User | None, batch: models.Model | None = None) -> bool:
    if batch is None:
        return _perm(user, "qrplates.view_printbatch") or is_printer(user)
    return batches_for(user, _stored(batch)).exists()


def can_view_batch_history(user: User | None, batch: models.Model | None = None) -> bool:
    """Who changed what in a batch: the Department's staff, not the print shop."""
    return _perm(user, "qrplates.view_printbatch")


def can_download_batch(user: User | None, batch: models.Model | None = None) -> bool:
    """Staff who may see batches get any batch; a print shop only the batches sent to it."""
    return can_view_batch(user, batch)


def can_manage_batch(user: User | None, batch: models.Model | None = None) -> bool:
    """Sending a batch to its print shop, new download links: the Department's staff."""
    return _perm(user, "qrplates.change_printbatch")


def can_mark_batch_printed(user: User | None, batch: models.Model | None = None) -> bool:
    """The print shop's word that a batch is printed (or staff recording it for them)."""
    if can_manage_batch(user, batch):
        return True
    return is_printer(user) and (batch is None or can_view_batch(user, batch))


def can_handle_submission(user: User | None, submission: models.Model | None = None) -> bool:
    """A problem report or suggestion about a record `user` may edit."""
    if submission is None:
        return _active(user)
    if not _model_perm(user, "change", submission):
        return False
    return submissions_for(user, _stored(submission)).exists()


def _publish(user: User | None, record: object = None) -> bool:
    return can_publish(user)


def _import(user: User | None, model: object = None) -> bool:
    return can_import(user)


def _dashboard(user: User | None, obj: object = None) -> bool:
    return can_view_dashboard(user)


# Every action a door may ask about, by name: (user, object or None for "any") → allowed.
ACTIONS: dict[str, Callable[[User | None, object], bool]] = {
    "record.view": can_view,
    "record.change": can_edit,
    # Past versions may hold text that was never published: the record's editors only.
    "record.history": can_edit,
    "record.submit": can_edit,
    "record.publish": _publish,
    "record.import": _import,
    "plate.view": can_view_plate,
    "plate.mint": can_mint,
    "plate.retarget": can_retarget,
    "plate.step": can_step_plate,
    "plate.approve_artwork": can_step_plate,
    "plate.mark_printed": can_step_plate,
    "plate.retire": can_step_plate,
    "plate.install": can_install_plate,
    "plate.artwork": can_view_plate,
    "batch.create": can_batch,
    "batch.view": can_view_batch,
    "batch.history": can_view_batch_history,
    "batch.download": can_download_batch,
    "batch.send": can_manage_batch,
    "batch.new_link": can_manage_batch,
    "batch.mark_printed": can_mark_batch_printed,
    "submission.handle": can_handle_submission,
    "dashboard.view": _dashboard,
}


def can(user: User | None, action: str, obj: object = None) -> bool:
    """Whether `user` may do `action` (a key of ACTIONS) to `obj` (None: to anything at all,
    e.g. whether to offer a bulk action)."""
    return ACTIONS[action](user, obj)


def check(user: User | None, action: str, obj: object = None) -> None:
    """Raises PermissionDenied, with a message in the active language, unless `can(...)`."""
    if can(user, action, obj):
        return
    if not _active(user):
        raise PermissionDenied(_("Log in to do this."))
    if isinstance(obj, PublishableModel):
        raise PermissionDenied(_("You can only edit records in your communes and wards."))
    raise PermissionDenied(_("Your account may not do this."))


def prepare_save(
    user: User | None, record: PublishableModel, *, previous_status: str | None
) -> None:
    """Applies the roles to `record`, about to be saved by `user` (`previous_status`: its
    stored status, None for a new record). Raises PermissionDenied, with a message in the
    active language, when `user` may not save it; otherwise may change its status:

    an editor's change to a published (or withdrawn) record sends it back to review. An editor
    cannot publish, so text no reviewer has seen must not stay on the public page; the page
    says "being updated" until a reviewer publishes the record again. The same holds for what
    hangs on the record (a photo, a source, a link): it is public only while its record is, so
    a change to it goes through its record (see `review.record_add_photo`).

    Every write calls this before saving: the admin, the import, the staff API, the suggestions'
    queue."""
    if not can_edit(user, record):
        raise PermissionDenied(
            _("You can only edit records in your communes and wards.")
            if _active(user)
            else _("Log in to edit records.")
        )
    if can_publish(user):
        return
    if previous_status in (Status.PUBLISHED, Status.WITHDRAWN) and record.status in (
        previous_status,
        Status.REVIEW,
    ):
        record.status = Status.REVIEW
    elif record.status not in EDITOR_STATUSES:
        raise PermissionDenied(_("Only a reviewer can publish or withdraw a record."))
