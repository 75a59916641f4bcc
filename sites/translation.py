"""Content translated with django-modeltranslation into every language of settings.LANGUAGES.

Vietnamese is the default and the fallback: a field left empty in English shows the Vietnamese
text (the public pages then say that the translation is on its way).
"""

import simple_history
from django.db import models
from modeltranslation.translator import NotRegistered, TranslationOptions, register, translator

from sites.models import (
    AdminUnit,
    FormerName,
    Person,
    PersonLink,
    Photo,
    Place,
    Relic,
    Route,
    RouteStop,
    ScenicSpot,
    Source,
    Street,
)


@register(AdminUnit)
class AdminUnitTranslation(TranslationOptions):
    fields = ("name",)


@register(Person)
class PersonTranslation(TranslationOptions):
    fields = ("name", "role", "biography")


@register(Place)
class PlaceTranslation(TranslationOptions):
    fields = ("name", "summary", "body")


@register(Route)
class RouteTranslation(TranslationOptions):
    fields = ("title", "summary", "body")


@register(Street)
class StreetTranslation(TranslationOptions):
    fields = ("start_point", "end_point")


HERITAGE_FIELDS = ("category", "address", "opening_hours", "fees", "visiting_notes")


@register(Relic)
class RelicTranslation(TranslationOptions):
    fields = HERITAGE_FIELDS


@register(ScenicSpot)
class ScenicSpotTranslation(TranslationOptions):
    fields = HERITAGE_FIELDS


@register(PersonLink)
class PersonLinkTranslation(TranslationOptions):
    fields = ("note",)


@register(FormerName)
class FormerNameTranslation(TranslationOptions):
    fields = ("note",)


@register(Photo)
class PhotoTranslation(TranslationOptions):
    fields = ("caption",)


@register(Source)
class SourceTranslation(TranslationOptions):
    fields = ("note",)


# History of every content record, registered here, after the translations: the historical
# tables must copy the per-language columns (name_vi, name_en, …) modeltranslation has just
# added (simple-history's documented way with modeltranslation). A street's history row holds
# the place columns too, so one row is a complete version of the record.
for _model in (Street, Relic, ScenicSpot, Person):
    simple_history.register(_model, excluded_fields=["search_text"])
for _model in (PersonLink, FormerName, Photo, Source, Route, RouteStop):
    simple_history.register(_model)


def translated_fields(model: type[models.Model]) -> dict[str, str]:
    """{"name_en": "en", "name_vi": "vi", "name": "*", …}: which language each column holds;
    "*" marks the original column modeltranslation keeps in step with the default language."""
    try:
        options = translator.get_options_for_model(model)
    except NotRegistered:
        return {}
    languages = {}
    for base, fields in options.all_fields.items():
        languages[base] = "*"
        for field in fields:
            languages[field.name] = field.language
    return languages
