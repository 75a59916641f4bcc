"""The Department's roles and the rules they follow, in one place.

- **Editor** ("Editor" group plus one or more communes/wards in `EditorUnit`): creates and edits
  places in those units, and the people linked to them; proposes for review; never publishes.
- **Reviewer** ("Reviewer"): province-wide; reviews, publishes, unpublishes, withdraws.
- **Printer** ("Printer"): plate artwork only. **Installer** ("Installer"): confirms a plate's
  installation in the field. **Steering committee**: the dashboard, read-only.
- Superusers (the IT team) may do everything.

The groups and their permissions are created by `sites/migrations/0005_roles.py`. The admin,
the import, the field installation and the staff write API all ask the functions below, so a
rule is stated once: e.g. an API view calls `check_save(user, record, previous_status=...)`
before saving and lists `places_for(user)`.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from sites.models import AdminUnit, Person, PersonLink, Place, PublishableModel, Status

EDITOR = "Editor"
REVIEWER = "Reviewer"
PRINTER = "Printer"
INSTALLER = "Installer"
STEERING_COMMITTEE = "Steering committee"

# What an editor may set; publishing and withdrawing are a reviewer's.
EDITOR_STATUSES = (Status.DRAFT, Status.REVIEW)

User = AbstractBaseUser | AnonymousUser


def _active(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_publish(user: User | None) -> bool:
    """Reviewers (and superusers): publish, unpublish, withdraw, set any status."""
    return _active(user) and user.has_perm("sites.publish_record")


is_reviewer = can_publish


def can_import(user: User | None) -> bool:
    return _active(user) and user.has_perm("sites.import_records")


def can_view_dashboard(user: User | None) -> bool:
    return _active(user) and user.is_staff and user.has_perm("sites.view_dashboard")


def can_install(user: User | None) -> bool:
    """Installers (and superusers) confirm a plate's installation from the scanned page."""
    return _active(user) and user.has_perm("qrplates.install_plate")


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
    """The places `user` may see and edit in the admin (any Place-derived queryset)."""
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


def people_for(user: User | None, queryset: QuerySet | None = None) -> QuerySet[Person]:
    """The people `user` may edit (every editor may see all people, to link them)."""
    queryset = Person.objects.all() if queryset is None else queryset
    ids = unit_ids(user)
    return queryset if ids is None else queryset.filter(_linked_to_units(ids))


def in_scope(user: User | None, record: PublishableModel) -> bool:
    """Whether `record` lies in `user`'s units (for a new record: where it would be filed)."""
    ids = unit_ids(user)
    if ids is None:
        return True
    if isinstance(record, Place):
        return record.unit_id is not None and record.unit_id in ids
    if isinstance(record, Person):
        return record.pk is None or people_for(user).filter(pk=record.pk).exists()
    return False


def _model_perm(user: User, action: str, record: PublishableModel) -> bool:
    opts = record._meta
    return user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")


def can_edit(user: User | None, record: PublishableModel) -> bool:
    """Whether `user` may change `record` (a Street, Relic, ScenicSpot or Person; a bare Place
    is checked as its specific kind)."""
    if not _active(user):
        return False
    if type(record) is Place:
        record = record.specific
    action = "add" if record.pk is None else "change"
    return _model_perm(user, action, record) and in_scope(user, record)


def can_set_status(user: User | None, status: str) -> bool:
    return can_publish(user) or (_active(user) and status in EDITOR_STATUSES)


def prepare_save(
    user: User | None, record: PublishableModel, *, previous_status: str | None
) -> None:
    """Applies the roles to `record`, about to be saved by `user` (`previous_status`: its
    stored status, None for a new record). Raises PermissionDenied, with a message in the
    active language, when `user` may not save it; otherwise may change its status:

    an editor's change to a published (or withdrawn) record sends it back to review. An editor
    cannot publish, so text no reviewer has seen must not stay on the public page; the page
    says "being updated" until a reviewer publishes the record again.

    Every write outside the admin (the import, the staff API) calls this before saving."""
    if not can_edit(user, record):
        raise PermissionDenied(
            _("You can only edit records in your communes and wards.")
            if _active(user)
            else _("Log in to edit records.")
        )
    if record.pk is not None and not can_publish(user):
        # The stored record must be theirs too, not only where they would move it.
        stored = type(record).objects.filter(pk=record.pk)
        scoped = places_for(user, stored) if isinstance(record, Place) else people_for(user, stored)
        if not scoped.exists():
            raise PermissionDenied(_("You can only edit records in your communes and wards."))
    if can_publish(user):
        return
    if previous_status in (Status.PUBLISHED, Status.WITHDRAWN) and record.status in (
        previous_status,
        Status.REVIEW,
    ):
        record.status = Status.REVIEW
    elif record.status not in EDITOR_STATUSES:
        raise PermissionDenied(_("Only a reviewer can publish or withdraw a record."))
