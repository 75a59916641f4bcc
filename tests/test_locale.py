"""The Vietnamese interface catalogue is complete and its compiled form is up to date."""

import gettext
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def test_every_interface_string_has_a_vietnamese_translation():
    catalogue = polib.pofile(LOCALE / "vi" / "LC_MESSAGES" / "django.po")
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []


def test_the_compiled_catalogue_matches_the_source():
    catalogue = polib.pofile(LOCALE / "vi" / "LC_MESSAGES" / "django.po")
    with open(LOCALE / "vi" / "LC_MESSAGES" / "django.mo", "rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    stale = [
        entry.msgid
        for entry in catalogue.translated_entries()
        if (
            translations.pgettext(entry.msgctxt, entry.msgid)
            if entry.msgctxt
            else translations.gettext(entry.msgid)
        )
        != entry.msgstr
    ]
    assert stale == []
