"""A print run as files and as a streamed ZIP: each plate's formats, the imposed sheets and a
manifest a print shop can open in a spreadsheet."""

from __future__ import annotations

import csv
import dataclasses
import io
import zipfile

from qrplates.artwork import SHEETS
from qrplates.artwork.archive import BatchItem, batch_files, stream_zip
from qrplates.artwork.templates import HERITAGE, STREET
from tests.qrplates.decoding import decode_artwork
from tests.qrplates.test_artwork import AI_CHI_LANG, BASE, HOANG_VAN_THU, NHI_THANH


def street_plates(count: int) -> list[BatchItem]:
    return [
        BatchItem(
            dataclasses.replace(HOANG_VAN_THU, code=f"7KQ4M{n:02d}", payload=f"{BASE}7KQ4M{n:02d}"),
            STREET,
            "Artwork approved",
        )
        for n in range(count)
    ]


def read_zip(chunks) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(chunks)))


def manifest(archive: zipfile.ZipFile, root: str) -> list[dict]:
    text = archive.read(f"{root}/manifest.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_a_batch_zip_holds_every_plates_files_the_sheets_and_a_manifest():
    items = [
        *street_plates(2),
        BatchItem(AI_CHI_LANG, HERITAGE, "Artwork approved"),
        BatchItem(NHI_THANH, HERITAGE, "Printed"),
    ]

    files = batch_files(items, dpi=72, sheet=SHEETS["A1"], title="Batch 3")
    archive = read_zip(stream_zip(files, root="batch-3"))

    names = set(archive.namelist())
    for item in items:
        for fmt in ("pdf", "svg", "png"):
            assert f"batch-3/{fmt}/{item.plate.code}.{fmt}" in names
    assert "batch-3/sheets/street-A1-001.pdf" in names
    assert "batch-3/sheets/heritage-A1-001.pdf" in names
    assert archive.testzip() is None
    pdf = archive.read(f"batch-3/pdf/{AI_CHI_LANG.code}.pdf")
    assert decode_artwork(pdf, "application/pdf") == [AI_CHI_LANG.payload]
    sheet = archive.read("batch-3/sheets/heritage-A1-001.pdf")
    assert sorted(decode_artwork(sheet, "application/pdf", dpi=50)) == sorted(
        [AI_CHI_LANG.payload, NHI_THANH.payload]
    )


def test_the_manifest_lists_each_plate_with_its_size_mounting_and_status():
    items = [BatchItem(AI_CHI_LANG, HERITAGE, "Artwork approved"), *street_plates(1)]

    archive = read_zip(stream_zip(batch_files(items, formats=["svg"]), root="b"))
    rows = manifest(archive, "b")

    assert [row["code"] for row in rows] == [AI_CHI_LANG.code, "7KQ4M00"]
    relic = rows[0]
    assert relic["url"] == AI_CHI_LANG.payload
    assert (relic["name_vi"], relic["name_en"], relic["unit"]) == (
        "Ải Chi Lăng",
        "Chi Lăng Pass",
        "Xã Chi Lăng",
    )
    assert (relic["template"], relic["width_mm"], relic["height_mm"]) == ("heritage", "297", "420")
    assert relic["template_label"] == "Bảng tại di tích hoặc danh lam thắng cảnh"
    assert (relic["mounting_height_m"], relic["reading_distance_m"]) == ("1,2–1,5", "0,5–1,8")
    assert (relic["qr_size_mm"], relic["qr_version"], relic["error_correction"]) == (
        "180",
        "3",
        "H",
    )
    assert relic["status"] == "Artwork approved"
    assert relic["files"] == f"svg/{AI_CHI_LANG.code}.svg"
    assert rows[1]["mounting_height_m"] == "1,2–1,6"


def test_a_name_that_looks_like_a_formula_is_text_in_the_manifest():
    """The print shop opens manifest.csv in a spreadsheet: a name must not run there."""
    plate = dataclasses.replace(
        HOANG_VAN_THU, name_vi="=cmd|' /C calc'!A0", name_en="-Tổ 5", unit_name="@SUM(1)"
    )
    archive = read_zip(stream_zip(batch_files([BatchItem(plate, STREET, "")], formats=[]), "b"))
    row = manifest(archive, "b")[0]
    assert (row["name_vi"], row["name_en"], row["unit"]) == (
        "'=cmd|' /C calc'!A0",
        "'-Tổ 5",
        "'@SUM(1)",
    )


def test_a_plate_that_cannot_be_printed_is_reported_and_the_rest_still_come():
    too_long = dataclasses.replace(HOANG_VAN_THU, name_vi=" ".join(["Nguyễn Thị Minh Khai"] * 8))
    items = [BatchItem(too_long, STREET, "Planned"), *street_plates(1)]

    archive = read_zip(stream_zip(batch_files(items, formats=["pdf"]), root="b"))
    rows = manifest(archive, "b")

    assert "b/pdf/7KQ4M00.pdf" in archive.namelist()
    assert f"b/pdf/{too_long.code}.pdf" not in archive.namelist()
    assert rows[0]["files"] == ""
    assert "không vừa mẫu biển" in rows[0]["problem"]


def test_sheet_files_are_split_so_a_huge_batch_never_builds_one_huge_pdf():
    files = batch_files(
        street_plates(5), formats=[], sheet=SHEETS["A2"], title="Big", sheet_file_plates=2
    )

    names = [file.path for file in files]

    assert names == [
        "sheets/street-A2-001.pdf",
        "sheets/street-A2-002.pdf",
        "sheets/street-A2-003.pdf",
        "manifest.csv",
    ]


def test_the_zip_is_produced_a_file_at_a_time():
    chunks = list(stream_zip(batch_files(street_plates(3), formats=["pdf", "svg"]), root="b"))

    # One chunk per file (6 plate files and the manifest) plus the central directory: no chunk
    # holds the archive, which is what lets the download start before the last plate is drawn.
    assert len(chunks) == 8
    assert max(len(chunk) for chunk in chunks) < sum(len(chunk) for chunk in chunks) / 3
    assert read_zip(chunks).testzip() is None
