"""Review and publish: draft → in review → published (and back), and what a reviewer reads
before publishing: every field changed since the last published version, language by language,
with the words that changed marked.

The versions come from the records' history (django-simple-history): one history row is a
complete copy of the record, so "the last published version" is the newest row whose status
was "published".
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import models, transaction
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from lib import languages
from sites import roles
from sites.models import (
    FormerName,
    Person,
    PersonLink,
    Photo,
    Place,
    PublishableModel,
    Source,
    Status,
    Street,
    TextState,
    published_q,
)
from sites.translation import translated_fields

# Bookkeeping, not content: never shown as a change.
NOT_CONTENT = {
    "id",
    "place_ptr",
    "kind",
    "status",
    "published_at",
    "created_at",
    "updated_at",
    "search_text",
    "translation_states",
}


@dataclass(frozen=True)
class FieldChange:
    field: str  # the column, e.g. "summary_en"
    label: str  # e.g. "summary (English)"
    language: str  # "" for a field that is the same in every language
    old: str
    new: str

    @property
    def marked(self) -> SafeString:
        """The new text with removed words struck through and added words underlined."""
        return word_diff(self.old, self.new)


@dataclass(frozen=True)
class RelatedChange:
    what: str  # "source", "photo", …
    action: str  # "added", "changed", "removed"
    text: str
    image_url: str = ""  # a photo's, for the reviewer to see what they publish


def word_diff(old: str, new: str) -> SafeString:
    """HTML of `new` with the words that differ from `old` in <del> and <ins>, escaped."""
    old_words = re.split(r"(\s+)", old)
    new_words = re.split(r"(\s+)", new)
    parts = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(new_words[b1:b2])))
            continue
        if a2 > a1:
            parts.append(format_html("<del>{}</del>", "".join(old_words[a1:a2])))
        if b2 > b1:
            parts.append(format_html("<ins>{}</ins>", "".join(new_words[b1:b2])))
    return mark_safe("".join(parts))  # every piece escaped above


def last_published_version(record: PublishableModel) -> models.Model | None:
    """The newest history row of `record` that was published, or None if it never was."""
    record = _specific(record)
    return record.history.filter(published_q()).order_by("-history_date", "-history_id").first()


def _specific(record: PublishableModel) -> PublishableModel:
    return record.specific if type(record) is Place else record


def _shown(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def changes_since_published(record: PublishableModel) -> list[FieldChange]:
    """Every content field whose value differs from the last published version, the same field
    in each language side by side (name in Vietnamese, name in English, summary, …). A record
    never published is compared with nothing: each filled field is a change."""
    record = _specific(record)
    version = last_published_version(record)
    field_languages = translated_fields(type(record))
    changes = []
    for field in record._meta.concrete_fields:
        if field.name in NOT_CONTENT or field_languages.get(field.name) == "*":
            continue
        old = _value(version, field) if version is not None else ""
        new = _value(record, field)
        if old == new:
            continue
        language = field_languages.get(field.name, "")
        label = str(field.verbose_name)
        if language:
            label = f"{label} ({languages.get(language).name})"
        changes.append(FieldChange(field.name, label, language, old, new))
    return changes


def _value(instance: models.Model, field: models.Field) -> str:
    if isinstance(field, models.ForeignKey):
        related_id = getattr(instance, field.attname)
        if related_id is None:
            return ""
        related = field.related_model._default_manager.filter(pk=related_id).first()
        return str(related) if related is not None else f"#{related_id}"
    if field.choices:
        value = getattr(instance, field.attname)
        return _shown(dict(field.flatchoices).get(value, value))
    return _shown(getattr(instance, field.attname))


def related_changes_since_published(
    record: PublishableModel, *, user: AbstractBaseUser | None = None
) -> list[RelatedChange]:
    """Links to people, sources, photos and former names added, changed or removed since the
    last published version. With `user`, a link is listed only when `user` may read the record
    at its other end (an editor does not learn the name of another commune's draft here)."""
    record = _specific(record)
    version = last_published_version(record)
    owner = {"person_id" if isinstance(record, Person) else "place_id": record.pk}
    related: list[tuple[type[models.Model], dict]] = [
        (Source, owner),
        (Photo, owner),
        (PersonLink, owner),
    ]
    if isinstance(record, Street):
        related.append((FormerName, {"street_id": record.pk}))
    actions = {"+": _("added"), "~": _("changed"), "-": _("removed")}
    changes = []
    for model, condition in related:
        rows = model.history.filter(**condition)
        if version is not None:
            rows = rows.filter(history_date__gt=version.history_date)
        rows = rows.order_by("history_date", "history_id")
        if model is PersonLink and user is not None:
            other, visible = (
                ("place_id", roles.places_visible(user))
                if isinstance(record, Person)
                else ("person_id", roles.people_visible(user))
            )
            readable = set(visible.values_list("pk", flat=True))
            rows = [row for row in rows if getattr(row, other) in readable]
        for row in rows:
            changes.append(
                RelatedChange(
                    str(model._meta.verbose_name),
                    actions[row.history_type],
                    str(row.instance),
                    image_url(model, row),
                )
            )
    return changes


def image_url(model: type[models.Model], row: models.Model) -> str:
    """The address of a photo's image in a history row (kept there as its name), "" for
    anything else or a photo removed since."""
    name = str(getattr(row, "image", "") or "")
    if model is not Photo or not name or row.history_type == "-":
        return ""
    return Photo._meta.get_field("image").storage.url(name)


def _save(record: PublishableModel, *, by: AbstractBaseUser, reason: str) -> None:
    # Read by django-simple-history for the history row this save writes.
    record._history_user = by
    record._change_reason = reason[:100]
    record.save()


def record_add_photo(
    *,
    record: PublishableModel,
    image: File,
    name: str,
    caption: str = "",
    credit: str = "",
    by: AbstractBaseUser,
) -> Photo:
    """Adds a photo to `record`, as adding it on the record's own page does: `by` must be
    allowed to edit the record, and an editor's photo on a published record sends the record
    back to review (`roles.prepare_save`). A photo is public only while its record is, so "the
    photo waits for review" means "its record does": the public page says "being updated" until
    a reviewer, who sees the photo among the changes since publication, publishes the record
    again. A reviewer's photo is published at once: adding it was their review.

    Raises PermissionDenied, adding nothing, when `by` may not edit the record."""
    record = _specific(record)
    previous = type(record).objects.filter(pk=record.pk).values_list("status", flat=True).first()
    roles.prepare_save(by, record, previous_status=previous)
    with transaction.atomic():
        photo = Photo(owner=record, caption=caption, credit=credit)
        photo.image.save(name, image, save=False)
        photo._history_user = by
        photo.save()
        if record.status != previous:
            _save(record, by=by, reason=_("A photo was added"))
    return photo


def record_submit(*, record: PublishableModel, by: AbstractBaseUser) -> None:
    """Sends a draft to the reviewers. Editors of the record's unit and reviewers may."""
    record = _specific(record)
    if not roles.can_edit(by, record):
        raise PermissionDenied(_("You can only edit records in your communes and wards."))
    if record.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be sent for review."))
    record.status = Status.REVIEW
    _save(record, by=by, reason=_("Sent for review"))


def record_publish(*, record: PublishableModel, by: AbstractBaseUser, note: str = "") -> None:
    """Publishes `record` (reviewers only) after the checks its form makes (address, merge),
    and marks its text in the default language reviewed: the reviewer has just read it. The
    other languages keep their state; a machine translation stays labelled as such."""
    record = _specific(record)
    if not roles.can_publish(by):
        raise PermissionDenied(_("Only a reviewer can publish or withdraw a record."))
    if record.merged_into_id is not None:
        raise ValidationError(
            {
                "merged_into": _(
                    "A record merged into another is not published: publish the record it was "
                    "merged into."
                )
            }
        )
    record.status = Status.PUBLISHED
    record.clean()
    record.translation_states = {
        **record.translation_states,
        settings.LANGUAGE_CODE: TextState.REVIEWED,
    }
    with transaction.atomic():
        _save(record, by=by, reason=note or _("Published"))


def record_unpublish(
    *,
    record: PublishableModel,
    by: AbstractBaseUser,
    status: str = Status.DRAFT,
    note: str = "",
) -> None:
    """Takes `record` off the public site (reviewers only): back to draft for more work, or
    withdrawn for good. Its plates then lead to the "being updated" page."""
    record = _specific(record)
    if not roles.can_publish(by):
        raise PermissionDenied(_("Only a reviewer can publish or withdraw a record."))
    if status not in (Status.DRAFT, Status.REVIEW, Status.WITHDRAWN):
        raise ValueError(f"Not an unpublished status: {status}")
    record.status = status
    _save(record, by=by, reason=note or Status(status).label)
