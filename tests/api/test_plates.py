"""The plates endpoint: a plate's code, the address in its QR code, the record a scan shows and
the plate's stage; nothing about plates whose record is not published."""

import csv
import io

import pytest

from qrplates.models import Plate
from qrplates.services import plate_mint, plate_transition
from sites.models import Status, Street

pytestmark = pytest.mark.django_db

PLATES = "/api/v1/plates/"


@pytest.fixture
def plates(records) -> dict[str, Plate]:
    street = plate_mint(target=records["street"], label="Đầu phố")
    plate_transition(plate=street, status=Plate.Status.ARTWORK_APPROVED)
    return {
        "street": street,
        "hero": plate_mint(target=records["hero"]),
        "draft": plate_mint(target=records["draft"]),
        "secret": plate_mint(target=records["secret"]),
    }


def codes_in(response) -> set[str]:
    return {plate["code"] for plate in response.json()["results"]}


def test_plates_of_published_records_are_listed(client, plates, settings):
    response = client.get(PLATES, {"lang": "en"})
    assert response.status_code == 200
    assert codes_in(response) == {plates["street"].code, plates["hero"].code}
    street = next(p for p in response.json()["results"] if p["code"] == plates["street"].code)
    assert street["url"] == f"{settings.PUBLIC_BASE_URL}/Q/{plates['street'].code}".upper()
    assert street["status"] == "approved"
    assert street["status_label"] == "Artwork approved"
    assert street["record"]["type"] == "place"
    assert street["record"]["kind"] == "street"
    assert street["record"]["name"] == "Hoang Van Thu Street"
    assert street["record"]["api_url"].endswith(f"/api/v1/places/{plates['street'].place_id}/")
    person = next(p for p in response.json()["results"] if p["code"] == plates["hero"].code)
    assert person["record"]["type"] == "person"
    assert person["record"]["kind"] is None


@pytest.mark.parametrize("plate", ["draft", "secret"])
def test_a_plate_of_an_unpublished_record_is_nowhere(client, plates, plate):
    code = plates[plate].code
    assert client.get(f"{PLATES}{code}/").status_code == 404
    for params in ({}, {"format": "csv"}, {"status": "planned"}, {"lang": "all"}):
        assert code not in client.get(PLATES, params).content.decode()


def test_a_plate_is_found_by_its_code_however_it_is_typed(client, plates):
    code = plates["street"].code
    typed = f"{code[:3]}-{code[3:]}".lower()
    response = client.get(f"{PLATES}{typed}/")
    assert response.status_code == 200
    assert response.json()["code"] == code


@pytest.mark.parametrize("typed", ["nope", "1234567", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"])
def test_a_code_that_is_not_a_plate_is_a_json_404(client, plates, typed):
    response = client.get(f"{PLATES}{typed}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_plate_of_a_merged_record_leads_to_the_record_that_stays(client, records):
    duplicate = Street.objects.create(name_vi="Đường Hoàng Văn Thụ (trùng)", status=Status.DRAFT)
    plate = plate_mint(target=duplicate)
    Street.objects.filter(pk=duplicate.pk).update(
        merged_into=records["street"], status=Status.WITHDRAWN
    )
    body = client.get(f"{PLATES}{plate.code}/").json()
    assert body["record"]["id"] == records["street"].pk
    assert body["record"]["name"] == "Đường Hoàng Văn Thụ"


def test_plates_filter_by_stage_and_record(client, plates, records):
    assert codes_in(client.get(PLATES, {"status": "approved"})) == {plates["street"].code}
    assert codes_in(client.get(PLATES, {"person": records["hero"].pk})) == {plates["hero"].code}
    assert codes_in(client.get(PLATES, {"place": records["street"].pk})) == {plates["street"].code}
    assert client.get(PLATES, {"status": "lost"}).status_code == 400
    assert client.get(PLATES, {"place": "first"}).status_code == 400


def test_plates_export_as_csv(client, plates):
    response = client.get(PLATES, {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["code"] for row in rows} == {plates["street"].code, plates["hero"].code}
    assert {"url", "status", "record.type", "record.id", "record.name"} <= set(rows[0])


def test_plates_are_read_only(token_client, plates):
    response = token_client.post(PLATES, {"code": "X"}, content_type="application/json")
    assert response.status_code == 405
