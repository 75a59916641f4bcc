"""The admin speaks Vietnamese to Vietnamese staff, third-party screens included: every admin
screen each role can open (every list, add form, change form and history of every registered
model, the dashboard) is rendered, and its visible text (with buttons, placeholders and
tooltips) is searched for the English of every message the admin may show: Django's admin and
auth, django-simple-history, DRF's tokens and the project's own catalogue. One found is a
string left untranslated."""

from __future__ import annotations

import glob
import json
import os
import re
from html.parser import HTMLParser

import django
import polib
import pytest
import simple_history
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from lib import languages
from qrplates.services import plate_mint
from sites.models import AdminUnit, Person, Place, ProblemReport
from tests.workflow.conftest import client_for, make_user
from workflow.demo import load_demo_plan

pytestmark = pytest.mark.django_db

ROLES = ("Editor", "Reviewer", "Printer", "Installer", "Steering committee", None)

# Shown in English on purpose.
ENGLISH_ON_PURPOSE = {
    # Each language is named in its own language in the switch.
    *(language.name for language in languages.LANGUAGES),
    # File formats and acronyms.
    "CSV",
    "XLSX",
    "PDF",
    "QR",
    "API",
    "PNG",
    "SVG",
    "ZIP",
    "URL",
    "ID",
}


def catalogues() -> list[str]:
    contrib = os.path.join(os.path.dirname(django.__file__), "contrib")
    history = os.path.join(os.path.dirname(simple_history.__file__), "locale")
    return [
        f"{contrib}/admin/locale/en/LC_MESSAGES/django.po",
        f"{contrib}/auth/locale/en/LC_MESSAGES/django.po",
        *glob.glob(f"{history}/fr/LC_MESSAGES/django.po"),
        "locale/vi/LC_MESSAGES/django.po",
    ]


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def english_phrases() -> dict[str, re.Pattern]:
    """English text → a pattern finding it whole. Messages with placeholders give their longest
    literal piece when it is long enough to be told from data."""
    phrases: dict[str, re.Pattern] = {}
    with translation.override("vi"):
        for path in catalogues():
            for entry in polib.pofile(path):
                for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
                    if entry.msgctxt:
                        translated = translation.pgettext(entry.msgctxt, msgid)
                    else:
                        translated = translation.gettext(msgid)
                    if translated == msgid and msgid in ENGLISH_ON_PURPOSE:
                        continue
                    # A Vietnamese translation may keep the English term ("salt": "Mã salt").
                    if translated != msgid and msgid in translated:
                        continue
                    for piece in PLACEHOLDER.split(msgid):
                        piece = piece.strip(" .:,;—-“”\"'()\n")
                        words = piece.split()
                        if not words or piece in ENGLISH_ON_PURPOSE:
                            continue
                        if PLACEHOLDER.search(msgid) and len(words) < 3:
                            continue
                        # Text with Vietnamese letters in it is not English (the site's name).
                        if not re.search(r"[A-Za-z]", piece) or not piece.isascii():
                            continue
                        phrases[piece] = re.compile(rf"(?<![\w@.-]){re.escape(piece)}(?![\w-])")
    return phrases


class VisibleText(HTMLParser):
    """The text a person reads: element text outside scripts and styles, buttons' values,
    placeholders, titles and labels for screen readers."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style", "textarea", "template"):
            self.hidden += 1
        values = dict(attrs)
        # Django's yes/no icons say "True" and "False" in their alt text whatever the language
        # (django.contrib.admin's _boolean_icon): a known gap of Django's, not of this project.
        if tag == "img" and re.search(r"icon-(yes|no|unknown)", values.get("src", "")):
            return
        for name in ("placeholder", "title", "aria-label", "alt"):
            if values.get(name):
                self.parts.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "textarea", "template") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(" ".join(part.split()) for part in parser.parts if part.strip())


def admin_screens(client) -> list[str]:
    """Every admin address the client's account opens: the index, each registered model's
    list, add form, and change form and history of its first listed row, the dashboard."""
    urls = [reverse("admin:index"), reverse("dashboard")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        try:
            changelist = reverse("admin:{}_{}_changelist".format(*info))
        except NoReverseMatch:
            continue
        urls.append(changelist)
        urls.append(reverse("admin:{}_{}_add".format(*info)))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
            urls.append(reverse("admin:{}_{}_history".format(*info), args=[first.pk]))
    return [url for url in urls if client.get(url).status_code == 200]


def english_data() -> list[str]:
    """The English translations of the content (a commune's English name, a street's English
    summary): data in English on purpose, left out of the search, longest first."""
    values = set()
    for model in (AdminUnit, Place, Person):
        for field in model._meta.concrete_fields:
            split = languages.split_field(field.name)
            if split and split[1] != languages.DEFAULT:
                values.update(model.objects.values_list(field.name, flat=True))
    return sorted((v for v in values if v), key=len, reverse=True)


@pytest.fixture
def world(own_street, other_relic, linked_person, django_user_model):
    plate_mint(target=own_street)
    ProblemReport.objects.create(place=own_street, kind="damaged", message="Biển bị cong.")
    load_demo_plan()
    own_street.name_vi = "Phố Tam Thanh Đã Sửa"
    own_street.save()


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_screen_a_role_opens_is_in_vietnamese(
    role, world, django_user_model, editor, tam_thanh
):
    user = (
        make_user(django_user_model, f"user-{role or 'it'}".replace(" ", "-"), role)
        if role
        else django_user_model.objects.create_superuser("it", "it@example.org", "pw-it-12345")
    )
    if role in ("Editor", "Installer"):
        user.editor_units.create(unit=tam_thanh)
    client = client_for(user)
    phrases = english_phrases()
    screens = admin_screens(client)
    assert len(screens) >= 2
    found = {}
    english_content = english_data()
    for url in screens:
        text = visible_text(client.get(url).content.decode())
        for value in english_content:
            text = text.replace(value, "")
        # Each English phrase with the text around it, to find where it comes from.
        english = sorted(
            text[max(match.start() - 40, 0) : match.end() + 20].replace("\n", " | ")
            for pattern in phrases.values()
            if (match := pattern.search(text))
        )
        if english:
            found[url] = english
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
