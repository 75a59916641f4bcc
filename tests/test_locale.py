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
        if compiled_text(translations, entry) != (entry.msgstr_plural or entry.msgstr)
    ]
    assert stale == []


def compiled_text(translations: gettext.GNUTranslations, entry: polib.POEntry) -> str | dict:
    """What the .mo file says for a catalogue entry (each plural form for a plural entry)."""
    if entry.msgid_plural:
        # Vietnamese has one plural form; n=1 and n=2 select the forms the catalogue declares.
        return {
            form: translations.ngettext(entry.msgid, entry.msgid_plural, form + 1)
            for form in entry.msgstr_plural
        }
    if entry.msgctxt:
        return translations.pgettext(entry.msgctxt, entry.msgid)
    return translations.gettext(entry.msgid)
