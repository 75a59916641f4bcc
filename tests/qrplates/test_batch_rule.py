"""A plate of a withdrawn or unapproved (unpublished) record cannot enter a print batch, by any
door: the plate list's action, the batch's own page, the `export_artwork` command; a batch
holding one is not sent. A record withdrawn after its plate went in: the batch's page warns, the
built ZIP leaves the plate out and its manifest says why. The manifest and each PDF's slug line
say where a plate hangs, and flag plates of one record that say nothing of it."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from qrplates import batches, services
from qrplates.models import BatchFile, Plate, PrintBatch
from qrplates.services import plate_mint
from sites.models import Relic, Status, Street

pytestmark = pytest.mark.django_db

ACTION_URL = "admin:qrplates_plate_changelist"
BATCH_VALUES = {
    "template": "",
    "error_correction": "H",
    "png_dpi": "72",
    "sheet": "A1",
    "notes": "",
}


def withdraw(record) -> None:
    record.status = Status.WITHDRAWN
    record.save()


@pytest.fixture
def draft_street(db) -> Street:
    return Street.objects.create(name_vi="Phố Bản Nháp", status=Status.REVIEW)


@pytest.fixture
def good(street) -> Plate:
    return plate_mint(target=street, label="Đầu phố phía bắc")


@pytest.fixture
def withdrawn_plate(relic) -> Plate:
    plate = plate_mint(target=relic, label="Cổng chính")
    withdraw(relic)
    return plate


@pytest.fixture
def draft_plate(draft_street) -> Plate:
    return plate_mint(target=draft_street)


def page_messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def put_into_batch(client, plates, **choice) -> object:
    return client.post(
        reverse(ACTION_URL),
        {
            "action": "put_into_batch",
            "_selected_action": [p.pk for p in plates],
            "apply": "1",
            **choice,
        },
        follow=True,
    )


def test_the_plate_lists_action_refuses_plates_of_withdrawn_and_unapproved_records(
    staff_client, good, withdrawn_plate, draft_plate
):
    response = put_into_batch(
        staff_client, [good, withdrawn_plate, draft_plate], batch="", name="Đợt tháng 12"
    )

    said = page_messages(response)
    assert "Chưa lưu gì: 2 trong 3 biển không thể đưa đi in." in said
    assert f"Biển {withdrawn_plate.code} dẫn tới “Đền Kỳ Cùng”, hồ sơ này đã gỡ." in said
    assert f"Biển {draft_plate.code} dẫn tới “Phố Bản Nháp”, hồ sơ này chưa được duyệt" in said
    assert "(đang duyệt)" in said
    assert good.code not in said
    # Nothing partial: no batch, not even the good plate in one.
    assert not PrintBatch.objects.exists()


def test_the_action_adds_nothing_to_an_existing_batch_when_one_plate_is_refused(
    staff_client, good, withdrawn_plate
):
    batch = PrintBatch.objects.create(name="Đợt có sẵn")

    put_into_batch(staff_client, [good, withdrawn_plate], batch=str(batch.pk))

    assert batch.plates.count() == 0
    put_into_batch(staff_client, [good], batch=str(batch.pk))
    assert list(batch.plates.all()) == [good]


def test_a_plate_of_a_record_merged_into_a_published_one_may_be_printed(street, relic, staff):
    plate = plate_mint(target=relic)
    relic.merged_into = Relic.objects.create(name_vi="Đền Mới", status=Status.PUBLISHED)
    relic.check_merge()  # choosing "merged into" withdraws the record
    relic.save()
    assert relic.status == Status.WITHDRAWN

    batch = batches.batch_create(name="Gộp", plates=[plate], by=staff)

    assert list(batch.plates.all()) == [plate]


def test_the_batch_page_refuses_them_and_creates_nothing(
    staff_client, good, withdrawn_plate, draft_plate
):
    url = reverse("admin:qrplates_printbatch_add")
    values = {**BATCH_VALUES, "name": "Đợt trên trang"}

    refused = staff_client.post(url, {**values, "plates": [good.pk, withdrawn_plate.pk]})

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Chưa lưu gì: 1 trong 2 biển không thể đưa đi in." in page
    assert f"Biển {withdrawn_plate.code} dẫn tới “Đền Kỳ Cùng”, hồ sơ này đã gỡ." in page
    assert not PrintBatch.objects.exists()


def test_a_batch_page_refuses_a_new_plate_but_keeps_one_whose_record_was_withdrawn_since(
    staff_client, staff, good, street, draft_plate
):
    batch = batches.batch_create(name="Đợt sửa", plates=[good], by=staff)
    withdraw(street)
    url = reverse("admin:qrplates_printbatch_change", args=[batch.pk])
    values = {**BATCH_VALUES, "name": "Đợt sửa", "printer": ""}

    added = staff_client.post(url, {**values, "plates": [good.pk, draft_plate.pk]})
    renamed = staff_client.post(url, {**values, "name": "Đợt sửa tên", "plates": [good.pk]})

    assert added.status_code == 200 and draft_plate.code in added.content.decode()
    assert renamed.status_code == 302
    batch.refresh_from_db()
    assert batch.name == "Đợt sửa tên" and list(batch.plates.all()) == [good]
    # The page warns of the plate whose record went, and sending is refused.
    page = staff_client.get(url).content.decode()
    assert "Hãy xem lại các biển sau trước khi đợt in được in" in page
    assert f"Biển {good.code} dẫn tới “Phố Tông Đản”, hồ sơ này đã gỡ." in page


def test_a_batch_whose_record_was_withdrawn_since_is_not_sent(staff, good, street, printer):
    batch = batches.batch_create(name="Đợt gửi", plates=[good], by=staff)
    services.plate_transition(plate=good, status=Plate.Status.ARTWORK_APPROVED)
    withdraw(street)

    with pytest.raises(ValidationError) as refused:
        batches.batch_send(batch=batch, printer=printer)

    assert refused.value.messages[0] == "Đợt in chưa được gửi: hãy bỏ các biển sau ra trước."
    assert good.code in refused.value.messages[1]
    batch.refresh_from_db()
    assert batch.status == PrintBatch.Status.DRAFT


def test_export_artwork_refuses_a_named_plate_of_a_withdrawn_record_and_writes_nothing(
    good, withdrawn_plate, tmp_path
):
    with pytest.raises(CommandError, match=withdrawn_plate.code):
        call_command(
            "export_artwork",
            good.code,
            withdrawn_plate.code,
            "--format",
            "svg",
            "--out",
            str(tmp_path / "out"),
        )

    assert not (tmp_path / "out").exists()


def test_export_artwork_of_every_plate_leaves_out_unpublished_records(
    good, withdrawn_plate, draft_plate, tmp_path
):
    out = io.StringIO()
    call_command("export_artwork", "--format", "svg", "--out", str(tmp_path), stdout=out)

    assert {p.stem for p in tmp_path.glob("*.svg")} == {good.code}
    assert "2 plates in service left out" in out.getvalue()


# A record withdrawn after its plate went into a sent batch: the ZIP and its manifest.


def manifest_rows(archive: zipfile.ZipFile) -> dict[str, dict]:
    name = next(n for n in archive.namelist() if n.endswith("/manifest.csv"))
    rows = csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig")))
    return {row["code"]: row for row in rows}


@pytest.fixture
def sent(staff, printer, street, relic) -> PrintBatch:
    plates = [
        plate_mint(target=street, label="Đầu đường thứ nhất"),
        plate_mint(target=street, label="Đầu đường thứ hai"),
        plate_mint(target=relic),
        plate_mint(target=relic),
    ]
    for plate in plates:
        services.plate_transition(plate=plate, status=Plate.Status.ARTWORK_APPROVED)
    batch = batches.batch_create(name="Đợt kiểm tra", plates=plates, by=staff)
    batch.png_dpi = 72
    batch.save(update_fields=["png_dpi"])
    return batches.batch_send(batch=batch, printer=printer)


def test_a_record_withdrawn_after_sending_is_left_out_and_flagged_in_the_manifest(
    sent, street, staff_client
):
    first_end, second_end = sent.plates.filter(place=street).order_by("label")
    withdraw(street)
    page_url = reverse("admin:qrplates_printbatch_change", args=[sent.pk])
    page = staff_client.get(page_url).content.decode()
    assert f"Biển {first_end.code} dẫn tới “Phố Tông Đản”, hồ sơ này đã gỡ." in page

    response = staff_client.get(reverse("admin:qrplates_printbatch_download", args=[sent.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))

    rows = manifest_rows(archive)
    assert len(rows) == 4
    for plate in (first_end, second_end):
        row = rows[plate.code]
        assert row["problem"] == (
            f"Đã bỏ ra, không in: Biển {plate.code} dẫn tới “Phố Tông Đản”, hồ sơ này đã gỡ."
        )
        assert row["files"] == ""
        assert not any(plate.code in name for name in archive.namelist())
    sheets = [n for n in archive.namelist() if "/sheets/" in n]
    assert sheets  # the relic's plates are still imposed
    # The build says so too, on the batch's page.
    state = BatchFile.objects.get(batch=sent)
    assert len(state.flagged_lines) == 4  # two withdrawn, two with no position
    page = staff_client.get(page_url).content.decode()
    assert "Bảng kê của tệp ghi 4 biển ở cột vấn đề:" in page


def test_the_print_shop_marks_printed_only_what_the_zip_held(sent, street, printer):
    withdraw(street)

    skipped = batches.batch_mark_printed(batch=sent, by=printer)

    left_out = sent.plates.filter(place=street).values_list("code", flat=True)
    assert sorted(skipped) == sorted(left_out)
    assert set(sent.plates.filter(place__kind="relic").values_list("status", flat=True)) == {
        Plate.Status.PRINTED
    }


def test_the_manifest_says_where_each_plate_hangs_and_flags_two_with_no_position(
    sent, staff_client
):
    response = staff_client.get(reverse("admin:qrplates_printbatch_download", args=[sent.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    rows = manifest_rows(archive)

    street_rows = [r for r in rows.values() if r["kind"] == "street"]
    relic_rows = [r for r in rows.values() if r["kind"] == "relic"]
    assert sorted(r["position"] for r in street_rows) == ["Đầu đường thứ hai", "Đầu đường thứ nhất"]
    assert all(r["problem"] == "" for r in street_rows)
    for row in relic_rows:
        assert row["position"] == ""
        assert row["problem"].startswith(
            f"{row['code']}: 2 biển của cùng một hồ sơ (“Đền Kỳ Cùng”) không ghi vị trí"
        )
        assert row["files"]  # a warning, not a refusal: the plate is printed


def test_labelling_one_of_two_plates_is_enough_to_tell_them_apart(relic, staff):
    first, second = plate_mint(target=relic), plate_mint(target=relic)
    batch = batches.batch_create(name="Một nhãn", plates=[first, second], by=staff)
    assert len(batches.batch_problems(batch)) == 2

    first.label = "Cổng chính"
    first.save()

    assert batches.batch_problems(batch) == []


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_the_pdf_slug_line_says_where_the_plate_hangs_with_its_diacritics(good, staff_client):
    response = staff_client.get(
        reverse("admin:qrplates_plate_artwork", args=[good.pk, "pdf"]), HTTP_ACCEPT_LANGUAGE="vi"
    )
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()

    assert "Phố Tông Đản · vị trí treo: Đầu phố phía bắc" in text
