"""Who may see or change what, at every door, as one table: each row a door (an admin list or
page, a form field's choices, an inline, a bulk action, an object view such as a plate's artwork,
an import, an export, an API method, a public page), each column a role, each cell the records
the role gets through: own or other commune × published or unpublished. The cases are generated
from the table; `test_every_door_is_in_the_table` and its siblings list the doors the project
actually has (every URL, admin action, inline, form field pointing at records, API method) and
fail for one the table does not cover, so a new door without a rule fails the suite.

The rule itself lives in `sites/roles.py`; this file only says what a user should observe.

The world is built once for the module (each case runs in a savepoint rolled back after it):
two communes, the editor's (Tam Thanh, "own") and another (Kỳ Lừa, "other"); in each, a
published and an unpublished street, relic and scenic spot, a person linked to the street, their
plates, a print batch, a problem report and a suggested photo. Every name carries a token
("streetotherdraft") and every page a role opens is searched for the tokens of the records that
role may not read: a leak anywhere on a page fails the case that opened it.

For print batches, "own" means sent (or about to be sent) to this print shop and "published"
means sent: a print shop's batches are its commune, so to speak.
"""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.forms import ModelChoiceField
from django.test import Client, RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from api import urls as api_urls
from qrplates.models import BatchFile, Plate, PrintBatch
from qrplates.services import plate_mint
from sites.models import (
    AdminUnit,
    EditorUnit,
    Narration,
    Person,
    PersonLink,
    Photo,
    ProblemReport,
    Relic,
    Route,
    RouteStop,
    ScenicSpot,
    Status,
    Street,
    Suggestion,
)
from tests.audio import mp3_bytes
from tests.conftest import jpeg_bytes
from tests.workflow.forms import form_values
from workflow.models import Plan

ROLES = (
    "anonymous",
    "nobody",  # a staff account without a role
    "editor",  # of the "own" commune
    "reviewer",
    "printer",  # the print shop the "own" batches go to
    "installer",
    "committee",  # the steering committee
)
# Superusers (the IT team) pass every check by Django's design: they are not a role of the
# Department's, and the table leaves them out. The world has one, to read forms a role cannot
# open and send them as a crafted request would.
VARIANTS = ("own-pub", "own-draft", "other-pub", "other-draft")
ALL = frozenset(VARIANTS)
NONE: frozenset[str] = frozenset()
OWN = frozenset({"own-pub", "own-draft"})
PUBLIC = frozenset({"own-pub", "other-pub"})
DRAFTS = frozenset({"own-draft", "other-draft"})
OWN_DRAFT = frozenset({"own-draft"})
OWN_PUB = frozenset({"own-pub"})
OWN_OR_PUBLIC = OWN | PUBLIC

UNITS = {"own": "05986", "other": "06187"}  # phường Tam Thanh, phường Kỳ Lừa
PLACE_KINDS = {"street": Street, "relic": Relic, "scenicspot": ScenicSpot}
RECORD_MODELS = {**PLACE_KINDS, "person": Person}

# Who may read a record, wherever it is shown: the rule every page is searched against.
READ = {
    "anonymous": PUBLIC,
    "nobody": PUBLIC,
    "editor": OWN_OR_PUBLIC,
    "reviewer": ALL,
    "printer": PUBLIC,
    "installer": PUBLIC,
    "committee": PUBLIC,
}


def token(kind: str, variant: str) -> str:
    return f"{kind}{variant.replace('-', '')}"


# --- the world -----------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, Any]
    units: dict[str, AdminUnit]
    records: dict[tuple[str, str], int]  # (kind, variant) → pk
    plates: dict[tuple[str, str], int]  # (what, variant) → pk: place, person, approved, batch
    batches: dict[str, int]
    reports: dict[tuple[str, str], int]  # (open|handled, variant) → pk
    suggestions: dict[str, int]
    hub: int  # a draft person linked to all four streets (the editor's to edit)
    loner: int  # a draft person linked to nothing yet (the editor's too)
    loner_plate: int
    sessions: dict[str, Client] = field(default_factory=dict)
    tokens: dict[str, Client] = field(default_factory=dict)
    # Forms as the world shows them, read once for the module (each case starts from the same
    # world: a case that changes something is rolled back).
    forms: dict[tuple, dict] = field(default_factory=dict)

    def record(self, kind: str, variant: str):
        return RECORD_MODELS[kind].objects.get(pk=self.records[kind, variant])

    def plate(self, what: str, variant: str) -> Plate:
        return Plate.objects.get(pk=self.plates[what, variant])

    def forbidden(self, role: str) -> list[str]:
        """The tokens of the records `role` may not read."""
        hidden = ALL - READ.get(role, ALL)
        found = [token(kind, v) for kind in RECORD_MODELS for v in hidden]
        if "own-draft" in hidden:
            found += ["personhub", "personloner"]
        return found

    # Requests, as each role makes them. Every page that answers is searched for leaks.

    def client(self, role: str, *, api: bool = False) -> Client:
        return (self.tokens if api else self.sessions)[role]

    def get(self, role: str, url: str, *, api: bool = False, **params):
        response = self.client(role, api=api).get(url, params)
        self.check_for_leaks(role, response, url)
        return response

    def post(self, role: str, url: str, data: dict, *, api: bool = False, **extra):
        return self.client(role, api=api).post(url, data, **extra)

    def text(self, role: str, url: str, *, api: bool = False, **params) -> str:
        """The page's text when it answers 200, else ""."""
        response = self.get(role, url, api=api, **params)
        return body(response) if response.status_code == 200 else ""

    def check_for_leaks(self, role: str, response, url: str) -> None:
        if response.status_code != 200:
            return
        text = body(response).lower()
        leaked = [name for name in self.forbidden(role) if name in text]
        assert not leaked, f"{role} read {leaked} at {url}"


def body(response) -> str:
    if getattr(response, "streaming", False):
        return ""  # a ZIP: opened by the artwork tests, not read here
    kind = response.get("Content-Type", "")
    if not any(t in kind for t in ("text", "json", "svg", "csv", "javascript", "xml")):
        return ""
    text = response.content.decode("utf-8", "replace")
    if "json" in kind:
        # As a person reads it: "Phường", not "Ph\u01b0\u1eddng".
        text = json.dumps(json.loads(text), ensure_ascii=False)
    return text


def build_world() -> World:
    User = get_user_model()

    def account(name: str, *groups: str, **flags) -> Any:
        user = User.objects.create_user(name, f"{name}@example.org", None, is_staff=True, **flags)
        user.groups.add(*Group.objects.filter(name__in=groups))
        return user

    units = {side: AdminUnit.objects.get(code=code) for side, code in UNITS.items()}
    users = {
        "anonymous": None,
        "nobody": account("khongvaitro"),
        "editor": account("bientap", "Editor"),
        "reviewer": account("duyet", "Reviewer"),
        "printer": account("nhain", "Printer"),
        "installer": account("lapdat", "Installer"),
        "committee": account("bandieuhanh", "Steering committee"),
        "superuser": account("quantri", is_superuser=True),
    }
    other_printer = account("nhainkhac", "Printer")
    EditorUnit.objects.create(user=users["editor"], unit=units["own"])

    records, plates, batches, reports, suggestions = {}, {}, {}, {}, {}
    streets = {}
    for variant in VARIANTS:
        side, state = variant.split("-")
        status = Status.PUBLISHED if state == "pub" else Status.DRAFT
        for kind, model in PLACE_KINDS.items():
            name = token(kind, variant)
            place = model.objects.create(
                name_vi=f"Nơi thử {name}",
                name_en=f"Test place {name}",
                summary_vi="Tóm tắt.",
                summary_en="Summary.",
                body_vi="Lịch sử.",
                body_en="History.",
                unit=units[side],
                status=status,
                external_id=f"x-{name}",
            )
            records[kind, variant] = place.pk
        street = streets[variant] = Street.objects.get(pk=records["street", variant])
        person = Person.objects.create(
            name_vi=f"Người thử {token('person', variant)}",
            name_en=f"Test person {token('person', variant)}",
            role_vi="Nhân vật.",
            biography_vi="Tiểu sử.",
            status=status,
            external_id=f"x-{token('person', variant)}",
        )
        records["person", variant] = person.pk
        PersonLink.objects.create(person=person, place=street, role=PersonLink.Role.LIVED_WORKED)
        plates["place", variant] = plate_mint(target=street).pk
        plates["person", variant] = plate_mint(target=person).pk
        for what in ("approved", "batch"):
            # Approved while the record was published (it may have been withdrawn since). A
            # batch's variant is the batch's (sent or not, to whom), and only a published
            # record's plate goes to print (qrplates.batches.record_refusal): the batch's plate
            # is on its commune's published street.
            target = streets[f"{side}-pub"] if what == "batch" else street
            plate = plate_mint(target=target)
            Plate.objects.filter(pk=plate.pk).update(status=Plate.Status.ARTWORK_APPROVED)
            plates[what, variant] = plate.pk
        batch = PrintBatch.objects.create(
            name=f"Đợt in thử {token('batch', variant)}",
            printer=users["printer"] if side == "own" else other_printer,
            status=PrintBatch.Status.SENT if state == "pub" else PrintBatch.Status.DRAFT,
            sent_at=timezone.now() if state == "pub" else None,
        )
        batch.plates.add(plates["batch", variant])
        batches[variant] = batch.pk
        for state_name in ("open", "handled"):
            reports[state_name, variant] = ProblemReport.objects.create(
                place=street,
                kind=ProblemReport.Kind.OTHER,
                message=f"Báo lỗi {state_name} {token('report', variant)}",
                status=state_name,
            ).pk
        suggestion = Suggestion(
            place=street,
            kind=Suggestion.Kind.PHOTO,
            text=f"Ảnh gửi {token('suggestion', variant)}",
            credit="Khách",
        )
        suggestion.photo.save("goc.jpg", ContentFile(jpeg_bytes(320, 200)), save=False)
        suggestion.save()
        suggestions[variant] = suggestion.pk
        narration = Narration(place=street, language="vi")
        narration.audio.save("doc.mp3", ContentFile(mp3_bytes(1)), save=False)
        narration.save()

    hub = Person.objects.create(name_vi="Người thử personhub", external_id="x-personhub")
    for street in streets.values():
        PersonLink.objects.create(
            person=hub, place=street, role=PersonLink.Role.FOUGHT_HERE, note="ghi chú"
        )
    loner = Person.objects.create(name_vi="Người thử personloner", external_id="x-personloner")
    world = World(
        users=users,
        units=units,
        records=records,
        plates=plates,
        batches=batches,
        reports=reports,
        suggestions=suggestions,
        hub=hub.pk,
        loner=loner.pk,
        loner_plate=plate_mint(target=loner).pk,
    )
    for role, user in users.items():
        session, api = Client(), Client()
        if user is not None:
            session.force_login(user)
            api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        world.sessions[role], world.tokens[role] = session, api
    return world


@pytest.fixture(scope="module")
def world_media(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def media_root(settings, world_media):
    """The world's files stay where the world's rows say they are, for the whole module."""
    settings.MEDIA_ROOT = world_media
    return world_media


@pytest.fixture(autouse=True)
def pending_imports(settings, world_media):
    """Previewed spreadsheets wait in the module's folder (not one folder per case)."""
    settings.IMPORT_PENDING_DIR = world_media / "imports"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, world_media):
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=world_media),
        transaction.atomic(),
    ):
        built = build_world()
        yield built
        transaction.set_rollback(True)


@pytest.fixture(autouse=True, scope="module")
def quiet_refusals():
    """Thousands of refusals are the point here: Django's warning for each 403 and 404, with
    its traceback, is noise (and time)."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


# --- reading a form as a browser sends it --------------------------------------------------------


def form_data(
    w: World, role: str, url: str, form_id: str, *, need: str = ""
) -> dict[str, list[str]]:
    """The form at `url` as `role` would send it unchanged; as a superuser would, when `role`
    cannot open the page (what a crafted request sends). Read from the world as built: a form
    read after an earlier write of the same case still names the same records, and a formset
    takes rows it was not sent as left alone."""
    key = (role, url, form_id)
    if key not in w.forms:
        response = w.get(role, url)
        if response.status_code == 200 and f'id="{form_id}"' in body(response):
            w.forms[key] = form_values(body(response), form_id)
        else:
            w.forms[key] = None
    if w.forms[key] is None or (need and need not in w.forms[key]):
        # What the role is not shown, a crafted request sends anyway.
        return form_data(w, "superuser", url, form_id) if role != "superuser" else {}
    return {name: list(values) for name, values in w.forms[key].items()}


def add_row(data: dict, prefix: str, values: dict) -> None:
    count = int(data[f"{prefix}-TOTAL_FORMS"][0])
    for name, value in values.items():
        data[f"{prefix}-{count}-{name}"] = [str(value)]
    data[f"{prefix}-TOTAL_FORMS"] = [str(count + 1)]


# --- probes: what a role gets through a door, for each of the four variants ----------------------

Probe = Callable[[World, str], dict[str, bool]]


def each(check: Callable[[World, str, str], bool]) -> Probe:
    return lambda w, role: {v: bool(check(w, role, v)) for v in VARIANTS}


def same(check: Callable[[World, str], bool]) -> Probe:
    """A door without a record of its own: the same answer for every variant."""

    def probe(w: World, role: str) -> dict[str, bool]:
        allowed = bool(check(w, role))
        return dict.fromkeys(VARIANTS, allowed)

    return probe


def listed(url: Callable[[World], str], name: Callable[[World, str], str], **kw) -> Probe:
    """One page listing records: a variant gets through when its name is on it."""

    def probe(w: World, role: str) -> dict[str, bool]:
        text = w.text(role, url(w), **kw).lower()
        return {v: name(w, v).lower() in text for v in VARIANTS}

    return probe


def page(url: Callable[[World, str], str], name=None, **kw) -> Probe:
    """A page per record: it answers 200 (and names the record, when `name` is given)."""

    def check(w: World, role: str, v: str) -> bool:
        response = w.get(role, url(w, v), **kw)
        if response.status_code != 200:
            return False
        return name is None or name(w, v).lower() in body(response).lower()

    return each(check)


def opens(url: Callable[[World], str]) -> Probe:
    return same(lambda w, role: w.get(role, url(w)).status_code == 200)


def named(kind: str) -> Callable[[World, str], str]:
    return lambda w, v: token(kind, v)


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:{name}", args=args)


def change_url(kind: str) -> Callable[[World, str], str]:
    return lambda w, v: admin_url(f"sites_{kind}_change", w.records[kind, v])


def changelist(model: str) -> Callable[[World], str]:
    return lambda w: admin_url(f"{model.replace('.', '_')}_changelist")


def bulk(model: str, action: str, subject, effect, *, apart: bool = False, **extra) -> Probe:
    """A bulk action on the list, with the four variants selected at once (or `apart`, one
    request each, for an action that refuses the whole selection for one record in it)."""

    def probe(w: World, role: str) -> dict[str, bool]:
        before = {v: effect(w, v) for v in VARIANTS}
        for chosen in [[v] for v in VARIANTS] if apart else [VARIANTS]:
            data = {"action": action, "_selected_action": [subject(w, v) for v in chosen]}
            w.post(role, changelist(model)(w), {**data, **extra})
        return {v: effect(w, v) and not before[v] for v in VARIANTS}

    return probe


def record_status(kind: str, status: str):
    return lambda w, v: w.record(kind, v).status == status


def record_pk(kind: str):
    return lambda w, v: w.records[kind, v]


def edits(kind: str) -> Probe:
    """The record's own change form, one text changed."""
    text = "role_vi" if kind == "person" else "summary_vi"

    def check(w: World, role: str, v: str) -> bool:
        url = change_url(kind)(w, v)
        data = form_data(w, role, url, f"{kind}_form")
        data[text] = [f"Sửa bởi {role}"]
        w.post(role, url, data)
        return getattr(w.record(kind, v), text) == f"Sửa bởi {role}"

    return each(check)


def adds(kind: str) -> Probe:
    """The add form: a new record in the variant's commune, published or draft."""

    def check(w: World, role: str, v: str) -> bool:
        side, state = v.split("-")
        url = admin_url(f"sites_{kind}_add")
        data = form_data(w, role, url, f"{kind}_form")
        name = f"Bản ghi mới {role} {v}"
        data.update(name_vi=[name], status=["published" if state == "pub" else "draft"])
        if kind != "person":
            data["unit"] = [str(w.units[side].pk)]
        w.post(role, url, data)
        return RECORD_MODELS[kind].objects.filter(name_vi=name).exists()

    return each(check)


def review_decision(kind: str, decision: str, status: str) -> Probe:
    def check(w: World, role: str, v: str) -> bool:
        before = w.record(kind, v).status
        url = admin_url(f"sites_{kind}_review", w.records[kind, v])
        w.post(role, url, {"decision": decision})
        return before != status and w.record(kind, v).status == status

    return each(check)


def history_version(kind: str) -> Callable[[World, str], str]:
    def url(w: World, v: str) -> str:
        version = w.record(kind, v).history.order_by("history_id").first()
        return admin_url(f"sites_{kind}_simple_history", w.records[kind, v], version.history_id)

    return url


def imports(kind: str) -> Probe:
    """A spreadsheet updating the variant's record, previewed then confirmed."""
    text = "role_vi" if kind == "person" else "summary_vi"

    def check(w: World, role: str, v: str) -> bool:
        record = w.record(kind, v)
        columns = {"external_id": record.external_id, "name_vi": record.name_vi, text: "Nhập"}
        if kind != "person":
            columns["unit"] = record.unit.code
        content = ",".join(columns) + "\n" + ",".join(columns.values()) + "\n"
        url = admin_url(f"sites_{kind}_import")
        upload = ContentFile(content.encode(), name="nhap.csv")
        preview = w.post(role, url, {"file": upload})
        pending = re.search(r'name="pending" value="([^"]+)"', body(preview))
        if pending:
            w.post(role, url, {"pending": pending.group(1)})
        return getattr(w.record(kind, v), text) == "Nhập"

    return each(check)


def inline_link(page_kind: str, page_pk, prefix: str, other: str, other_kind: str) -> Probe:
    """A new link row on a record's page, to the variant's record at the other end."""

    def check(w: World, role: str, v: str) -> bool:
        pk = page_pk(w)
        url = admin_url(f"sites_{page_kind}_change", pk)
        data = form_data(w, role, url, f"{page_kind}_form", need=f"{prefix}-TOTAL_FORMS")
        add_row(data, prefix, {other: w.records[other_kind, v], "role": "honoured_here"})
        w.post(role, url, data)
        return PersonLink.objects.filter(
            **{f"{page_kind if page_kind == 'person' else 'place'}_id": pk},
            **{f"{other}_id": w.records[other_kind, v]},
            role="honoured_here",
        ).exists()

    return each(check)


def hub_link_note(w: World, role: str, v: str) -> bool:
    """Changing the note of the hub's link to the variant's street, on the hub's page."""
    url = admin_url("sites_person_change", w.hub)
    street = str(w.records["street", v])

    def row_of_the_street(data: dict) -> list[str]:
        return [
            key.split("-")[1]
            for key, values in data.items()
            if re.fullmatch(r"links-\d+-id", key)
            and values
            and PersonLink.objects.filter(pk=values[0], place_id=street).exists()
        ]

    data = form_data(w, role, url, "person_form")
    rows = row_of_the_street(data)
    if not rows:  # not shown to the role: a crafted request names it anyway
        data = form_data(w, "superuser", url, "person_form")
        rows = row_of_the_street(data)
    data[f"links-{rows[0]}-note_vi"] = [f"ghi chú của {role}"]
    w.post(role, url, data)
    return PersonLink.objects.filter(
        person_id=w.hub, place_id=street, note_vi=f"ghi chú của {role}"
    ).exists()


def hub_pages(w: World, role: str) -> bool:
    views = ("change", "review", "history")
    urls = [admin_url(f"sites_person_{view}", w.hub) for view in views]
    return all(w.get(role, url).status_code == 200 for url in urls)


def named_after(w: World, role: str, v: str) -> bool:
    street = w.records["street", "own-draft"]
    url = admin_url("sites_street_change", street)
    data = form_data(w, role, url, "street_form")
    data["named_after"] = [str(w.records["person", v])]
    w.post(role, url, data)
    return Street.objects.filter(pk=street, named_after_id=w.records["person", v]).exists()


def mints_on_page(w: World, role: str, v: str) -> bool:
    """A new row in the record page's plates mints a plate."""
    url = change_url("street")(w, v)
    data = form_data(w, role, url, "street_form", need="plates-TOTAL_FORMS")
    before = Plate.objects.filter(place_id=w.records["street", v]).count()
    add_row(data, "plates", {"label": "mới"})
    w.post(role, url, data)
    return Plate.objects.filter(place_id=w.records["street", v]).count() > before


def autocomplete(model: str, field_name: str, name, *, search: bool = False) -> Probe:
    """An autocomplete box of the admin: what it offers (searching each variant's name when
    the box has more than a page to offer)."""
    app_label, model_name = model.split(".")
    params = {"app_label": app_label, "model_name": model_name, "field_name": field_name}
    url = reverse("admin:autocomplete")

    def probe(w: World, role: str) -> dict[str, bool]:
        if search:
            return {
                v: name(w, v).lower() in w.text(role, url, term=name(w, v), **params).lower()
                for v in VARIANTS
            }
        text = w.text(role, url, **params).lower()
        return {v: name(w, v).lower() in text for v in VARIANTS}

    return probe


def plate_code(what: str) -> Callable[[World, str], str]:
    return lambda w, v: w.plate(what, v).code


def plate_url(name: str, what: str, *args) -> Callable[[World, str], str]:
    return lambda w, v: admin_url(name, w.plates[what, v], *args)


def plate_adds(target: str) -> Probe:
    """/admin/qrplates/plate/add/ with `place=` or `person=` the variant's record."""
    kind = "street" if target == "place" else "person"

    def check(w: World, role: str, v: str) -> bool:
        url = admin_url("qrplates_plate_add")
        data = form_data(w, role, url, "plate_form")
        data[target] = [str(w.records[kind, v])]
        before = Plate.objects.filter(**{f"{target}_id": w.records[kind, v]}).count()
        w.post(role, url, data)
        return Plate.objects.filter(**{f"{target}_id": w.records[kind, v]}).count() > before

    return each(check)


def retargets(w: World, role: str, v: str) -> bool:
    url = admin_url("qrplates_plate_change", w.loner_plate)
    data = form_data(w, role, url, "plate_form")
    data.update(place=[str(w.records["street", v])], person=[""])
    w.post(role, url, data)
    return Plate.objects.filter(pk=w.loner_plate, place_id=w.records["street", v]).exists()


def records_a_step(w: World, role: str, v: str) -> bool:
    """A new row in the plate's history: retired (which cannot be undone)."""
    url = admin_url("qrplates_plate_change", w.plates["place", v])
    data = form_data(w, role, url, "plate_form", need="events-TOTAL_FORMS")
    add_row(data, "events", {"on": timezone.localdate().isoformat(), "to_status": "retired"})
    w.post(role, url, data)
    return w.plate("place", v).status == Plate.Status.RETIRED


def plate_status(what: str, status: str):
    return lambda w, v: w.plate(what, v).status == status


def plate_pk(what: str):
    return lambda w, v: w.plates[what, v]


def in_a_new_batch(w: World, v: str) -> bool:
    return PrintBatch.objects.filter(name="Đợt mới", plates=w.plates["place", v]).exists()


def batch_name(w: World, v: str) -> str:
    return token("batch", v)


def batch_url(name: str) -> Callable[[World, str], str]:
    return lambda w, v: admin_url(name, w.batches[v])


def batch_posts(name: str, effect) -> Probe:
    def check(w: World, role: str, v: str) -> bool:
        before = effect(w, v)
        w.post(role, admin_url(name, w.batches[v]), {})
        return effect(w, v) != before

    return each(check)


def batch_status(w: World, v: str) -> str:
    return PrintBatch.objects.get(pk=w.batches[v]).status


def batch_key(w: World, v: str) -> str:
    return PrintBatch.objects.get(pk=w.batches[v]).link_key


def batch_builds(w: World, role: str, v: str) -> bool:
    """ "Try again" builds the batch's files anew: from none, here."""
    BatchFile.objects.filter(batch_id=w.batches[v]).delete()
    w.post(role, admin_url("qrplates_printbatch_build", w.batches[v]), {})
    return BatchFile.objects.filter(batch_id=w.batches[v]).exists()


def batch_adds(w: World, role: str, v: str) -> bool:
    url = admin_url("qrplates_printbatch_add")
    data = form_data(w, role, url, "printbatch_form")
    data.update(name=[f"Đợt {role} {v}"], plates=[str(w.plates["place", v])])
    w.post(role, url, data)
    return PrintBatch.objects.filter(name=f"Đợt {role} {v}").exists()


def submission_edits(model: str, pks) -> Probe:
    def check(w: World, role: str, v: str) -> bool:
        url = admin_url(f"sites_{model}_change", pks(w, v))
        data = form_data(w, role, url, f"{model}_form")
        data["staff_note"] = [f"ghi chú {role}"]
        w.post(role, url, data)
        manager = ProblemReport.objects if model == "problemreport" else Suggestion.objects
        return manager.filter(pk=pks(w, v), staff_note=f"ghi chú {role}").exists()

    return each(check)


def report(state: str):
    return lambda w, v: w.reports[state, v]


def report_status(state: str, status: str):
    return lambda w, v: ProblemReport.objects.get(pk=w.reports[state, v]).status == status


def suggestion(w: World, v: str) -> int:
    return w.suggestions[v]


def suggestion_status(status: str):
    return lambda w, v: Suggestion.objects.get(pk=w.suggestions[v]).status == status


def photo_added(w: World, v: str) -> bool:
    return Photo.objects.filter(place_id=w.records["street", v]).exists()


def unit_name(w: World, v: str) -> str:
    return w.units[v.split("-")[0]].name


def install_url(w: World, v: str) -> str:
    return reverse("workflow:install", args=[w.plate("place", v).code])


def public_unit_url(name: str) -> Callable[[World, str], str]:
    return lambda w, v: reverse(f"sites:{name}", args=[w.units[v.split("-")[0]].slug])


def public_url(kind: str) -> Callable[[World, str], str]:
    return lambda w, v: w.record(kind, v).get_absolute_url()


# The API, with each role's token.


def api_list(path: str, kind: str, **params) -> Probe:
    statuses = {"status": ["published", "draft", "review", "withdrawn"]}
    return listed(lambda w: path, named(kind), api=True, **statuses, **params)


def bulk_file(dataset: str, kind: str) -> Probe:
    """A dataset's bulk file (a ZIP of its whole-list exports, built from what anonymous clients
    read): a variant gets through when its name is in it, whoever downloads it."""

    def probe(w: World, role: str) -> dict[str, bool]:
        response = w.client(role, api=True).get(f"/api/bulk/{dataset}.zip")
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            text = " ".join(archive.read(n).decode("utf-8-sig") for n in archive.namelist())
        return {v: named(kind)(w, v).lower() in text.lower() for v in VARIANTS}

    return probe


def api_detail(path: str, kind: str) -> Probe:
    return page(lambda w, v: f"{path}{w.records[kind, v]}/", named(kind), api=True)


def api_patches(path: str, kind: str, text: str, field_name: str) -> Probe:
    def check(w: World, role: str, v: str) -> bool:
        w.client(role, api=True).patch(
            f"{path}{w.records[kind, v]}/",
            {field_name: {"vi": f"API {role}"}},
            content_type="application/json",
        )
        return getattr(w.record(kind, v), text) == f"API {role}"

    return each(check)


def api_creates(path: str, kind: str) -> Probe:
    def check(w: World, role: str, v: str) -> bool:
        side, state = v.split("-")
        name = f"API mới {role} {v}"
        data: dict = {"name": {"vi": name}, "status": "published" if state == "pub" else "draft"}
        if kind == "street":
            data.update(kind="street", unit=UNITS[side])
        w.post(role, path, data, api=True, content_type="application/json")
        return RECORD_MODELS[kind].objects.filter(name_vi=name).exists()

    return each(check)


def api_named_after(w: World, role: str, v: str) -> bool:
    street = w.records["street", "own-draft"]
    w.client(role, api=True).patch(
        f"/api/v1/places/{street}/",
        {"named_after": w.records["person", v]},
        content_type="application/json",
    )
    return Street.objects.filter(pk=street, named_after_id=w.records["person", v]).exists()


# --- the doors: what a role observes at each --------------------------------------------------


@dataclass(frozen=True)
class Door:
    probe: Probe
    covers: tuple[str, ...]  # what the guards below enumerate: URL names, actions, inlines, …


def door(probe: Probe, *covers: str) -> Door:
    return Door(probe, covers)


OWN_ROWS = {
    "street": ("PlaceSourceInline", "PlacePhotoInline", "PlaceNarrationInline", "FormerNameInline"),
    "relic": ("PlaceSourceInline", "PlacePhotoInline", "PlaceNarrationInline"),
    "scenicspot": ("PlaceSourceInline", "PlacePhotoInline", "PlaceNarrationInline"),
    "person": ("PersonSourceInline", "PersonPhotoInline", "PersonNarrationInline"),
}


def record_doors(kind: str, *, writes: bool) -> dict[str, Door]:
    """The doors of one kind of record in the admin. Relics and scenic spots share the place
    admin with streets (PlaceAdminBase): their writes are proven on streets, their own doors
    here."""
    model, url = f"sites.{kind}", f"admin:sites_{kind}"

    def record_url(view: str) -> Callable[[World, str], str]:
        return lambda w, v: admin_url(f"sites_{kind}_{view}", w.records[kind, v])

    doors = {
        "list": door(listed(changelist(model), named(kind)), f"{url}_changelist"),
        # The page shows the record's own rows (sources, photos, former names), which are
        # written with it: its inlines are its doors.
        "page": door(
            page(change_url(kind), named(kind)),
            f"{url}_change",
            *(f"inline:{model}.{name}" for name in OWN_ROWS[kind]),
        ),
        "history": door(page(record_url("history")), f"{url}_history"),
        "a past version": door(page(history_version(kind)), f"{url}_simple_history"),
        "review page": door(page(record_url("review")), f"{url}_review"),
        "delete page": door(page(record_url("delete")), f"{url}_delete"),
        "export": door(
            listed(lambda w: admin_url(f"sites_{kind}_export", "csv"), named(kind)),
            f"{url}_export",
        ),
        "sample file": door(
            opens(lambda w: admin_url(f"sites_{kind}_import_template", "csv")),
            f"{url}_import_template",
        ),
        "action send for review": door(
            bulk(model, "submit_for_review", record_pk(kind), record_status(kind, Status.REVIEW)),
            f"action:{model}.submit_for_review",
        ),
        "action publish": door(
            bulk(model, "publish", record_pk(kind), record_status(kind, Status.PUBLISHED)),
            f"action:{model}.publish",
        ),
        "action back to draft": door(
            bulk(model, "back_to_draft", record_pk(kind), record_status(kind, Status.DRAFT)),
            f"action:{model}.back_to_draft",
        ),
        "action withdraw": door(
            bulk(model, "withdraw", record_pk(kind), record_status(kind, Status.WITHDRAWN)),
            f"action:{model}.withdraw",
        ),
        "action mint plates": door(
            bulk(model, "mint_plates", record_pk(kind), more_plates(kind)),
            f"action:{model}.mint_plates",
        ),
        "action delete": door(
            bulk(model, "delete_selected", record_pk(kind), gone(kind), post="yes"),
            f"action:{model}.delete_selected",
        ),
    }
    if writes:
        doors |= {
            "change": door(edits(kind), f"{url}_change"),
            "add": door(adds(kind), f"{url}_add"),
            "import": door(imports(kind), f"{url}_import"),
            "review, send": door(review_decision(kind, "submit", Status.REVIEW), f"{url}_review"),
            "review, publish": door(
                review_decision(kind, "publish", Status.PUBLISHED), f"{url}_review"
            ),
        }
    else:
        doors |= {
            "add page": door(opens(lambda w: admin_url(f"sites_{kind}_add")), f"{url}_add"),
            "import page": door(
                opens(lambda w: admin_url(f"sites_{kind}_import")), f"{url}_import"
            ),
        }
    return {f"{kind}: {name}": found for name, found in doors.items()}


def more_plates(kind: str):
    owner = "person_id" if kind == "person" else "place_id"
    return lambda w, v: (
        Plate.objects.filter(**{owner: w.records[kind, v]}).count()
        > Plate.objects.filter(**{owner: w.records[kind, v]}, created_by=None).count()
    )


def gone(kind: str):
    return lambda w, v: not RECORD_MODELS[kind].objects.filter(pk=w.records[kind, v]).exists()


def unit_url(view: str) -> Callable[[World, str], str]:
    return lambda w, v: admin_url(f"sites_adminunit_{view}", w.units[v.split("-")[0]].pk)


def report_url(view: str) -> Callable[[World, str], str]:
    return lambda w, v: admin_url(f"sites_problemreport_{view}", w.reports["open", v])


def suggestion_url(view: str) -> Callable[[World, str], str]:
    return lambda w, v: admin_url(f"sites_suggestion_{view}", w.suggestions[v])


# Walking routes: one per variant, through that variant's street, published with it.


def route_of(w: World, v: str) -> Route:
    route, created = Route.objects.get_or_create(
        slug=f"route{v.replace('-', '')}",
        defaults={
            "title_vi": token("route", v),
            "status": Status.PUBLISHED if v.endswith("pub") else Status.DRAFT,
        },
    )
    if created:
        RouteStop.objects.create(route=route, place_id=w.records["street", v], position=1)
    return route


def route_url(view: str) -> Callable[[World, str], str]:
    return lambda w, v: admin_url(f"sites_route_{view}", route_of(w, v).pk)


def route_version(w: World, v: str) -> str:
    route = route_of(w, v)
    version = route.history.order_by("history_id").first()
    return admin_url("sites_route_simple_history", route.pk, version.history_id)


def uses_plate_position(w: World, role: str, v: str) -> bool:
    """An installed plate with a GPS fix at the street (which has no coordinates): the button."""
    from qrplates.models import PlateEvent

    street = w.record("street", v)
    Street.objects.filter(pk=street.pk).update(lat=None, lon=None)
    # Written directly: a draft's plate cannot reach "installed" through the services.
    plate = plate_mint(target=street)
    Plate.objects.filter(pk=plate.pk).update(status=Plate.Status.INSTALLED)
    PlateEvent.objects.create(
        plate=plate, to_status=Plate.Status.INSTALLED, lat=21.8521, lon=106.749
    )
    w.post(role, admin_url("sites_street_use_plate_position", street.pk), {})
    return w.record("street", v).lat == 21.8521


def route_listed(w: World, role: str) -> dict[str, bool]:
    for v in VARIANTS:
        route_of(w, v)
    return listed(lambda w: "/api/v1/routes/", named("route"), api=True)(w, role)


def it_team_doors() -> dict[str, Door]:
    """Accounts, groups, API tokens and the province's plan (entered once a decision adopts
    it): the IT team's (superusers') alone."""
    doors = {}
    for model, pk in (
        ("auth.user", lambda w: w.users["editor"].pk),
        ("auth.group", lambda w: Group.objects.get(name="Editor").pk),
        ("authtoken.tokenproxy", lambda w: w.users["editor"].pk),
        ("workflow.plan", lambda w: Plan.objects.get_or_create(title="Kế hoạch")[0].pk),
    ):
        name = model.replace(".", "_")
        for view, args in (
            ("changelist", lambda w: ()),
            ("add", lambda w: ()),
            ("change", lambda w, pk=pk: (pk(w),)),
            ("history", lambda w, pk=pk: (pk(w),)),
            ("delete", lambda w, pk=pk: (pk(w),)),
        ):
            doors[f"{model}: {view}"] = door(
                opens(
                    lambda w, name=name, view=view, args=args: admin_url(f"{name}_{view}", *args(w))
                ),
                f"admin:{name}_{view}",
            )
        doors[f"{model}: action delete"] = door(
            same(
                lambda w, role, model=model: (
                    'value="delete_selected"' in w.text(role, changelist(model)(w))
                )
            ),
            f"action:{model}.delete_selected",
        )
    doors["auth.user: password"] = door(
        opens(lambda w: admin_url("auth_user_password_change", w.users["editor"].pk)),
        "admin:auth_user_password_change",
    )
    return doors


def redirects_to_kind(w: World, role: str, v: str) -> bool:
    response = w.get(role, admin_url("sites_place_change", w.records["street", v]))
    return response.get("Location", "") == change_url("street")(w, v)


DOORS: dict[str, Door] = {
    **record_doors("street", writes=True),
    **record_doors("relic", writes=False),
    **record_doors("scenicspot", writes=False),
    **record_doors("person", writes=True),
    # All places in one list; editing happens in each kind's own form.
    "place: list": door(
        listed(changelist("sites.place"), named("street")), "admin:sites_place_changelist"
    ),
    "place: page": door(each(redirects_to_kind), "admin:sites_place_change"),
    "place: history": door(
        page(lambda w, v: admin_url("sites_place_history", w.records["street", v])),
        "admin:sites_place_history",
    ),
    "place: add": door(opens(lambda w: admin_url("sites_place_add")), "admin:sites_place_add"),
    "place: delete page": door(
        page(lambda w, v: admin_url("sites_place_delete", w.records["street", v])),
        "admin:sites_place_delete",
    ),
    "place: action mint plates": door(
        bulk("sites.place", "mint_plates", record_pk("street"), more_plates("street")),
        "action:sites.place.mint_plates",
    ),
    "place: action delete": door(
        bulk("sites.place", "delete_selected", record_pk("relic"), gone("relic"), post="yes"),
        "action:sites.place.delete_selected",
    ),
    # Inlines and the form fields that point at other records.
    "person page: link a place": door(
        inline_link("person", lambda w: w.loner, "links", "place", "street"),
        "inline:sites.person.PersonPlaceLinkInline",
        "choice:sites.personlink.place",
    ),
    # The hub is linked to all four streets: its pages name only those the role may read.
    "person page: links everywhere": door(same(hub_pages)),
    "person page: change a link's note": door(
        each(hub_link_note), "inline:sites.person.PersonPlaceLinkInline"
    ),
    "street page: link a person": door(
        inline_link(
            "street", lambda w: w.records["street", "own-draft"], "person_links", "person", "person"
        ),
        "inline:sites.street.PlacePersonLinkInline",
        "inline:sites.relic.PlacePersonLinkInline",
        "inline:sites.scenicspot.PlacePersonLinkInline",
        "choice:sites.personlink.person",
    ),
    "street page: named after": door(each(named_after), "choice:sites.street.named_after"),
    "street page: mint in a plate row": door(
        each(mints_on_page),
        "inline:sites.street.PlacePlateInline",
        "inline:sites.relic.PlacePlateInline",
        "inline:sites.scenicspot.PlacePlateInline",
        "inline:sites.person.PersonPlateInline",
    ),
    "box: a link's place": door(
        autocomplete("sites.personlink", "place", named("street")), "admin:autocomplete"
    ),
    "box: a link's person": door(autocomplete("sites.personlink", "person", named("person"))),
    "box: a street's namesake": door(autocomplete("sites.street", "named_after", named("person"))),
    "box: merged into (place)": door(
        autocomplete("sites.street", "merged_into", named("street")),
        "choice:sites.place.merged_into",
    ),
    "box: merged into (person)": door(
        autocomplete("sites.person", "merged_into", named("person")),
        "choice:sites.person.merged_into",
    ),
    "box: a record's commune": door(
        autocomplete("sites.street", "unit", unit_name, search=True), "choice:sites.place.unit"
    ),
    "box: a plate's place": door(
        autocomplete("qrplates.plate", "place", named("street")), "choice:qrplates.plate.place"
    ),
    "box: a plate's person": door(
        autocomplete("qrplates.plate", "person", named("person")), "choice:qrplates.plate.person"
    ),
    "box: a batch's plates": door(
        autocomplete("qrplates.printbatch", "plates", plate_code("place")),
        "choice:qrplates.printbatch.plates",
    ),
    # Plates.
    "plates: list (places)": door(
        listed(changelist("qrplates.plate"), plate_code("place")), "admin:qrplates_plate_changelist"
    ),
    "plates: list (people)": door(listed(changelist("qrplates.plate"), plate_code("person"))),
    "plate: page": door(
        page(plate_url("qrplates_plate_change", "place"), plate_code("place")),
        "admin:qrplates_plate_change",
    ),
    "plate: history": door(
        page(plate_url("qrplates_plate_history", "place")), "admin:qrplates_plate_history"
    ),
    "plate: QR code": door(
        page(plate_url("qrplates_plate_qr", "place", "svg")), "admin:qrplates_plate_qr"
    ),
    "plate: artwork": door(
        page(plate_url("qrplates_plate_artwork", "place", "svg")), "admin:qrplates_plate_artwork"
    ),
    "plate: add for a place": door(plate_adds("place"), "admin:qrplates_plate_add"),
    "plate: add for a person": door(plate_adds("person")),
    "plate: lead elsewhere": door(each(retargets), "admin:qrplates_plate_change"),
    "plate: record a step": door(each(records_a_step), "inline:qrplates.plate.PlateEventInline"),
    "plate: delete page": door(
        page(plate_url("qrplates_plate_delete", "place")), "admin:qrplates_plate_delete"
    ),
    "plates: action approve": door(
        bulk(
            "qrplates.plate",
            "approve_artwork",
            plate_pk("place"),
            plate_status("place", Plate.Status.ARTWORK_APPROVED),
        ),
        "action:qrplates.plate.approve_artwork",
    ),
    "plates: action printed": door(
        bulk(
            "qrplates.plate",
            "mark_printed",
            plate_pk("approved"),
            plate_status("approved", Plate.Status.PRINTED),
        ),
        "action:qrplates.plate.mark_printed",
    ),
    "plates: action retire": door(
        bulk(
            "qrplates.plate",
            "retire",
            plate_pk("place"),
            plate_status("place", Plate.Status.RETIRED),
        ),
        "action:qrplates.plate.retire",
    ),
    "plates: action into a batch": door(
        bulk(
            "qrplates.plate",
            "put_into_batch",
            plate_pk("place"),
            in_a_new_batch,
            apart=True,  # a plate of an unpublished record refuses the whole selection
            apply="1",
            name="Đợt mới",
        ),
        "action:qrplates.plate.put_into_batch",
    ),
    "plates: action delete": door(
        bulk(
            "qrplates.plate",
            "delete_selected",
            plate_pk("place"),
            lambda w, v: not Plate.objects.filter(pk=w.plates["place", v]).exists(),
            post="yes",
        ),
        "action:qrplates.plate.delete_selected",
    ),
    "plate: the installers' page": door(page(install_url, named("street")), "workflow:install"),
    # Print batches ("own": sent, or to be sent, to this print shop; "pub": sent).
    "batches: list": door(
        listed(changelist("qrplates.printbatch"), batch_name),
        "admin:qrplates_printbatch_changelist",
    ),
    "batch: page": door(
        page(batch_url("qrplates_printbatch_change"), batch_name),
        "admin:qrplates_printbatch_change",
    ),
    "batch: history": door(
        page(batch_url("qrplates_printbatch_history")), "admin:qrplates_printbatch_history"
    ),
    "batch: download": door(
        page(batch_url("qrplates_printbatch_download")), "admin:qrplates_printbatch_download"
    ),
    "batch: build again": door(each(batch_builds), "admin:qrplates_printbatch_build"),
    "batch: add": door(each(batch_adds), "admin:qrplates_printbatch_add"),
    "batch: send": door(
        batch_posts("qrplates_printbatch_send", batch_status), "admin:qrplates_printbatch_send"
    ),
    "batch: printed": door(
        batch_posts("qrplates_printbatch_printed", batch_status),
        "admin:qrplates_printbatch_printed",
    ),
    "batch: new link": door(
        batch_posts("qrplates_printbatch_new_link", batch_key), "admin:qrplates_printbatch_new_link"
    ),
    "batch: delete page": door(
        page(batch_url("qrplates_printbatch_delete")), "admin:qrplates_printbatch_delete"
    ),
    "batches: action delete": door(
        bulk(
            "qrplates.printbatch",
            "delete_selected",
            lambda w, v: w.batches[v],
            lambda w, v: not PrintBatch.objects.filter(pk=w.batches[v]).exists(),
            apart=True,
            post="yes",
        ),
        "action:qrplates.printbatch.delete_selected",
    ),
    # The public's reports and suggestions.
    "reports: list": door(
        listed(changelist("sites.problemreport"), named("report")),
        "admin:sites_problemreport_changelist",
    ),
    "report: page": door(
        page(report_url("change"), named("report")), "admin:sites_problemreport_change"
    ),
    "report: staff note": door(submission_edits("problemreport", report("open"))),
    "report: history": door(page(report_url("history")), "admin:sites_problemreport_history"),
    "report: add": door(
        opens(lambda w: admin_url("sites_problemreport_add")), "admin:sites_problemreport_add"
    ),
    "report: delete page": door(page(report_url("delete")), "admin:sites_problemreport_delete"),
    "reports: action handled": door(
        bulk(
            "sites.problemreport", "mark_handled", report("open"), report_status("open", "handled")
        ),
        "action:sites.problemreport.mark_handled",
    ),
    "reports: action reopen": door(
        bulk("sites.problemreport", "reopen", report("handled"), report_status("handled", "open")),
        "action:sites.problemreport.reopen",
    ),
    "reports: action delete": door(
        bulk(
            "sites.problemreport",
            "delete_selected",
            report("open"),
            lambda w, v: not ProblemReport.objects.filter(pk=w.reports["open", v]).exists(),
            post="yes",
        ),
        "action:sites.problemreport.delete_selected",
    ),
    "suggestions: list": door(
        listed(changelist("sites.suggestion"), named("street")), "admin:sites_suggestion_changelist"
    ),
    "suggestion: page": door(
        page(suggestion_url("change"), named("suggestion")), "admin:sites_suggestion_change"
    ),
    "suggestion: staff note": door(submission_edits("suggestion", suggestion)),
    "suggestion: history": door(page(suggestion_url("history")), "admin:sites_suggestion_history"),
    "suggestion: add": door(
        opens(lambda w: admin_url("sites_suggestion_add")), "admin:sites_suggestion_add"
    ),
    "suggestion: delete page": door(
        page(suggestion_url("delete")), "admin:sites_suggestion_delete"
    ),
    "suggestions: action accept": door(
        bulk("sites.suggestion", "accept", suggestion, photo_added),
        "action:sites.suggestion.accept",
    ),
    "suggestions: action reject": door(
        bulk("sites.suggestion", "reject", suggestion, suggestion_status("rejected")),
        "action:sites.suggestion.reject",
    ),
    "suggestions: action delete": door(
        bulk(
            "sites.suggestion",
            "delete_selected",
            suggestion,
            lambda w, v: not Suggestion.objects.filter(pk=w.suggestions[v]).exists(),
            post="yes",
        ),
        "action:sites.suggestion.delete_selected",
    ),
    # Communes and wards: public data, maintained by the IT team.
    "units: list": door(
        listed(changelist("sites.adminunit"), unit_name), "admin:sites_adminunit_changelist"
    ),
    "unit: page": door(page(unit_url("change"), unit_name), "admin:sites_adminunit_change"),
    "unit: history": door(page(unit_url("history")), "admin:sites_adminunit_history"),
    "unit: add": door(
        opens(lambda w: admin_url("sites_adminunit_add")), "admin:sites_adminunit_add"
    ),
    "unit: delete page": door(page(unit_url("delete")), "admin:sites_adminunit_delete"),
    "units: action delete": door(
        same(
            lambda w, role: (
                'value="delete_selected"' in w.text(role, changelist("sites.adminunit")(w))
            )
        ),
        "action:sites.adminunit.delete_selected",
    ),
    # Walking routes: the reviewers' (they cross communes).
    "routes: list": door(
        same(lambda w, role: w.get(role, changelist("sites.route")(w)).status_code == 200),
        "admin:sites_route_changelist",
    ),
    "route: page": door(
        page(route_url("change"), named("route")),
        "admin:sites_route_change",
        "inline:sites.route.RouteStopInline",
        "inline:sites.route.RouteNarrationInline",
    ),
    "route: history": door(page(route_url("history")), "admin:sites_route_history"),
    "route: a past version": door(page(route_version), "admin:sites_route_simple_history"),
    "route: add": door(opens(lambda w: admin_url("sites_route_add")), "admin:sites_route_add"),
    "route: delete page": door(page(route_url("delete")), "admin:sites_route_delete"),
    "routes: action delete": door(
        same(
            lambda w, role: (
                route_of(w, "own-pub") is not None
                and 'value="delete_selected"' in w.text(role, changelist("sites.route")(w))
            )
        ),
        "action:sites.route.delete_selected",
    ),
    "box: a route stop's place": door(
        autocomplete("sites.routestop", "place", named("street")), "choice:sites.routestop.place"
    ),
    # A place's form: the communes' outlines for its map, and the installed plates' position.
    "place form: the communes' outlines": door(
        opens(lambda w: admin_url("sites_street_units_geojson")),
        "admin:sites_street_units_geojson",
        "admin:sites_relic_units_geojson",
        "admin:sites_scenicspot_units_geojson",
    ),
    "street: use the installed plate's position": door(
        each(uses_plate_position),
        "admin:sites_street_use_plate_position",
        "admin:sites_relic_use_plate_position",
        "admin:sites_scenicspot_use_plate_position",
    ),
    **it_team_doors(),
    # The steering committee's dashboard.
    "dashboard": door(opens(lambda w: reverse("dashboard")), "dashboard"),
    "dashboard: CSV": door(
        same(lambda w, role: w.get(role, reverse("dashboard"), csv="records").status_code == 200)
    ),
    "dashboard: XLSX": door(
        same(lambda w, role: w.get(role, reverse("dashboard"), xlsx="plates").status_code == 200)
    ),
    "dashboard: quarterly report": door(
        opens(lambda w: reverse("dashboard-report")), "dashboard-report"
    ),
    # The API, with each role's token.
    "API: places": door(api_list("/api/v1/places/", "street"), "api:place-list GET"),
    "API: places as CSV": door(api_list("/api/v1/places/", "street", format="csv")),
    "API: bulk file of places": door(bulk_file("places", "street"), "api:bulk-file"),
    "API: a place": door(api_detail("/api/v1/places/", "street"), "api:place-detail GET"),
    "API: change a place": door(
        api_patches("/api/v1/places/", "street", "summary_vi", "summary"), "api:place-detail PATCH"
    ),
    "API: create a place": door(api_creates("/api/v1/places/", "street"), "api:place-list POST"),
    "API: a street's namesake": door(each(api_named_after)),
    "API: people": door(api_list("/api/v1/people/", "person"), "api:person-list GET"),
    "API: a person": door(api_detail("/api/v1/people/", "person"), "api:person-detail GET"),
    "API: change a person": door(
        api_patches("/api/v1/people/", "person", "role_vi", "role"), "api:person-detail PATCH"
    ),
    "API: create a person": door(api_creates("/api/v1/people/", "person"), "api:person-list POST"),
    "API: plates": door(
        listed(lambda w: "/api/v1/plates/", plate_code("place"), api=True), "api:plate-list GET"
    ),
    "API: a plate": door(
        page(lambda w, v: f"/api/v1/plates/{w.plate('place', v).code}/", api=True),
        "api:plate-detail GET",
    ),
    "API: units": door(
        listed(lambda w: "/api/v1/units/", unit_name, api=True, level="ward"), "api:unit-list GET"
    ),
    "API: a unit": door(
        page(lambda w, v: f"/api/v1/units/{UNITS[v.split('-')[0]]}/", unit_name, api=True),
        "api:unit-detail GET",
    ),
    "API: routes": door(route_listed, "api:route-list GET"),
    "API: a route": door(
        page(lambda w, v: f"/api/v1/routes/{route_of(w, v).slug}/", api=True),
        "api:route-detail GET",
    ),
    # Public pages: published records only, whoever asks.
    "public: a route's page": door(
        page(lambda w, v: route_of(w, v).get_absolute_url(), named("route")), "sites:route"
    ),
    "public: a place's page": door(page(public_url("street"), named("street")), "sites:place"),
    "public: a person's page": door(page(public_url("person"), named("person")), "sites:person"),
    "public: a recording": door(
        page(lambda w, v: Narration.objects.get(place_id=w.records["street", v]).url), "narration"
    ),
    "public: report a problem": door(
        page(
            lambda w, v: reverse("workflow:report", args=["place", w.records["street", v]]),
            named("street"),
        ),
        "workflow:report",
    ),
    "public: suggest": door(
        page(
            lambda w, v: reverse("workflow:suggest", args=["person", w.records["person", v]]),
            named("person"),
        ),
        "workflow:suggest",
    ),
    "public: a scan": door(
        page(lambda w, v: f"/Q/{w.plate('place', v).code}", named("street")), "qrplates:scan"
    ),
    "public: a commune's page": door(page(public_unit_url("unit"), named("street")), "sites:unit"),
    "public: an area for offline": door(
        page(public_unit_url("unit_offline"), named("street")), "sites:unit_offline"
    ),
    "public: streets": door(
        listed(lambda w: reverse("sites:kind", args=["streets"]), named("street")), "sites:kind"
    ),
    "public: search": door(
        listed(lambda w: reverse("sites:search"), named("street"), q="noi thu"), "sites:search"
    ),
    "public: sitemap": door(listed(lambda w: reverse("sitemap"), named("street")), "sitemap"),
    # Pages that list no record in full (highlights, the shell, the indexes of people and of
    # communes and wards): every page a role opens is searched for what it may not read, these
    # too.
    **{
        f"public: {name}": door(opens(lambda w, name=name: reverse(name)), name)
        for name in (
            "sites:home",
            "sites:people",
            "sites:units",
            "sites:routes",
            "sites:about",
            "sites:offline",
            "plate-code",
            "qrplates:enter",
            "robots_txt",
            "service_worker",
            "web_manifest",
        )
    },
}


# --- the table: who gets through each door, to which records ---------------------------------
#
# Cells: which of the four records a role gets through to. A = all four; O = its own commune's
# (both); P = the published ones (both communes); R = what it may read (O and P); D = the
# unpublished ones; OD = its commune's unpublished one; OP = its commune's published one;
# _ = none. For a door without a record of its own (a list's sample file, the dashboard), A or _.

A, O, P, R, D, OD, OP, _ = ALL, OWN, PUBLIC, OWN_OR_PUBLIC, DRAFTS, OWN_DRAFT, OWN_PUB, NONE  # noqa: E741

# fmt: off
TABLE: dict[str, tuple[frozenset[str], ...]] = {
    # door                                 anon. nobody editor review print. inst.  comm.
    "street: list":                       (_,     _,     O,     A,     _,     _,     _),
    "street: page":                       (_,     _,     O,     A,     _,     _,     _),
    "street: change":                     (_,     _,     O,     A,     _,     _,     _),
    "street: add":                        (_,     _,     OD,    A,     _,     _,     _),
    "street: history":                    (_,     _,     O,     A,     _,     _,     _),
    "street: a past version":             (_,     _,     O,     A,     _,     _,     _),
    "street: review page":                (_,     _,     O,     A,     _,     _,     _),
    "street: review, send":               (_,     _,     OD,    D,     _,     _,     _),
    "street: review, publish":            (_,     _,     _,     D,     _,     _,     _),
    "street: delete page":                (_,     _,     _,     _,     _,     _,     _),
    "street: import":                     (_,     _,     O,     A,     _,     _,     _),
    "street: export":                     (_,     _,     O,     A,     _,     _,     _),
    "street: sample file":                (_,     _,     A,     A,     _,     _,     _),
    "street: action send for review":     (_,     _,     OD,    D,     _,     _,     _),
    "street: action publish":             (_,     _,     _,     D,     _,     _,     _),
    "street: action back to draft":       (_,     _,     _,     P,     _,     _,     _),
    "street: action withdraw":            (_,     _,     _,     A,     _,     _,     _),
    "street: action mint plates":         (_,     _,     O,     A,     _,     _,     _),
    "street: action delete":              (_,     _,     _,     _,     _,     _,     _),
    "relic: list":                        (_,     _,     O,     A,     _,     _,     _),
    "relic: page":                        (_,     _,     O,     A,     _,     _,     _),
    "relic: add page":                    (_,     _,     A,     A,     _,     _,     _),
    "relic: history":                     (_,     _,     O,     A,     _,     _,     _),
    "relic: a past version":              (_,     _,     O,     A,     _,     _,     _),
    "relic: review page":                 (_,     _,     O,     A,     _,     _,     _),
    "relic: delete page":                 (_,     _,     _,     _,     _,     _,     _),
    "relic: import page":                 (_,     _,     A,     A,     _,     _,     _),
    "relic: export":                      (_,     _,     O,     A,     _,     _,     _),
    "relic: sample file":                 (_,     _,     A,     A,     _,     _,     _),
    "relic: action send for review":      (_,     _,     OD,    D,     _,     _,     _),
    "relic: action publish":              (_,     _,     _,     D,     _,     _,     _),
    "relic: action back to draft":        (_,     _,     _,     P,     _,     _,     _),
    "relic: action withdraw":             (_,     _,     _,     A,     _,     _,     _),
    "relic: action mint plates":          (_,     _,     O,     A,     _,     _,     _),
    "relic: action delete":               (_,     _,     _,     _,     _,     _,     _),
    "scenicspot: list":                   (_,     _,     O,     A,     _,     _,     _),
    "scenicspot: page":                   (_,     _,     O,     A,     _,     _,     _),
    "scenicspot: add page":               (_,     _,     A,     A,     _,     _,     _),
    "scenicspot: history":                (_,     _,     O,     A,     _,     _,     _),
    "scenicspot: a past version":         (_,     _,     O,     A,     _,     _,     _),
    "scenicspot: review page":            (_,     _,     O,     A,     _,     _,     _),
    "scenicspot: delete page":            (_,     _,     _,     _,     _,     _,     _),
    "scenicspot: import page":            (_,     _,     A,     A,     _,     _,     _),
    "scenicspot: export":                 (_,     _,     O,     A,     _,     _,     _),
    "scenicspot: sample file":            (_,     _,     A,     A,     _,     _,     _),
    "scenicspot: action send for review": (_,     _,     OD,    D,     _,     _,     _),
    "scenicspot: action publish":         (_,     _,     _,     D,     _,     _,     _),
    "scenicspot: action back to draft":   (_,     _,     _,     P,     _,     _,     _),
    "scenicspot: action withdraw":        (_,     _,     _,     A,     _,     _,     _),
    "scenicspot: action mint plates":     (_,     _,     O,     A,     _,     _,     _),
    "scenicspot: action delete":          (_,     _,     _,     _,     _,     _,     _),
    # People belong to no commune: an editor's are those linked to their places (or to none).
    "person: list":                       (_,     _,     R,     A,     _,     _,     _),
    "person: page":                       (_,     _,     R,     A,     _,     _,     _),
    "person: change":                     (_,     _,     O,     A,     _,     _,     _),
    "person: add":                        (_,     _,     D,     A,     _,     _,     _),
    "person: history":                    (_,     _,     O,     A,     _,     _,     _),
    "person: a past version":             (_,     _,     O,     A,     _,     _,     _),
    "person: review page":                (_,     _,     O,     A,     _,     _,     _),
    "person: review, send":               (_,     _,     OD,    D,     _,     _,     _),
    "person: review, publish":            (_,     _,     _,     D,     _,     _,     _),
    "person: delete page":                (_,     _,     _,     _,     _,     _,     _),
    "person: import":                     (_,     _,     O,     A,     _,     _,     _),
    "person: export":                     (_,     _,     R,     A,     _,     _,     _),
    "person: sample file":                (_,     _,     A,     A,     _,     _,     _),
    "person: action send for review":     (_,     _,     OD,    D,     _,     _,     _),
    "person: action publish":             (_,     _,     _,     D,     _,     _,     _),
    "person: action back to draft":       (_,     _,     _,     P,     _,     _,     _),
    "person: action withdraw":            (_,     _,     _,     A,     _,     _,     _),
    "person: action mint plates":         (_,     _,     O,     A,     _,     _,     _),
    "person: action delete":              (_,     _,     _,     _,     _,     _,     _),
    "place: list":                        (_,     _,     O,     A,     _,     _,     _),
    "place: page":                        (_,     _,     O,     A,     _,     _,     _),
    "place: history":                     (_,     _,     O,     A,     _,     _,     _),
    "place: add":                         (_,     _,     _,     _,     _,     _,     _),
    "place: delete page":                 (_,     _,     _,     _,     _,     _,     _),
    "place: action mint plates":          (_,     _,     O,     A,     _,     _,     _),
    "place: action delete":               (_,     _,     _,     _,     _,     _,     _),
    # A link is shown on its place's page: only to a place one may edit; any person one reads.
    "person page: link a place":          (_,     _,     O,     A,     _,     _,     _),
    "person page: links everywhere":      (_,     _,     A,     A,     _,     _,     _),
    "person page: change a link's note":  (_,     _,     O,     A,     _,     _,     _),
    "street page: link a person":         (_,     _,     R,     A,     _,     _,     _),
    "street page: named after":           (_,     _,     R,     A,     _,     _,     _),
    "street page: mint in a plate row":   (_,     _,     O,     A,     _,     _,     _),
    "box: a link's place":                (_,     _,     O,     A,     _,     _,     _),
    "box: a link's person":               (_,     _,     R,     A,     _,     _,     _),
    "box: a street's namesake":           (_,     _,     R,     A,     _,     _,     _),
    "box: merged into (place)":           (_,     _,     O,     A,     _,     _,     _),
    "box: merged into (person)":          (_,     _,     R,     A,     _,     _,     _),
    "box: a record's commune":            (_,     _,     O,     A,     _,     _,     _),
    "box: a plate's place":               (_,     _,     O,     A,     _,     _,     _),
    "box: a plate's person":              (_,     _,     O,     A,     _,     _,     _),
    "box: a batch's plates":              (_,     _,     O,     A,     _,     P,     _),
    # Plates: an installer's are those in the field and those of published records.
    "plates: list (places)":              (_,     _,     O,     A,     _,     P,     _),
    "plates: list (people)":              (_,     _,     O,     A,     _,     P,     _),
    "plate: page":                        (_,     _,     O,     A,     _,     P,     _),
    "plate: history":                     (_,     _,     O,     A,     _,     P,     _),
    "plate: QR code":                     (_,     _,     O,     A,     _,     P,     _),
    "plate: artwork":                     (_,     _,     O,     A,     _,     P,     _),
    "plate: add for a place":             (_,     _,     O,     A,     _,     _,     _),
    "plate: add for a person":            (_,     _,     O,     A,     _,     _,     _),
    "plate: lead elsewhere":              (_,     _,     _,     A,     _,     _,     _),
    "plate: record a step":               (_,     _,     _,     A,     _,     _,     _),
    "plate: delete page":                 (_,     _,     _,     _,     _,     _,     _),
    # Artwork is approved only once the record is published; retiring cannot be undone.
    "plates: action approve":             (_,     _,     _,     P,     _,     _,     _),
    "plates: action printed":             (_,     _,     _,     A,     _,     _,     _),
    "plates: action retire":              (_,     _,     _,     A,     _,     _,     _),
    # Only plates of published records go to print (qrplates.batches.record_refusal).
    "plates: action into a batch":        (_,     _,     _,     P,     _,     _,     _),
    "plates: action delete":              (_,     _,     _,     _,     _,     _,     _),
    "plate: the installers' page":        (_,     _,     _,     _,     _,     P,     _),
    # Print batches: "own" is this print shop's, "published" is sent.
    "batches: list":                      (_,     _,     _,     A,     OP,    _,     _),
    "batch: page":                        (_,     _,     _,     A,     OP,    _,     _),
    "batch: history":                     (_,     _,     _,     A,     _,     _,     _),
    "batch: download":                    (_,     _,     _,     A,     OP,    _,     _),
    "batch: build again":                 (_,     _,     _,     A,     OP,    _,     _),
    "batch: add":                         (_,     _,     _,     P,     _,     _,     _),
    "batch: send":                        (_,     _,     _,     D,     _,     _,     _),
    "batch: printed":                     (_,     _,     _,     P,     OP,    _,     _),
    "batch: new link":                    (_,     _,     _,     A,     _,     _,     _),
    "batch: delete page":                 (_,     _,     _,     D,     _,     _,     _),
    "batches: action delete":             (_,     _,     _,     D,     _,     _,     _),
    "reports: list":                      (_,     _,     O,     A,     _,     _,     _),
    "report: page":                       (_,     _,     O,     A,     _,     _,     _),
    "report: staff note":                 (_,     _,     O,     A,     _,     _,     _),
    "report: history":                    (_,     _,     O,     A,     _,     _,     _),
    "report: add":                        (_,     _,     _,     _,     _,     _,     _),
    "report: delete page":                (_,     _,     _,     _,     _,     _,     _),
    "reports: action handled":            (_,     _,     O,     A,     _,     _,     _),
    "reports: action reopen":             (_,     _,     O,     A,     _,     _,     _),
    "reports: action delete":             (_,     _,     _,     _,     _,     _,     _),
    "suggestions: list":                  (_,     _,     O,     A,     _,     _,     _),
    "suggestion: page":                   (_,     _,     O,     A,     _,     _,     _),
    "suggestion: staff note":             (_,     _,     O,     A,     _,     _,     _),
    "suggestion: history":                (_,     _,     O,     A,     _,     _,     _),
    "suggestion: add":                    (_,     _,     _,     _,     _,     _,     _),
    "suggestion: delete page":            (_,     _,     _,     _,     _,     _,     _),
    "suggestions: action accept":         (_,     _,     O,     A,     _,     _,     _),
    "suggestions: action reject":         (_,     _,     O,     A,     _,     _,     _),
    "suggestions: action delete":         (_,     _,     _,     _,     _,     _,     _),
    "units: list":                        (_,     _,     A,     A,     _,     _,     _),
    "unit: page":                         (_,     _,     A,     A,     _,     _,     _),
    "unit: history":                      (_,     _,     A,     A,     _,     _,     _),
    "unit: add":                          (_,     _,     _,     _,     _,     _,     _),
    "unit: delete page":                  (_,     _,     _,     _,     _,     _,     _),
    "units: action delete":               (_,     _,     _,     _,     _,     _,     _),
    "routes: list":                       (_,     _,     _,     A,     _,     _,     _),
    "route: page":                        (_,     _,     _,     A,     _,     _,     _),
    "route: history":                     (_,     _,     _,     A,     _,     _,     _),
    "route: a past version":              (_,     _,     _,     A,     _,     _,     _),
    "route: add":                         (_,     _,     _,     A,     _,     _,     _),
    "route: delete page":                 (_,     _,     _,     A,     _,     _,     _),
    "routes: action delete":              (_,     _,     _,     A,     _,     _,     _),
    "box: a route stop's place":          (_,     _,     O,     A,     _,     _,     _),
    "place form: the communes' outlines": (_,     _,     A,     A,     _,     _,     _),
    "street: use the installed plate's position": (_, _,  O,     A,     _,     _,     _),
    "API: routes":                        (P,     P,     P,     P,     P,     P,     P),
    "API: a route":                       (P,     P,     P,     P,     P,     P,     P),
    "public: a route's page":             (P,     P,     P,     P,     P,     P,     P),
    **dict.fromkeys(it_team_doors(), (_,) * 7),
    "dashboard":                          (_,     _,     _,     A,     _,     _,     A),
    "dashboard: CSV":                     (_,     _,     _,     A,     _,     _,     A),
    "dashboard: XLSX":                    (_,     _,     _,     A,     _,     _,     A),
    "dashboard: quarterly report":        (_,     _,     _,     A,     _,     _,     A),
    # The API reads what the account may read; it writes as the admin does.
    "API: places":                        (P,     P,     R,     A,     P,     P,     P),
    "API: places as CSV":                 (P,     P,     R,     A,     P,     P,     P),
    "API: a place":                       (P,     P,     R,     A,     P,     P,     P),
    "API: change a place":                (_,     _,     O,     A,     _,     _,     _),
    "API: create a place":                (_,     _,     OD,    A,     _,     _,     _),
    "API: a street's namesake":           (_,     _,     R,     A,     _,     _,     _),
    "API: people":                        (P,     P,     R,     A,     P,     P,     P),
    "API: a person":                      (P,     P,     R,     A,     P,     P,     P),
    "API: change a person":               (_,     _,     O,     A,     _,     _,     _),
    "API: create a person":               (_,     _,     D,     A,     _,     _,     _),
    "API: plates":                        (P,     P,     P,     P,     P,     P,     P),
    "API: bulk file of places":           (P,     P,     P,     P,     P,     P,     P),
    "API: a plate":                       (P,     P,     P,     P,     P,     P,     P),
    "API: units":                         (A,     A,     A,     A,     A,     A,     A),
    "API: a unit":                        (A,     A,     A,     A,     A,     A,     A),
    "public: a place's page":             (P,     P,     P,     P,     P,     P,     P),
    "public: a person's page":            (P,     P,     P,     P,     P,     P,     P),
    "public: a recording":                (P,     P,     P,     P,     P,     P,     P),
    "public: report a problem":           (P,     P,     P,     P,     P,     P,     P),
    "public: suggest":                    (P,     P,     P,     P,     P,     P,     P),
    "public: a scan":                     (P,     P,     P,     P,     P,     P,     P),
    "public: a commune's page":           (P,     P,     P,     P,     P,     P,     P),
    "public: an area for offline":        (P,     P,     P,     P,     P,     P,     P),
    "public: streets":                    (P,     P,     P,     P,     P,     P,     P),
    "public: search":                     (P,     P,     P,     P,     P,     P,     P),
    "public: sitemap":                    (P,     P,     P,     P,     P,     P,     P),
    "public: sites:home":                 (A,     A,     A,     A,     A,     A,     A),
    "public: sites:people":               (A,     A,     A,     A,     A,     A,     A),
    "public: sites:routes":               (A,     A,     A,     A,     A,     A,     A),
    "public: sites:units":                (A,     A,     A,     A,     A,     A,     A),
    "public: sites:about":                (A,     A,     A,     A,     A,     A,     A),
    "public: sites:offline":              (A,     A,     A,     A,     A,     A,     A),
    "public: plate-code":                 (A,     A,     A,     A,     A,     A,     A),
    "public: qrplates:enter":             (A,     A,     A,     A,     A,     A,     A),
    "public: robots_txt":                 (A,     A,     A,     A,     A,     A,     A),
    "public: service_worker":             (A,     A,     A,     A,     A,     A,     A),
    "public: web_manifest":               (A,     A,     A,     A,     A,     A,     A),
}
# fmt: on


def test_the_table_and_the_doors_match():
    assert set(TABLE) == set(DOORS)
    assert {len(cells) for cells in TABLE.values()} == {len(ROLES)}


def short(variants: frozenset[str]) -> str:
    return "{" + ", ".join(sorted(variants)) + "}"


@pytest.mark.parametrize("name", list(TABLE))
def test_who_gets_through(world, db, name: str):
    """One door, every role; each role's requests are rolled back before the next role's."""
    wrong = []
    for role, expected in zip(ROLES, TABLE[name], strict=True):
        with transaction.atomic():
            observed = DOORS[name].probe(world, role)
            transaction.set_rollback(True)
        for client in (world.sessions[role], world.tokens[role]):
            client.cookies.pop("messages", None)  # what this case was told, not the next
        through = frozenset(variant for variant, allowed in observed.items() if allowed)
        if through != expected:
            wrong.append(f"{role}: expected {short(expected)}, got {short(through)}")
    assert not wrong, f"{name}: " + "; ".join(wrong)


# --- the guards: every door the project has is in the table ------------------------------------

# What is not a door to records, and why.
NOT_DOORS = {
    "admin:index": "lists the models the account's permissions open, no record",
    "admin:app_list": "the same, for one app",
    "admin:login": "the way in",
    "admin:logout": "the way out",
    "admin/logout/": "the way out, which also clears the site's data on the phone",
    "admin:password_change": "one's own password",
    "admin:password_change_done": "one's own password",
    "admin:jsi18n": "the admin's script translations",
    "admin:view_on_site": "a redirect to a record's public page (itself a door in the table)",
    "admin:autocomplete": "one door per form field: the 'box:' rows",
    "set_language": "the language switch",
    "switch_language": "the language switch",
    "api:index": "a redirect to the docs",
    "api:api-root": "the list of endpoints",
    "api:schema": "the API's description, no record",
    "api:docs": "the API's description, no record",
    "api:catalog-jsonld": "the datasets' description (DCAT), no record",
    "api:catalog-ttl": "the datasets' description (DCAT), no record",
    "qrplates:batch-download": "a signed, expiring link, no account: test_artwork_batches.py",
    "admin/(?P<url>.*)$": "the admin's catch-all: a 404 or a login redirect",
    "api/^(?P<path>.*/)$": "the API's catch-all: a JSON 404",
    "^media/(?P<path>.*)$": "uploaded files, with DEBUG only (the web server serves them)",
    "choice:sites.adminunit.parent": "units are the IT team's (only superusers change them)",
    "choice:sites.adminunit.successor": "units are the IT team's (only superusers change them)",
    "inline:auth.user.EditorUnitInline": "the IT team's: auth.user doors",
    "choice:sites.editorunit.unit": "the IT team's: auth.user doors",
    "choice:qrplates.printbatch.printer": "an account, not a record: batches are reviewers'",
    "inline:workflow.plan.PhaseInline": "the IT team's: workflow.plan doors",
    "choice:workflow.phase.units": "the IT team's: workflow.plan doors",
    "choice:workflow.phase.places": "the IT team's: workflow.plan doors",
    # The task worker's queue (django-tasks-db's read-only admin): no role's group is given its
    # permissions; superusers only.
    **dict.fromkeys(
        [
            "admin/django_tasks_database/dbtaskresult/<path:object_id>/",
            "admin:django_tasks_database_dbtaskresult_add",
            "admin:django_tasks_database_dbtaskresult_change",
            "admin:django_tasks_database_dbtaskresult_changelist",
            "admin:django_tasks_database_dbtaskresult_delete",
            "admin:django_tasks_database_dbtaskresult_history",
            "action:django_tasks_database.dbtaskresult.delete_selected",
        ],
        "the task queue: superusers only",
    ),
}
# Every admin page of a record redirects "<id>/" to "<id>/change/": the change door's.
REDIRECTS_TO_CHANGE = re.compile(r"^admin/[a-z]+/[a-z]+/<path:object_id>/$")


def covered() -> set[str]:
    return {name for found in DOORS.values() for name in found.covers} | set(NOT_DOORS)


def url_names() -> set[str]:
    """Every address the project answers: its name (with namespace), or its route."""
    found = set()

    def walk(resolver: URLResolver, namespace: str, prefix: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern, inner, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if pattern.name:
                    found.add(f"{namespace}{pattern.name}")
                elif not REDIRECTS_TO_CHANGE.match(route):
                    found.add(route)

    walk(get_resolver(), "", "")
    return found


def test_every_address_is_a_door_in_the_table():
    doors = covered()
    methods = {name.split(" ")[0] for name in doors if " " in name}  # "api:place-list GET"
    missing = sorted(url_names() - doors - methods)
    assert not missing, f"addresses with no row in the table (or NOT_DOORS): {missing}"


def test_every_admin_action_is_in_the_table_and_asks_for_a_permission():
    found, unguarded = set(), []
    for model, model_admin in admin.site._registry.items():
        for function, name, _description in model_admin._get_base_actions():
            found.add(f"action:{model._meta.label_lower}.{name}")
            if not getattr(function, "allowed_permissions", ()):
                unguarded.append(f"{model._meta.label_lower}.{name}")
    assert not unguarded, f"bulk actions that declare no permission: {unguarded}"
    missing = sorted(found - covered())
    assert not missing, f"bulk actions with no row in the table: {missing}"


def superuser_request(world: World):
    request = RequestFactory().get("/admin/")
    request.user = world.users["superuser"]
    return request


RECORD_TARGETS = (AdminUnit, Person, Plate, PrintBatch, *PLACE_KINDS.values())


def test_every_inline_and_every_field_pointing_at_records_is_in_the_table(world, db):
    """What the admin's forms offer: each inline, and each field that chooses a record."""
    from sites.models import Place

    request = superuser_request(world)
    inlines, fields = set(), set()
    for model, model_admin in admin.site._registry.items():
        obj = model._default_manager.first()
        forms = [model_admin.get_form(request, obj, change=obj is not None)]
        for formset, inline in model_admin.get_formsets_with_inlines(request, obj):
            inlines.add(f"inline:{model._meta.label_lower}.{type(inline).__name__}")
            forms.append(formset.form)
        for form in forms:
            for name, form_field in form.base_fields.items():
                if not isinstance(form_field, ModelChoiceField):
                    continue
                target = form_field.queryset.model
                if not issubclass(target, (*RECORD_TARGETS, Place)):
                    continue
                db_field = form._meta.model._meta.get_field(name)
                if (
                    getattr(form, "_meta", None)
                    and db_field.remote_field
                    and (getattr(db_field, "related_model", None) is not None)
                ):
                    fields.add(f"choice:{db_field.model._meta.label_lower}.{name}")
    missing = sorted((inlines | fields) - covered())
    assert not missing, f"inlines or record choices with no row in the table: {missing}"


def test_every_api_method_is_in_the_table():
    found = set()
    for _prefix, viewset, basename in api_urls.router.registry:
        for route in api_urls.router.get_routes(viewset):
            methods = api_urls.router.get_method_map(viewset, route.mapping)
            name = route.name.format(basename=basename)
            found |= {f"api:{name} {method.upper()}" for method in methods}
    missing = sorted(found - covered())
    assert not missing, f"API methods with no row in the table: {missing}"
