"""Plates in the editors' admin."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from qrplates import rendering
from qrplates.models import Plate
from qrplates.services import plate_mint, plate_transition
from sites.models import AdminUnit, Person, Relic, ScenicSpot, Status, Street
from tests.qrplates.qr import decode_png, decode_svg

pytestmark = pytest.mark.django_db

S = Plate.Status


def change_url(record) -> str:
    return reverse(f"admin:sites_{record._meta.model_name}_change", args=[record.pk])


@pytest.mark.parametrize("model", [Street, Relic, ScenicSpot, Person])
def test_every_record_shows_its_plates(staff_client, model):
    record = model.objects.create(name_vi=f"Bản ghi {model.__name__}", status=Status.PUBLISHED)
    plate = plate_mint(target=record, label="Cổng chính")
    page = staff_client.get(change_url(record)).content.decode()
    assert plate.code in page and "Cổng chính" in page
    assert reverse("admin:qrplates_plate_change", args=[plate.pk]) in page


def test_a_new_row_in_a_records_plates_mints_a_code(staff_client, admin_form_data, staff):
    url = reverse("admin:sites_street_add")
    values = {
        "name_vi": "Phố Có Biển",
        "name_en": "",
        "slug": "",
        "status": Status.PUBLISHED,
        "street_type": "pho",
        "summary_vi": "",
        "summary_en": "",
        "body_vi": "",
        "body_en": "",
        "plates-TOTAL_FORMS": "2",
        "plates-0-label": "Đầu phố phía Bắc",
        "plates-1-label": "Đầu phố phía Nam",
    }
    response = staff_client.post(url, admin_form_data(url, values))
    assert response.status_code == 302, response.content.decode()[:3000]
    street = Street.objects.get(name_vi="Phố Có Biển")
    plates = list(street.plates.order_by("label"))
    assert [p.label for p in plates] == ["Đầu phố phía Bắc", "Đầu phố phía Nam"]
    assert all(len(p.code) == 7 and p.created_by == staff for p in plates)


@pytest.mark.parametrize("model", [Street, Relic, Person])
def test_the_mint_action_mints_one_plate_per_selected_record(staff_client, model):
    records = [model.objects.create(name_vi=f"Bản ghi {i}") for i in range(3)]
    url = reverse(f"admin:sites_{model._meta.model_name}_changelist")
    response = staff_client.post(
        url,
        {"action": "mint_plates", "_selected_action": [r.pk for r in records[:2]]},
        follow=True,
    )
    assert Plate.objects.count() == 2
    assert {p.owner.pk for p in Plate.objects.all()} == {records[0].pk, records[1].pk}
    page = response.content.decode()
    assert "Đã tạo biển:" in page
    assert all(p.code in page for p in Plate.objects.all())


def test_the_mint_action_works_from_the_list_of_all_places(staff_client, street, relic):
    staff_client.post(
        reverse("admin:sites_place_changelist"),
        {"action": "mint_plates", "_selected_action": [street.pk, relic.pk]},
    )
    assert {p.owner for p in Plate.objects.all()} == {street, relic}


def test_the_plate_list_filters_by_status_and_commune(staff_client):
    ward = AdminUnit.objects.get(code="05986")  # phường Tam Thanh
    other = AdminUnit.objects.exclude(pk=ward.pk).communes().first()
    here = plate_mint(target=Street.objects.create(name_vi="Phố A", unit=ward, status="published"))
    there = plate_mint(target=Street.objects.create(name_vi="Phố B", unit=other))
    plate_transition(plate=here, status=S.ARTWORK_APPROVED)
    url = reverse("admin:qrplates_plate_changelist")
    by_status = staff_client.get(url, {"status__exact": S.ARTWORK_APPROVED}).content.decode()
    assert here.code in by_status and there.code not in by_status
    by_unit = staff_client.get(url, {"place__unit__id__exact": other.pk}).content.decode()
    assert there.code in by_unit and here.code not in by_unit
    assert "Phường Tam Thanh" in staff_client.get(url).content.decode()


def test_the_plate_list_finds_a_code_typed_any_way_or_a_name_without_diacritics(
    staff_client, plate, relic
):
    other = plate_mint(target=relic)
    url = reverse("admin:qrplates_plate_changelist")
    typed = plate.code.lower().replace("0", "o").replace("1", "l")
    found = staff_client.get(url, {"q": typed}).content.decode()
    assert plate.code in found and other.code not in found
    by_name = staff_client.get(url, {"q": "den ky cung"}).content.decode()
    assert other.code in by_name and plate.code not in by_name


def test_the_plate_page_previews_the_qr_code_which_reads_back(staff_client, plate, settings):
    settings.PUBLIC_BASE_URL = "https://qr.langson.gov.vn"
    page = staff_client.get(reverse("admin:qrplates_plate_change", args=[plate.pk]))
    html = page.content.decode()
    svg = re.search(r"<svg .*?</svg>", html).group()
    assert decode_svg(svg.encode()).text == f"HTTPS://QR.LANGSON.GOV.VN/Q/{plate.code}"
    png = staff_client.get(reverse("admin:qrplates_plate_qr", args=[plate.pk, "png"]))
    assert png["Content-Type"] == "image/png"
    assert f'filename="plate-{plate.code}.png"' in png["Content-Disposition"]
    assert decode_png(png.content).text == rendering.payload(plate.code)
    downloaded = staff_client.get(reverse("admin:qrplates_plate_qr", args=[plate.pk, "svg"]))
    assert decode_svg(downloaded.content).text == rendering.payload(plate.code)


def test_the_code_cannot_be_edited_and_a_plate_cannot_be_deleted(staff_client, plate):
    page = staff_client.get(reverse("admin:qrplates_plate_change", args=[plate.pk]))
    assert 'name="code"' not in page.content.decode()
    delete = staff_client.get(reverse("admin:qrplates_plate_delete", args=[plate.pk]))
    assert delete.status_code == 403
    assert Plate.objects.filter(pk=plate.pk).exists()


def plate_form(admin_form_data, plate, **values) -> tuple[str, dict]:
    url = reverse("admin:qrplates_plate_change", args=[plate.pk])
    base = {
        "place": plate.place_id or "",
        "person": plate.person_id or "",
        "label": plate.label,
        "notes": plate.notes,
    }
    base.update(values)
    return url, admin_form_data(url, base)


def test_the_next_step_is_recorded_from_the_plates_history(
    staff_client, admin_form_data, plate, staff
):
    plate_transition(plate=plate, status=S.ARTWORK_APPROVED)
    plate_transition(plate=plate, status=S.PRINTED)
    url, data = plate_form(admin_form_data, plate)
    data.update(
        {
            "events-TOTAL_FORMS": "4",
            "events-3-on": timezone.localdate().isoformat(),
            "events-3-to_status": S.INSTALLED,
            "events-3-done_by": "Đội lắp đặt",
            "events-3-lat": "21.8537",
            "events-3-lon": "106.7615",
            "events-3-notes": "Cột đèn số 3",
        }
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    plate.refresh_from_db()
    assert plate.status == S.INSTALLED
    step = plate.events.last()
    assert (step.done_by, step.lat, step.recorded_by) == ("Đội lắp đặt", 21.8537, staff)


def test_a_wrong_step_is_explained_and_nothing_is_saved(staff_client, admin_form_data, plate):
    url, data = plate_form(admin_form_data, plate, label="Nhãn mới")
    data.update(
        {
            "events-TOTAL_FORMS": "2",
            "events-1-on": timezone.localdate().isoformat(),
            "events-1-to_status": S.ARTWORK_APPROVED,
        }
    )
    Street.objects.filter(pk=plate.place_id).update(status=Status.DRAFT)
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "Hãy xuất bản bản ghi trước" in response.content.decode()
    plate.refresh_from_db()
    assert plate.status == S.PLANNED and plate.label == "Đầu phố"


def test_only_the_possible_next_steps_are_offered(staff_client, plate):
    page = staff_client.get(reverse("admin:qrplates_plate_change", args=[plate.pk]))
    template = re.search(
        r'<select name="events-__prefix__-to_status".*?</select>', page.content.decode(), re.S
    ).group()
    assert 'value="approved"' in template and 'value="retired"' in template
    assert 'value="installed"' not in template and 'value="printed"' not in template


def test_a_damaged_plate_replaced_from_its_history_mints_the_replacement(
    staff_client, admin_form_data, plate
):
    for step, extra in [
        (S.ARTWORK_APPROVED, {}),
        (S.PRINTED, {}),
        (S.INSTALLED, {"lat": 21.85, "lon": 106.76}),
        (S.DAMAGED, {}),
    ]:
        plate_transition(plate=plate, status=step, **extra)
    url, data = plate_form(admin_form_data, plate)
    data.update(
        {
            "events-TOTAL_FORMS": "6",
            "events-5-on": timezone.localdate().isoformat(),
            "events-5-to_status": S.REPLACED,
        }
    )
    response = staff_client.post(url, data, follow=True)
    replacement = Plate.objects.get(replaces=plate)
    assert replacement.code in response.content.decode()
    assert Plate.objects.get(pk=plate.pk).status == S.REPLACED


def test_changing_what_a_plate_leads_to_keeps_the_code_and_records_it(
    staff_client, admin_form_data, plate, relic
):
    url, data = plate_form(admin_form_data, plate, place=relic.pk)
    assert staff_client.post(url, data).status_code == 302
    plate.refresh_from_db()
    assert plate.place_id == relic.pk and plate.events.count() == 2
    assert "Đền Kỳ Cùng" in plate.events.last().notes


def test_a_plate_is_minted_from_the_add_page(staff_client, admin_form_data, person):
    url = reverse("admin:qrplates_plate_add")
    values = {"place": "", "person": person.pk, "label": "Nhà tưởng niệm", "notes": ""}
    response = staff_client.post(url, admin_form_data(url, values))
    assert response.status_code == 302
    plate = Plate.objects.get()
    assert plate.person == person and len(plate.code) == 7 and plate.events.count() == 1


def test_a_plate_needs_exactly_one_record(staff_client, admin_form_data, person, street):
    url = reverse("admin:qrplates_plate_add")
    both = {"place": street.pk, "person": person.pk, "label": "", "notes": ""}
    response = staff_client.post(url, admin_form_data(url, both))
    assert "Chọn một địa điểm hoặc một nhân vật" in response.content.decode()
    assert not Plate.objects.exists()


def test_bulk_steps_apply_where_allowed_and_explain_the_rest(staff_client, street, relic):
    ready, early = plate_mint(target=street), plate_mint(target=relic)
    plate_transition(plate=ready, status=S.ARTWORK_APPROVED)
    response = staff_client.post(
        reverse("admin:qrplates_plate_changelist"),
        {"action": "mark_printed", "_selected_action": [ready.pk, early.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert Plate.objects.get(pk=ready.pk).status == S.PRINTED
    assert Plate.objects.get(pk=early.pk).status == S.PLANNED
    assert f"{early.code}: " in page


def test_the_plate_list_sums_up_the_lead_times(staff_client, plate):
    plate_transition(plate=plate, status=S.ARTWORK_APPROVED)
    page = staff_client.get(reverse("admin:qrplates_plate_changelist")).content.decode()
    assert "Thời gian thu thập nội dung, tính bằng ngày: trung bình 0" in page
    assert "(số biển được tính: 1)" in page


def test_a_record_can_be_merged_into_another_but_not_into_itself(
    staff_client, admin_form_data, street
):
    url = change_url(street)
    values = {
        "name_vi": street.name_vi,
        "name_en": street.name_en,
        "slug": street.slug,
        "status": Status.WITHDRAWN,
        "street_type": "pho",
        "summary_vi": street.summary_vi,
        "summary_en": street.summary_en,
        "body_vi": street.body_vi,
        "body_en": street.body_en,
        "lat": street.lat,
        "lon": street.lon,
        "unit": street.unit_id or "",
        "merged_into": street.pk,
    }
    refused = staff_client.post(url, admin_form_data(url, values))
    assert "Không thể gộp một bản ghi vào chính nó" in refused.content.decode()
    survivor = Street.objects.create(name_vi="Phố Giữ Lại", status=Status.PUBLISHED)
    values["merged_into"] = survivor.pk
    still_published = dict(values, status=Status.PUBLISHED)
    # Merging is one step: a record left "published" is withdrawn as it is merged.
    assert staff_client.post(url, admin_form_data(url, still_published)).status_code == 302
    merged = Street.objects.get(pk=street.pk)
    assert merged.status == Status.WITHDRAWN and merged.survivor().pk == survivor.pk
