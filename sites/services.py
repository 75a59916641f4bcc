"""The one way a content record (a street, relic, scenic spot or person, or a walking route) is
written, whoever writes it: the admin's form, the staff API and the spreadsheet import all call
`record_save` (the import its two halves, see below), so that each write stores the same text, is
validated the same way, is filed under the same commune and obeys the same roles.

A write, in order:

1. the text is normalised as it will be stored (Unicode NFC, no markup: `normalize_text`), so
   that what is validated is what is saved;
2. the record is validated as the admin's forms validate it (`full_clean()`, leaving out the
   fields nobody types and the untranslated originals of translated fields), and the text of a
   required translated field must exist in the default language (Vietnamese);
3. a place without a commune or ward is filed under the one containing its coordinates, so that
   the roles judge where the record will really be;
4. the roles (`sites.roles.prepare_save`, the one permission rule) decide whether the writer may
   save it, and may send an editor's change to a published record back to review;
5. the record is saved, with its writer (and the reason, if any) in its history, in one
   transaction: nothing is saved when anything above fails.

Errors are Django's: a ValidationError naming the model's fields (the default language's text as
"name_vi"), or PermissionDenied; each door words them its own way. This is the shape of pretix's
`services/` and of the Django-Styleguide's services: the doors parse and present, the service
decides and writes.
"""

from __future__ import annotations

import datetime
import functools
import logging
import smtplib
from collections.abc import Collection

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from modeltranslation.translator import translator

from sites import roles
from sites.models import PersonLink, Place, ProblemReport, PublishableModel, Source

DEFAULT_SUFFIX = settings.LANGUAGE_CODE.replace("-", "_")


def translated_fields(model: type[PublishableModel]) -> set[str]:
    """The model's translated fields by their original names ("name", "summary", …)."""
    return set(translator.get_options_for_model(model).all_fields)


def record_check(
    record: PublishableModel,
    *,
    by: AbstractBaseUser | AnonymousUser | None,
    exclude: Collection[str] = (),
    checked: Collection[str] = (),
) -> None:
    """Steps 1 to 4 of a write (see the module): normalises, validates, fills the commune or
    ward and applies the roles to `record` as `by` is about to save it. `exclude`: fields the
    caller already found wrong (the import's unreadable cells), left out of the validation.
    `checked`: fields whose database look-ups the caller made for many records at once (the
    import reads the external IDs of a whole file in one query, and the communes and people a
    file names once each): their uniqueness is not checked again, nor the existence of the
    record a foreign key names (read from the database by the caller); their other rules still
    apply, and the database refuses a clash all the same (`record_write`).
    Raises ValidationError, naming every wrong field at once, or PermissionDenied."""
    if isinstance(record, Place):
        record.kind = record.slug_scope
    record.normalize_text()

    translated = translated_fields(type(record))
    errors: dict[str, list[str]] = {}
    for name in sorted(translated):
        field = record._meta.get_field(name)
        default = f"{name}_{DEFAULT_SUFFIX}"
        if not field.blank and default not in exclude and not getattr(record, default, ""):
            errors[default] = [str(field.error_messages["blank"])]
    excluded = {
        field.name
        for field in record._meta.concrete_fields
        if not field.editable or field.name in translated
    }
    try:
        record.full_clean(exclude=[*excluded, *exclude, *checked])
    except ValidationError as invalid:
        errors = invalid.update_error_dict(errors)
    for name in checked:
        field = record._meta.get_field(name)
        if name in exclude or name in errors or field.is_relation:
            continue
        try:
            field.clean(getattr(record, field.attname), record)
        except ValidationError as invalid:
            errors.setdefault(name, []).extend(invalid.messages)
    if errors:
        raise ValidationError(errors)

    if isinstance(record, Place):
        record.fill_unit()
    previous_status = (
        type(record)._default_manager.filter(pk=record.pk).values_list("status", flat=True).first()
        if record.pk
        else None
    )
    roles.prepare_save(by, record, previous_status=previous_status)


def record_write(
    record: PublishableModel,
    *,
    by: AbstractBaseUser | AnonymousUser | None,
    reason: str = "",
) -> PublishableModel:
    """Step 5 of a write: saves `record`, checked by `record_check`, with `by` (and `reason`)
    in its history. Two writers racing for the same address or external ID (each checked it
    free) get a ValidationError, not a server error."""
    # Read by django-simple-history for the history row this save writes.
    record._history_user = by
    if reason:
        record._change_reason = reason[:100]
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as clash:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _(
                    "Another record was saved with the same address or external ID at the "
                    "same moment. Try again."
                )
            }
        ) from clash
    return record


def record_save(
    *,
    record: PublishableModel,
    by: AbstractBaseUser | AnonymousUser | None,
    reason: str = "",
) -> PublishableModel:
    """Checks and saves `record` for `by` in one transaction (the whole of a write: see the
    module). The admin and the API call this; the import calls its two halves, because it
    checks every row before it knows which rows change anything (a row about a record the
    editor may not touch must be refused, not reported "unchanged") and saves only those."""
    with transaction.atomic():
        record_check(record, by=by)
        return record_write(record, by=by, reason=reason)


# What hangs on a record and is shown on its page: a link between a person and a place (on the
# place's page: the place is its record, whichever page it is written from), a source (on its
# place's or person's page). Written, and removed, here by every door: the admin's link and
# source rows (`PublishableAdmin.save_formset`) and the spreadsheet import.


def _stored_status(record: PublishableModel) -> str | None:
    return (
        type(record)._default_manager.filter(pk=record.pk).values_list("status", flat=True).first()
    )


def attached_check(
    row: PersonLink | Source,
    *,
    record: PublishableModel,
    by: AbstractBaseUser | AnonymousUser | None,
) -> None:
    """The first half of writing `row`, which hangs on `record` (a Street, Relic, ScenicSpot or
    Person, the same object given to `attached_write`): normalises and validates it as
    `record_check` does a record (every wrong field named at once), and applies the roles to
    its record (`roles.prepare_save`): `by` must be allowed to edit the record, and an editor's
    change sends a published record back to review, since what hangs on a record is public only
    while the record is (as `workflow.review.record_add_photo` does for a photo). Raises
    ValidationError or PermissionDenied."""
    row.normalize_text()
    translated = translated_fields(type(row))
    excluded = {
        field.name
        for field in row._meta.concrete_fields
        if not field.editable or field.name in translated
    }
    row.full_clean(exclude=excluded)
    roles.prepare_save(by, record, previous_status=_stored_status(record))


def attached_write(
    row: PersonLink | Source,
    *,
    record: PublishableModel,
    by: AbstractBaseUser | AnonymousUser | None,
    reason: str = "",
) -> None:
    """The second half: saves `row` (checked by `attached_check`) with `by` in its history, and
    its record through `record_write` when the roles changed the record's status."""
    row._history_user = by
    if reason:
        row._change_reason = reason[:100]
    with transaction.atomic():
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError as clash:
            raise ValidationError(
                {NON_FIELD_ERRORS: _("Another change was saved at the same moment. Try again.")}
            ) from clash
        if record.status != _stored_status(record):
            record_write(record, by=by, reason=reason)


def attached_save(
    row: PersonLink | Source,
    *,
    record: PublishableModel,
    by: AbstractBaseUser | AnonymousUser | None,
    reason: str = "",
) -> None:
    """Checks and saves `row`, which hangs on `record`, for `by` in one transaction."""
    with transaction.atomic():
        attached_check(row, record=record, by=by)
        attached_write(row, record=record, by=by, reason=reason)


def attached_delete(
    row: PersonLink | Source,
    *,
    record: PublishableModel,
    by: AbstractBaseUser | AnonymousUser | None,
    reason: str = "",
) -> None:
    """Removes `row`, which hangs on `record`, for `by`, under the same roles as a change to
    it (`roles.prepare_save`: `by` must be allowed to edit the record, and an editor's removal
    sends a published record back to review), with `by` in `row`'s history and, when the roles
    changed the record's status, in the record's, in one transaction. Raises PermissionDenied,
    removing nothing."""
    with transaction.atomic():
        roles.prepare_save(by, record, previous_status=_stored_status(record))
        row._history_user = by
        if reason:
            row._change_reason = reason[:100]
        row.delete()
        if record.status != _stored_status(record):
            record_write(record, by=by, reason=reason)


# A problem report from the public, routed to whoever handles it.

logger = logging.getLogger(__name__)


def route_problem_report(report: ProblemReport) -> list:
    """Gives a new problem report its due date (`PROBLEM_REPORT_DUE_DAYS` from today) and its
    handlers (`sites.roles.report_handlers`: by kind and commune), and e-mails them once the
    report is committed, in the site's language, with a link to the report in the admin. A mail
    server that fails is logged, never shown to the visitor: the report is kept and waits in the
    queue all the same. Returns the handlers."""
    handlers = roles.report_handlers(report)
    report.due_on = timezone.localdate() + datetime.timedelta(days=settings.PROBLEM_REPORT_DUE_DAYS)
    report.save(update_fields=["due_on"])
    report.handlers.set(handlers)
    if handlers:
        transaction.on_commit(functools.partial(mail_problem_report, report, handlers))
    return handlers


def mail_problem_report(report: ProblemReport, handlers: list) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Problem report: %(kind)s — %(record)s") % {
            "kind": report.get_kind_display(),
            "record": report.owner,
        }
        unit = report.unit
        body = "\n".join(
            line
            for line in (
                _("A visitor reported a problem that is yours to handle."),
                "",
                _("Record: %(record)s") % {"record": report.owner},
                _("Commune or ward: %(unit)s") % {"unit": unit} if unit else None,
                _("Plate: %(code)s") % {"code": report.plate.code} if report.plate_id else None,
                _("Problem: %(kind)s") % {"kind": report.get_kind_display()},
                _("Message: %(message)s") % {"message": report.message} if report.message else None,
                _("Due on: %(day)s") % {"day": report.due_on.strftime("%d/%m/%Y")},
                "",
                settings.PUBLIC_BASE_URL.rstrip("/") + report.get_absolute_url(),
            )
            if line is not None
        )
    try:
        send_mail(subject, body, None, [user.email for user in handlers])
    except (OSError, smtplib.SMTPException):
        logger.exception("The problem report %s could not be e-mailed to its handlers", report.pk)
