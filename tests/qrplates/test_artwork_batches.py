"""Print batches: staff put plates into a batch and send it; the print shop downloads one ZIP
(through its own account, or a signed link that expires) and marks the batch printed; and
`export_artwork` writes the same artwork for scripted print runs."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from qrplates import batches, rendering, services
from qrplates.models import Plate, PrintBatch
from tests.qrplates.decoding import decode_artwork


def approve(plates: list[Plate]) -> None:
    for plate in plates:
        services.plate_transition(plate=plate, status=Plate.Status.ARTWORK_APPROVED)


def zip_of(response) -> zipfile.ZipFile:
    assert response.streaming
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def manifest(archive: zipfile.ZipFile) -> list[dict]:
    name = next(n for n in archive.namelist() if n.endswith("/manifest.csv"))
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_staff_put_selected_plates_into_a_new_batch_from_the_plate_list(demo_plates, staff_client):
    chosen = demo_plates[:3]
    response = staff_client.post(
        reverse("admin:qrplates_plate_changelist"),
        {
            "action": "put_into_batch",
            "_selected_action": [p.pk for p in chosen],
            "batch": "",
            "name": "Đợt in tháng 11",
            "apply": "1",
        },
        follow=True,
    )

    batch = PrintBatch.objects.get(name="Đợt in tháng 11")
    assert set(batch.plates.all()) == set(chosen)
    assert batch.status == PrintBatch.Status.DRAFT
    assert "3" in response.content.decode()


def test_a_batch_refuses_retired_plates_and_adds_nothing(demo_plates):
    good, retired = demo_plates[:2]
    services.plate_transition(plate=retired, status=Plate.Status.RETIRED)
    batch = PrintBatch.objects.create(name="B")

    with pytest.raises(ValidationError, match=retired.code):
        batches.batch_add_plates(batch=batch, plates=[good, retired])

    assert batch.plates.count() == 0


def test_a_plate_whose_name_cannot_fit_is_refused_with_the_reason(demo_plates):
    plate = next(p for p in demo_plates if p.place and p.place.kind == "street")
    plate.place.name_vi = " ".join(["Nguyễn Thị Minh Khai"] * 8)
    plate.place.save()
    batch = PrintBatch.objects.create(name="B")

    with pytest.raises(ValidationError) as refused:
        batches.batch_add_plates(batch=batch, plates=[plate])

    assert plate.code in refused.value.messages[1]
    assert "không vừa mẫu biển" in refused.value.messages[1]


def test_only_approved_artwork_goes_to_the_print_shop(demo_plates, printer):
    batch = batches.batch_create(name="B", plates=demo_plates[:2])
    approve(demo_plates[:1])

    with pytest.raises(ValidationError, match=demo_plates[1].code):
        batches.batch_send(batch=batch, printer=printer)

    batch.refresh_from_db()
    assert batch.status == PrintBatch.Status.DRAFT


def test_the_batch_zip_holds_every_plates_files_sheets_and_manifest(sent_batch, staff_client):
    response = staff_client.get(reverse("admin:qrplates_printbatch_download", args=[sent_batch.pk]))

    assert response["Content-Type"] == "application/zip"
    assert f'filename="{sent_batch.folder_name}.zip"' in response["Content-Disposition"]
    archive = zip_of(response)
    names = archive.namelist()
    plates = list(sent_batch.plates.order_by("code"))
    for plate in plates:
        for fmt in ("pdf", "svg", "png"):
            assert f"{sent_batch.folder_name}/{fmt}/{plate.code}.{fmt}" in names
    assert any("/sheets/" in name for name in names)
    rows = manifest(archive)
    assert [row["code"] for row in rows] == [plate.code for plate in plates]
    first = plates[0]
    assert rows[0]["url"] == rendering.payload(first.code)
    assert rows[0]["name_vi"] == first.place.name_vi
    assert rows[0]["status"] == str(Plate.Status.ARTWORK_APPROVED.label)
    assert rows[0]["mounting_height_m"] and rows[0]["reading_distance_m"]
    pdf = archive.read(f"{sent_batch.folder_name}/pdf/{first.code}.pdf")
    assert decode_artwork(pdf, "application/pdf") == [rendering.payload(first.code)]


def test_a_print_shop_sees_only_its_own_batches_and_nothing_else(
    sent_batch, printer_client, staff, demo_plates
):
    other = batches.batch_create(name="Someone else's", plates=demo_plates[5:6], by=staff)

    index = printer_client.get(reverse("admin:index")).content.decode()
    listing = printer_client.get(reverse("admin:qrplates_printbatch_changelist"))

    assert reverse("admin:qrplates_printbatch_changelist") in index
    assert reverse("admin:qrplates_plate_changelist") not in index
    assert reverse("admin:sites_street_changelist") not in index
    assert sent_batch.name in listing.content.decode()
    assert other.name not in listing.content.decode()
    assert printer_client.get(reverse("admin:qrplates_plate_changelist")).status_code == 403
    assert printer_client.get(reverse("admin:sites_street_changelist")).status_code == 403
    hidden = printer_client.get(reverse("admin:qrplates_printbatch_change", args=[other.pk]))
    assert hidden.status_code in {302, 403, 404}
    forbidden = printer_client.get(reverse("admin:qrplates_printbatch_download", args=[other.pk]))
    assert forbidden.status_code == 403
    plate_artwork = reverse("admin:qrplates_plate_artwork", args=[demo_plates[0].pk, "pdf"])
    assert printer_client.get(plate_artwork).status_code in {403, 404}


def test_the_print_shop_downloads_its_batch_and_marks_it_printed(sent_batch, printer_client):
    page = printer_client.get(reverse("admin:qrplates_printbatch_change", args=[sent_batch.pk]))
    download = printer_client.get(
        reverse("admin:qrplates_printbatch_download", args=[sent_batch.pk])
    )
    marked = printer_client.post(
        reverse("admin:qrplates_printbatch_printed", args=[sent_batch.pk]), follow=True
    )

    assert page.status_code == 200
    text = page.content.decode()
    assert "Đánh dấu đã in" in text
    assert "một phần mười khoảng cách quét" in text  # the QR sizing rule, stated
    assert len(zip_of(download).namelist()) > 12
    assert marked.status_code == 200
    sent_batch.refresh_from_db()
    assert sent_batch.status == PrintBatch.Status.PRINTED
    for plate in sent_batch.plates.all():
        assert plate.status == Plate.Status.PRINTED
        assert plate.events.last().done_by == "In Lạng Sơn"


def test_a_print_shop_cannot_change_a_batch(sent_batch, printer_client):
    url = reverse("admin:qrplates_printbatch_change", args=[sent_batch.pk])

    printer_client.post(url, {"name": "Renamed"})
    sent = printer_client.post(reverse("admin:qrplates_printbatch_send", args=[sent_batch.pk]))
    relink = printer_client.post(
        reverse("admin:qrplates_printbatch_new_link", args=[sent_batch.pk])
    )

    sent_batch.refresh_from_db()
    assert sent_batch.name == "Tam Thanh, tháng 11"
    assert sent.status_code == 403 and relink.status_code == 403


def test_a_signed_link_downloads_the_batch_without_an_account(sent_batch, client):
    url = reverse("qrplates:batch-download", args=[batches.download_token(sent_batch)])

    response = client.get(url)

    assert response.status_code == 200
    assert len(zip_of(response).namelist()) > 12


def test_a_forged_expired_or_withdrawn_link_gets_a_page_in_both_languages(
    sent_batch, client, monkeypatch
):
    token = batches.download_token(sent_batch)
    forged = client.get(reverse("qrplates:batch-download", args=[token[:-2] + "xx"]))
    assert forged.status_code == 404
    assert "Liên kết tải xuống này không còn dùng được" in forged.content.decode()
    assert "This download link no longer works" in forged.content.decode()

    later = batches.LINK_LIFETIME.total_seconds() + 60
    real_time = batches.signing.time.time
    monkeypatch.setattr(batches.signing.time, "time", lambda: real_time() + later)
    assert client.get(reverse("qrplates:batch-download", args=[token])).status_code == 404
    monkeypatch.undo()

    assert client.get(reverse("qrplates:batch-download", args=[token])).status_code == 200
    batches.batch_revoke_links(batch=sent_batch)
    assert client.get(reverse("qrplates:batch-download", args=[token])).status_code == 404


def test_the_plate_page_offers_its_artwork_and_states_the_sizing_rule(demo_plates, staff_client):
    plate = demo_plates[0]

    page = staff_client.get(reverse("admin:qrplates_plate_change", args=[plate.pk]))
    pdf = staff_client.get(reverse("admin:qrplates_plate_artwork", args=[plate.pk, "pdf"]))

    text = page.content.decode()
    assert reverse("admin:qrplates_plate_artwork", args=[plate.pk, "svg"]) in text
    assert "một phần mười khoảng cách quét" in text
    assert pdf["Content-Type"] == "application/pdf"
    assert decode_artwork(pdf.content, "application/pdf") == [rendering.payload(plate.code)]


def test_export_artwork_writes_one_file_per_plate_and_a_manifest(demo_plates, tmp_path):
    chosen = demo_plates[:2]

    call_command(
        "export_artwork",
        chosen[0].code.lower(),
        chosen[1].code,
        "--format",
        "svg",
        "--out",
        str(tmp_path),
        stdout=io.StringIO(),
    )

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{p.code}.svg" for p in chosen] + ["manifest.csv"]
    )
    rows = list(csv.DictReader(io.StringIO((tmp_path / "manifest.csv").read_text("utf-8-sig"))))
    assert [row["code"] for row in rows] == sorted(p.code for p in chosen)
    svg = (tmp_path / f"{chosen[0].code}.svg").read_bytes()
    assert decode_artwork(svg, "image/svg+xml") == [rendering.payload(chosen[0].code)]


def test_export_artwork_takes_a_batch_or_every_plate_in_service(demo_plates, tmp_path):
    batch = batches.batch_create(name="B", plates=demo_plates[:2])
    services.plate_transition(plate=demo_plates[-1], status=Plate.Status.RETIRED)

    call_command(
        "export_artwork",
        "--batch",
        str(batch.pk),
        "--format",
        "pdf",
        "--template",
        "heritage",
        "--out",
        str(tmp_path / "batch"),
        stdout=io.StringIO(),
    )
    call_command(
        "export_artwork",
        "--format",
        "png",
        "--dpi",
        "72",
        "--out",
        str(tmp_path / "all"),
        stdout=io.StringIO(),
    )

    assert len(list((tmp_path / "batch").glob("*.pdf"))) == 2
    rows = list(
        csv.DictReader(io.StringIO((tmp_path / "batch" / "manifest.csv").read_text("utf-8-sig")))
    )
    assert {row["template"] for row in rows} == {"heritage"}
    exported = {p.stem for p in (tmp_path / "all").glob("*.png")}
    assert exported == {p.code for p in demo_plates[:-1]}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["NOTACODE!"], "Not plate codes"),
        (["--template", "billboard"], "billboard"),
        (["--batch", "999"], "999"),
        (["--dpi", "5000"], "dpi"),
    ],
)
def test_export_artwork_refuses_bad_input_and_writes_nothing(
    demo_plates, tmp_path, arguments, message
):
    with pytest.raises(CommandError, match=message):
        call_command(
            "export_artwork", *arguments, "--format", "png", "--out", str(tmp_path / "out")
        )

    assert not (tmp_path / "out").exists()


def test_export_artwork_refuses_an_unknown_code(demo_plates, tmp_path):
    code = demo_plates[0].code
    unknown = code[:-2] + ("0" if code[-2] != "0" else "1") + code[-1]

    with pytest.raises(CommandError):
        call_command(
            "export_artwork", code, unknown, "--format", "svg", "--out", str(tmp_path / "o")
        )

    assert not (tmp_path / "o").exists()


def test_staff_create_a_batch_on_its_own_page_and_retired_plates_are_refused(
    demo_plates, staff_client
):
    good, retired = demo_plates[:2]
    services.plate_transition(plate=retired, status=Plate.Status.RETIRED)
    url = reverse("admin:qrplates_printbatch_add")
    values = {
        "name": "Đợt in mới",
        "template": "",
        "error_correction": "H",
        "png_dpi": "300",
        "sheet": "A1",
        "notes": "",
    }

    refused = staff_client.post(url, {**values, "plates": [good.pk, retired.pk]})
    created = staff_client.post(url, {**values, "plates": [good.pk]})

    assert refused.status_code == 200
    assert retired.code in refused.content.decode()
    assert created.status_code == 302
    assert list(PrintBatch.objects.get().plates.all()) == [good]


def test_the_artwork_encodes_the_payload_exactly_as_the_plates_own_qr(demo_plates, settings):
    from qrplates.artwork import layout_plate

    plate = demo_plates[0]
    for case in ("upper", "hybrid", "lower"):
        settings.QR_PAYLOAD_CASE = case
        data = batches.plate_data(plate)
        scene = layout_plate(data, batches.plate_template(data.kind))

        assert data.payload == rendering.payload(plate.code)
        assert scene.qr.version == rendering.qr_version(data.payload)


def test_a_plate_artwork_request_for_an_unknown_template_says_why(demo_plates, staff_client):
    plate = demo_plates[0]
    url = reverse("admin:qrplates_plate_artwork", args=[plate.pk, "pdf"])

    response = staff_client.get(url, {"template": "billboard"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("admin:qrplates_plate_change", args=[plate.pk])
    assert "billboard" in response.content.decode()
