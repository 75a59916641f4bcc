"""Each interface catalogue (every language of the registry but English, the language the
messages are written in) translates every message the source has, and its compiled form is
up to date."""

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils.translation import to_locale

from lib import languages

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
CATALOGUES = [to_locale(code) for code in languages.codes() if code != "en"]


def catalogue_path(locale: str) -> Path:
    return LOCALE / locale / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory) -> set[tuple[str | None, str]]:
    """(context, message) of every translatable string of the source, as `makemessages` finds
    them, extracted into a scratch copy so that the catalogues are not touched."""
    if not shutil.which("xgettext"):
        if os.environ.get("CI"):
            pytest.fail("GNU gettext is not installed (apt-get install gettext)")
        pytest.skip("GNU gettext is not installed")
    scratch = tmp_path_factory.mktemp("messages")
    for child in ROOT.iterdir():
        if child.is_dir() and not child.name.startswith(".") and child.name != "locale":
            (scratch / child.name).symlink_to(child)
    (scratch / "locale").mkdir()
    subprocess.run(
        [sys.executable, ROOT / "manage.py", "makemessages", "-l", "xx", "--symlinks"],
        cwd=scratch,
        check=True,
        capture_output=True,
    )
    extracted = polib.pofile(scratch / "locale" / "xx" / "LC_MESSAGES" / "django.po")
    return {(entry.msgctxt, entry.msgid) for entry in extracted}


@pytest.mark.parametrize("locale", CATALOGUES)
def test_every_interface_string_has_a_translation(locale, source_messages):
    catalogue = polib.pofile(catalogue_path(locale))
    translated = {(entry.msgctxt, entry.msgid) for entry in catalogue.translated_entries()}
    assert sorted(source_messages - translated, key=str) == []
    assert catalogue.fuzzy_entries() == []


@pytest.mark.parametrize("locale", CATALOGUES)
def test_the_compiled_catalogue_matches_the_source(locale):
    catalogue = polib.pofile(catalogue_path(locale))
    with open(LOCALE / locale / "LC_MESSAGES" / "django.mo", "rb") as compiled:
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
        # Vietnamese and Chinese have one plural form; n=1 and n=2 select the forms the
        # catalogue declares.
        return {
            form: translations.ngettext(entry.msgid, entry.msgid_plural, form + 1)
            for form in entry.msgstr_plural
        }
    if entry.msgctxt:
        return translations.pgettext(entry.msgctxt, entry.msgid)
    return translations.gettext(entry.msgid)
