"""The one write path of content records (sites/services.py), seen from the doors that use it:
the admin, the staff API and the spreadsheet import store the same text, file a place under the
same commune, obey the same roles and save nothing when anything is wrong."""

import unicodedata

import pytest
import tablib
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from sites import services
from sites.models import AdminUnit, EditorUnit, Person, Relic, Status, Street
from tests.conftest import MANAGEMENT_INPUT
from workflow import imports

pytestmark = pytest.mark.django_db

TAM_THANH = "05986"
IN_TAM_THANH = (21.88512, 106.74298)
IN_DONG_KINH = (21.80984, 106.77513)  # phường Đông Kinh, code 05977
NAME = "Phố Kỳ Lừa Mới"
DECOMPOSED = unicodedata.normalize("NFD", NAME)


@pytest.fixture
def editor(django_user_model):
    """An editor of phường Tam Thanh only."""
    user = django_user_model.objects.create_user("bientap", password="pw-x-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    EditorUnit.objects.create(user=user, unit=AdminUnit.objects.get(code=TAM_THANH))
    return user


@pytest.fixture
def elsewhere() -> Relic:
    """A published relic of another ward (Đông Kinh)."""
    return Relic.objects.create(
        name_vi="Đền Đông Kinh",
        summary_vi="Di tích của phường khác.",
        lat=IN_DONG_KINH[0],
        lon=IN_DONG_KINH[1],
        external_id="dk:relic:1",
        status=Status.PUBLISHED,
    )


def token_client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the doors, each writing the same thing -----------------------------------------------------


def change_by_service(user, relic: Relic, summary: str) -> None:
    relic.summary_vi = summary
    with pytest.raises(PermissionDenied):
        services.record_save(record=relic, by=user)


def change_by_api(user, relic: Relic, summary: str) -> None:
    response = token_client(user).patch(
        f"/api/v1/places/{relic.pk}/",
        {"summary": {"vi": summary}},
        content_type="application/json",
    )
    assert response.status_code == 403


def change_by_import(user, relic: Relic, summary: str) -> None:
    dataset = tablib.Dataset(headers=["external_id", "name_vi", "summary_vi"])
    dataset.append([relic.external_id, relic.name_vi, summary])
    report = imports.records_import(model=Relic, dataset=dataset, user=user, dry_run=False)
    assert not report.saved and [e.column for e in report.rows[0].errors] == ["unit"]


def change_by_admin(user, relic: Relic, summary: str) -> None:
    url = reverse("admin:sites_relic_change", args=[relic.pk])
    response = logged_in(user).post(url, {"name_vi": relic.name_vi, "summary_vi": summary})
    # Not in the editor's list: the admin answers as for a record that does not exist.
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


def create_by_service(user, values: dict) -> None:
    services.record_save(record=Street(**values), by=user)


def create_by_api(user, values: dict) -> None:
    body = {
        "kind": "street",
        "name": {"vi": values["name_vi"]},
        "external_id": values.get("external_id", ""),
        "lat": values.get("lat"),
        "lon": values.get("lon"),
    }
    response = token_client(user).post("/api/v1/places/", body, content_type="application/json")
    assert response.status_code == 201, response.json()


def create_by_import(user, values: dict) -> None:
    dataset = tablib.Dataset(headers=["external_id", "name_vi", "lat", "lon"])
    dataset.append([values.get("external_id") or "new:1", values["name_vi"], *coordinates(values)])
    report = imports.records_import(model=Street, dataset=dataset, user=user, dry_run=False)
    assert report.saved, [e.message for row in report.rows for e in row.errors]


def create_by_admin(user, values: dict) -> None:
    client = logged_in(user)
    url = reverse("admin:sites_street_add")
    data = dict(MANAGEMENT_INPUT.findall(client.get(url).content.decode()))
    lat, lon = coordinates(values)
    data.update(
        name_vi=values["name_vi"],
        slug="",
        status=Status.DRAFT,
        street_type="pho",
        external_id=values.get("external_id", ""),
        lat=lat,
        lon=lon,
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def coordinates(values: dict) -> list[str]:
    return [str(values.get(axis) or "") for axis in ("lat", "lon")]


CHANGES = [change_by_service, change_by_api, change_by_import, change_by_admin]
CREATES = [create_by_service, create_by_api, create_by_import, create_by_admin]


def door(function) -> str:
    return function.__name__.rpartition("_")[2]


# --- what every door does alike -----------------------------------------------------------------


@pytest.mark.parametrize("change", CHANGES, ids=door)
def test_an_editor_cannot_change_a_record_outside_their_communes_through_any_door(
    editor, elsewhere, change
):
    change(editor, elsewhere, "Sửa lén.")
    elsewhere.refresh_from_db()
    assert elsewhere.summary_vi == "Di tích của phường khác."
    assert elsewhere.status == Status.PUBLISHED
    assert elsewhere.history.count() == 1


@pytest.mark.parametrize("create", CREATES, ids=door)
def test_text_is_stored_in_nfc_whichever_door_writes_it(staff, create):
    create(staff, {"name_vi": DECOMPOSED, "lat": IN_TAM_THANH[0], "lon": IN_TAM_THANH[1]})
    street = Street.objects.get()
    assert street.name_vi == NAME
    assert unicodedata.is_normalized("NFC", street.name_vi)
    assert street.slug == "pho-ky-lua-moi"


@pytest.mark.parametrize("create", CREATES, ids=door)
def test_a_place_is_filed_under_the_ward_of_its_coordinates_whichever_door_writes_it(staff, create):
    create(staff, {"name_vi": NAME, "lat": IN_TAM_THANH[0], "lon": IN_TAM_THANH[1]})
    assert Street.objects.get().unit.code == TAM_THANH


@pytest.mark.parametrize("create", CREATES, ids=door)
def test_every_door_names_its_writer_in_the_history(staff, create):
    create(staff, {"name_vi": NAME})
    assert Street.objects.get().history.get().history_user == staff


# --- the service itself -------------------------------------------------------------------------


def test_the_roles_judge_the_ward_found_from_the_coordinates(editor):
    own = Street(name_vi="Phố Của Mình", lat=IN_TAM_THANH[0], lon=IN_TAM_THANH[1])
    services.record_save(record=own, by=editor)
    assert Street.objects.get().unit.code == TAM_THANH
    other = Street(name_vi="Phố Phường Khác", lat=IN_DONG_KINH[0], lon=IN_DONG_KINH[1])
    with pytest.raises(PermissionDenied):
        services.record_save(record=other, by=editor)
    assert Street.objects.count() == 1


def test_an_editor_cannot_publish_and_their_change_sends_a_published_record_to_review(editor):
    draft = Street(name_vi="Phố Nháp", lat=IN_TAM_THANH[0], lon=IN_TAM_THANH[1])
    draft.status = Status.PUBLISHED
    with pytest.raises(PermissionDenied):
        services.record_save(record=draft, by=editor)
    assert not Street.objects.exists()

    street = Street.objects.create(
        name_vi="Phố Đã Đăng", lat=IN_TAM_THANH[0], lon=IN_TAM_THANH[1], status=Status.PUBLISHED
    )
    street.summary_vi = "Đoạn mới."
    services.record_save(record=street, by=editor)
    street.refresh_from_db()
    assert street.status == Status.REVIEW and street.summary_vi == "Đoạn mới."


def test_nothing_is_saved_when_anything_is_wrong_and_every_wrong_field_is_named(staff):
    street = Street.objects.create(name_vi="Phố Cũ", lat=IN_TAM_THANH[0], lon=IN_TAM_THANH[1])
    street.name_vi = ""
    street.summary_vi = "Đoạn mới."
    street.lat, street.lon = 48.85, 2.35  # Paris
    with pytest.raises(ValidationError) as invalid:
        services.record_save(record=street, by=staff)
    assert {"name_vi", "lat"} <= set(invalid.value.message_dict)
    street.refresh_from_db()
    assert street.name_vi == "Phố Cũ" and street.summary_vi == "" and street.lat == IN_TAM_THANH[0]
    assert street.history.count() == 1


def test_what_is_validated_is_what_is_stored(staff):
    """An external ID typed in another Unicode form is the same ID: it is refused as taken,
    not saved as a second record (nor left to the database to refuse with an error)."""
    Person.objects.create(name_vi="Người Một", external_id="người:1")
    twin = Person(name_vi="Người Hai", external_id=unicodedata.normalize("NFD", "người:1"))
    with pytest.raises(ValidationError, match="person_external_id_unique"):
        services.record_save(record=twin, by=staff)
    assert Person.objects.count() == 1


def test_a_race_for_the_same_external_id_is_refused_as_invalid_not_as_an_error(staff):
    """Two writers who each found the ID free: the second gets a message, and the transaction
    around it (the admin's page, the import) carries on."""
    Person.objects.create(name_vi="Người Một", external_id="p:1")
    late = Person(name_vi="Người Hai", external_id="p:1")
    with pytest.raises(ValidationError) as invalid:
        services.record_write(late, by=staff)
    assert "__all__" in invalid.value.message_dict
    assert Person.objects.count() == 1


def test_admin_refuses_a_name_that_is_only_markup_on_the_form(editor):
    """The write path stores text without markup, so a name made only of tags is empty: the
    admin's form says so by the field, instead of the save failing after the form passed."""
    client = logged_in(editor)
    url = reverse("admin:sites_street_add")
    data = dict(MANAGEMENT_INPUT.findall(client.get(url).content.decode()))
    data.update(name_vi="<b></b>", slug="", status=Status.DRAFT, street_type="pho")
    data.update(lat=str(IN_TAM_THANH[0]), lon=str(IN_TAM_THANH[1]))
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name_vi"]
    assert not Street.objects.exists()


def test_half_a_pair_of_coordinates_is_refused_in_words_not_left_to_the_database(staff):
    """The database's "both or neither" constraints are stated by clean(), which the write path
    runs (PublishableModel.CONSTRAINTS_IN_CLEAN): the editor gets the message, never an error."""
    street = Street(name_vi="Phố Nửa Tọa Độ", lat=IN_TAM_THANH[0])
    with pytest.raises(ValidationError, match="cả vĩ độ và kinh độ"):
        services.record_save(record=street, by=staff)
    street = Street(name_vi="Phố Nửa Đầu Kia", end_lat=IN_TAM_THANH[0])
    with pytest.raises(ValidationError) as invalid:
        services.record_save(record=street, by=staff)
    assert "end_lat" in invalid.value.message_dict
    assert not Street.objects.exists()


def test_an_external_id_checked_by_the_caller_is_still_refused_by_the_database(staff):
    """The import checks a whole file's external IDs in one query (`checked`); a clash it
    missed is still refused, as a message."""
    Person.objects.create(name_vi="Người Một", external_id="p:1")
    twin = Person(name_vi="Người Hai", external_id="p:1")
    services.record_check(twin, by=staff, checked=["external_id"])
    with pytest.raises(ValidationError):
        services.record_write(twin, by=staff)
    too_long = Person(name_vi="Người Ba", external_id="x" * 101)
    with pytest.raises(ValidationError) as invalid:
        services.record_check(too_long, by=staff, checked=["external_id"])
    assert "external_id" in invalid.value.message_dict
    assert Person.objects.count() == 1
