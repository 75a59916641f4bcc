"""Plate artwork: every format scans to exactly the plate's address, prints at its true size with
its fonts embedded, and refuses, with a reason, what would not scan.

None of these tests may touch the database (pytest-django refuses it without the `db` fixture):
that is the renderer's promise to be a pure function."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image
from reportlab.lib.units import mm

from qrplates.artwork import (
    FORMATS,
    SHEETS,
    ArtworkError,
    PlateData,
    get_template,
    layout_plate,
    render_plate,
    render_sheet,
)
from qrplates.artwork.layout import QrSymbol, TextRun
from qrplates.artwork.templates import HERITAGE, STREET, Colour, Palette
from qrplates.artwork.text import group_code
from tests.qrplates.decoding import decode_artwork, pdf_text, raster

BASE = "HTTPS://QR.LANGSON.GOV.VN/Q/"

AI_CHI_LANG = PlateData(
    code="H3RT9ZB",
    payload=BASE + "H3RT9ZB",
    name_vi="Ải Chi Lăng",
    name_en="Chi Lăng Pass",
    unit_name="Xã Chi Lăng",
    kind="relic",
)
HOANG_VAN_THU = PlateData(
    code="7KQ4M2X",
    payload=BASE + "7KQ4M2X",
    name_vi="Đường Hoàng Văn Thụ",
    name_en="Hoang Van Thu Street",
    unit_name="Phường Lương Văn Tri",
    kind="street",
)
NHI_THANH = PlateData(
    code="N2TH4ND",
    payload=BASE + "N2TH4ND",
    name_vi="Động Nhị Thanh",
    name_en="Nhị Thanh Cave",
    unit_name="Phường Tam Thanh",
    kind="scenic",
)
PLATES = [AI_CHI_LANG, HOANG_VAN_THU, NHI_THANH]
SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("plate", PLATES, ids=lambda plate: plate.code)
def test_every_format_decodes_to_exactly_the_plates_address(plate, fmt):
    artwork = render_plate(plate, fmt=fmt, dpi=150)

    assert artwork.filename == f"{plate.code}.{fmt}"
    assert artwork.mime == FORMATS[fmt]
    assert decode_artwork(artwork.content, artwork.mime) == [plate.payload]


def test_the_error_correction_is_h_unless_chosen_otherwise():
    import zxingcpp

    default = render_plate(HOANG_VAN_THU, fmt="png", dpi=100)
    chosen = render_plate(HOANG_VAN_THU, fmt="png", dpi=100, error_correction="M")

    assert [
        r.ec_level for r in zxingcpp.read_barcodes(raster(default.content, "image/png")[0])
    ] == ["H"]
    assert [r.ec_level for r in zxingcpp.read_barcodes(raster(chosen.content, "image/png")[0])] == [
        "M"
    ]


def test_the_pdf_is_cut_to_the_templates_exact_size_with_3_mm_bleed():
    for plate, template in ((HOANG_VAN_THU, STREET), (AI_CHI_LANG, HERITAGE)):
        page = pypdfium2.PdfDocument(render_plate(plate, fmt="pdf").content)[0]
        trim = page.get_trimbox()
        bleed = page.get_bleedbox()
        media = page.get_mediabox()

        assert (trim[2] - trim[0]) / mm == pytest.approx(template.width_mm, abs=0.01)
        assert (trim[3] - trim[1]) / mm == pytest.approx(template.height_mm, abs=0.01)
        # Left, bottom, right, top: 3 mm of bleed on every side, then room for crop marks.
        for side, outward in enumerate((-1, -1, 1, 1)):
            assert (bleed[side] - trim[side]) * outward / mm == pytest.approx(3, abs=0.01)
            assert (media[side] - bleed[side]) * outward > 5 * mm


def test_the_background_runs_into_the_bleed_and_crop_marks_sit_outside_it():
    artwork = render_plate(HOANG_VAN_THU, fmt="pdf")
    page = pypdfium2.PdfDocument(artwork.content)[0]
    image = page.render(scale=4).to_pil().convert("RGB")
    left, top = page.get_trimbox()[0], page.get_trimbox()[3]
    height = page.get_mediabox()[3]

    def pixel(x_pt: float, y_pt: float) -> tuple[int, int, int]:
        return image.getpixel((round(x_pt * 4), round((height - y_pt) * 4)))

    blue = STREET.palette.background.rgb_tuple
    inside_bleed = pixel(left - 1.5 * mm, top + 1.5 * mm)
    assert max(abs(a - b) for a, b in zip(inside_bleed, blue, strict=True)) < 40
    # The crop mark (a hairline) on the top trim line, to the left of the bleed.
    assert min(max(pixel(left - 6 * mm, top + d / 8)) for d in range(-2, 3)) < 200
    # Nothing is drawn in the slug corner diagonally outside the bleed.
    assert pixel(left - 6 * mm, top + 6 * mm) == (255, 255, 255)


def test_every_font_in_the_pdf_is_embedded():
    content = render_plate(AI_CHI_LANG, fmt="pdf").content
    document = pypdfium2.PdfDocument(content)
    fonts = set()
    for page in document:
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
            font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
            buffer = (pdfium_c.c_char * 200)()
            pdfium_c.FPDFFont_GetBaseFontName(font, buffer, 200)
            fonts.add((buffer.value.decode(), bool(pdfium_c.FPDFFont_GetIsEmbedded(font))))

    assert {name.split("+")[-1] for name, _embedded in fonts} == {
        "BeVietnamPro-Bold",
        "BeVietnamPro-Regular",
    }
    assert all(embedded for _name, embedded in fonts)


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="pdffonts (poppler-utils) missing")
def test_pdffonts_lists_no_font_left_unembedded(tmp_path):
    path = tmp_path / "plate.pdf"
    path.write_bytes(render_plate(HOANG_VAN_THU, fmt="pdf").content)
    sheet = tmp_path / "sheet.pdf"
    sheet.write_bytes(
        render_sheet(PLATES[1:2] * 3, template=STREET, sheet=SHEETS["A3"], title="Batch 1")
    )

    for pdf in (path, sheet):
        listing = subprocess.run(
            ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
        ).stdout
        rows = [line.split() for line in listing.splitlines()[2:]]
        assert rows, listing
        # Columns from the right: object ID (2), uni, sub, emb.
        assert all(row[-5] == "yes" for row in rows), listing
        assert not any("Helvetica" in row[0] or "Times" in row[0] for row in rows), listing


def test_the_pdf_text_carries_both_languages_with_correct_diacritics():
    text = pdf_text(render_plate(AI_CHI_LANG, fmt="pdf").content)

    assert "Ải Chi Lăng" in text
    assert "Chi Lăng Pass" in text
    assert "Xã Chi Lăng" in text
    assert "Quét mã để xem thông tin" in text
    assert "Scan for history and information" in text
    assert "Streetinfo Lạng Sơn" in text
    assert "H3RT 9ZB" in text
    assert "DI TÍCH LỊCH SỬ · HISTORIC RELIC" in text
    assert unicodedata.is_normalized("NFC", text)


def test_the_street_plate_prints_the_name_in_capitals_like_a_nameplate():
    text = pdf_text(render_plate(HOANG_VAN_THU, fmt="pdf").content)

    assert "ĐƯỜNG HOÀNG" in text and "VĂN THỤ" in text
    assert "Hoang Van Thu Street" in text


def test_decomposed_text_is_normalised_before_it_is_drawn():
    decomposed = unicodedata.normalize("NFD", "Động Nhị Thanh")
    plate = dataclasses.replace(NHI_THANH, name_vi=decomposed)

    text = pdf_text(render_plate(plate, fmt="pdf").content)
    svg = render_plate(plate, fmt="svg").content.decode()

    assert "Động Nhị Thanh" in text
    assert 'aria-label="Động Nhị Thanh"' in svg
    assert decomposed not in svg


def test_the_svg_is_pure_vectors_at_the_plates_size():
    svg = ET.fromstring(render_plate(AI_CHI_LANG, fmt="svg").content)

    assert svg.get("width") == "297mm" and svg.get("height") == "420mm"
    tags = {element.tag.removeprefix(SVG) for element in svg.iter()}
    assert tags == {"svg", "title", "desc", "rect", "path", "g"}
    assert "Ải Chi Lăng" in svg.find(f"{SVG}title").text
    assert {g.get("aria-label") for g in svg.iter(f"{SVG}g")} >= {
        "Ải Chi Lăng",
        "Chi Lăng Pass",
        "Quét mã để xem thông tin",
        "Scan for history and information",
    }


def test_the_png_has_the_chosen_resolution_and_the_true_size():
    for dpi in (300, 150):
        image = Image.open(io.BytesIO(render_plate(HOANG_VAN_THU, fmt="png", dpi=dpi).content))

        assert image.size == (round(320 / 25.4 * dpi), round(170 / 25.4 * dpi))
        # PNG stores pixels per metre, a whole number: 300 dpi reads back as 299.9994.
        assert image.info["dpi"] == pytest.approx((dpi, dpi), abs=0.05)

    default = Image.open(io.BytesIO(render_plate(HOANG_VAN_THU, fmt="png").content))
    assert default.info["dpi"] == pytest.approx((300, 300), abs=0.05)


def test_a_resolution_outside_the_printable_range_is_refused():
    with pytest.raises(ArtworkError, match="72"):
        render_plate(HOANG_VAN_THU, fmt="png", dpi=20)


def test_each_download_states_its_mounting_height_and_reading_distance():
    pdf = pdf_text(render_plate(HOANG_VAN_THU, fmt="pdf").content)
    svg = ET.fromstring(render_plate(HOANG_VAN_THU, fmt="svg").content)
    png = Image.open(io.BytesIO(render_plate(HOANG_VAN_THU, fmt="png", dpi=100).content))
    english = render_plate(HOANG_VAN_THU, fmt="svg", language="en").content.decode()

    statement = "Gắn cách mặt đất 1,2–1,6 m; quét từ khoảng cách 0,5–1 m"
    assert statement in pdf
    assert statement in svg.find(f"{SVG}desc").text
    assert statement in png.text["Description"]
    assert "Mount 1.2–1.6 m above the ground; read from 0.5–1 m" in english


def test_the_qr_sits_dark_on_white_with_a_quiet_zone_of_four_modules():
    dpi = 200
    scene = layout_plate(HOANG_VAN_THU, STREET)
    symbol = next(item for item in scene.items if isinstance(item, QrSymbol))
    image = raster(render_plate(HOANG_VAN_THU, fmt="png", dpi=dpi).content, "image/png")[0]
    scale = dpi / 25.4
    quiet = 4 * symbol.module_mm
    size = len(symbol.matrix) * symbol.module_mm

    # Every pixel of the 4-module ring around the symbol is white (a pixel in from each edge).
    left, top = (symbol.x - quiet) * scale + 1, (symbol.y - quiet) * scale + 1
    right, bottom = (symbol.x + size + quiet) * scale - 1, (symbol.y + size + quiet) * scale - 1
    ring = [
        image.getpixel((round(x), round(y)))
        for x in range(round(left), round(right))
        for y in range(round(top), round(bottom))
        if not (
            symbol.x * scale - 1 <= x <= (symbol.x + size) * scale + 1
            and symbol.y * scale - 1 <= y <= (symbol.y + size) * scale + 1
        )
    ][::7]
    assert set(ring) == {(255, 255, 255)}
    # The finder pattern's corner module is black.
    corner = (round((symbol.x + 0.5 * symbol.module_mm) * scale),) * 1 + (
        round((symbol.y + 0.5 * symbol.module_mm) * scale),
    )
    assert image.getpixel(corner) == (0, 0, 0)


def test_a_qr_narrower_than_a_tenth_of_the_reading_distance_is_refused():
    template = dataclasses.replace(STREET, qr_size_mm=80, reading_distance_m=(0.5, 1.0))

    with pytest.raises(ArtworkError) as refused:
        render_plate(HOANG_VAN_THU, fmt="pdf", template=template)

    message = str(refused.value)
    assert "100 mm" in message and "80 mm" in message and "1 m" in message


def test_a_module_below_the_printable_minimum_is_refused_with_the_numbers():
    template = dataclasses.replace(
        STREET, qr_size_mm=25, reading_distance_m=(0.2, 0.25), min_module_mm=1.0
    )

    with pytest.raises(ArtworkError) as refused:
        render_plate(HOANG_VAN_THU, fmt="svg", template=template, language="en")

    message = str(refused.value)
    assert "29×29 modules" in message and "version 3" in message
    assert "0.86 mm" in message and "minimum of 1 mm" in message


def test_without_a_fixed_width_the_qr_is_sized_from_the_reading_distance():
    template = dataclasses.replace(HERITAGE, qr_size_mm=None, reading_distance_m=(0.5, 1.8))

    scene = layout_plate(AI_CHI_LANG, template)

    assert scene.qr.size_mm == 180
    assert scene.qr.version == 3 and scene.qr.module_mm == pytest.approx(180 / 29)


@pytest.mark.parametrize(
    ("panel", "qr"),
    [
        (Colour("#000000"), Colour("#FFFFFF")),  # inverted
        (Colour("#0B4EA2"), Colour("#000000")),  # printed straight onto the blue
        (Colour("#FFFFFF"), Colour("#9A9A9A")),  # faded grey
    ],
)
def test_a_template_whose_qr_would_not_scan_is_refused(panel, qr):
    palette = dataclasses.replace(STREET.palette, panel=panel, qr=qr)

    with pytest.raises(ArtworkError):
        dataclasses.replace(STREET, palette=palette)


def test_colours_and_proportions_are_configurable():
    green = Colour("#1B5E20", (0.79, 0, 0.79, 0.63))
    palette = Palette(
        background=green,
        text=Colour("#FFFFFF"),
        secondary_text=Colour("#FFFFFF"),
        border=Colour("#FFFFFF"),
    )
    template = dataclasses.replace(STREET, palette=palette, width_mm=360, height_mm=180)

    artwork = render_plate(HOANG_VAN_THU, fmt="png", template=template, dpi=100)
    image = raster(artwork.content, "image/png")[0]

    assert image.size == (round(360 / 25.4 * 100), round(180 / 25.4 * 100))
    assert image.getpixel((5, image.height // 2)) == green.rgb_tuple
    assert decode_artwork(artwork.content, artwork.mime) == [HOANG_VAN_THU.payload]


def test_a_long_name_wraps_and_shrinks_but_stays_inside_the_plate():
    plate = dataclasses.replace(HOANG_VAN_THU, name_vi="Đường Hoàng Văn Thụ và Nguyễn Thái Học")

    scene = layout_plate(plate, STREET)

    runs = [item for item in scene.items if isinstance(item, TextRun)]
    largest = max(run.size_mm for run in runs)
    name = [run for run in runs if run.size_mm == largest]
    assert " ".join(run.text for run in name) == "ĐƯỜNG HOÀNG VĂN THỤ VÀ NGUYỄN THÁI HỌC"
    assert len({run.baseline for run in name}) == 2
    assert STREET.text.name_vi * STREET.text.min_scale <= largest < STREET.text.name_vi
    for run in runs:
        assert run.x >= STREET.margin_mm
        assert run.baseline < STREET.height_mm - STREET.margin_mm
    assert decode_artwork(render_plate(plate, fmt="svg").content, "image/svg+xml") == [
        plate.payload
    ]


def test_a_name_breaks_where_its_lines_are_most_even():
    scene = layout_plate(HOANG_VAN_THU, STREET)

    largest = max(item.size_mm for item in scene.items if isinstance(item, TextRun))
    lines = [i.text for i in scene.items if isinstance(i, TextRun) and i.size_mm == largest]

    assert lines == ["ĐƯỜNG HOÀNG", "VĂN THỤ"]


@pytest.mark.parametrize("name", ["a " * 99 + "a", "Đường " * 33, "X" * 200])
def test_a_hostile_name_is_refused_not_wrapped_forever(name):
    for template in (STREET, HERITAGE):
        with pytest.raises(ArtworkError):
            layout_plate(dataclasses.replace(AI_CHI_LANG, name_vi=name), template)


def test_a_name_too_long_for_the_template_is_refused_with_a_reason():
    plate = dataclasses.replace(HOANG_VAN_THU, name_vi=" ".join(["Nguyễn Thị Minh Khai"] * 8))

    with pytest.raises(ArtworkError, match="Nguyễn Thị Minh Khai"):
        render_plate(plate, fmt="pdf", language="en")


def test_a_character_the_font_cannot_draw_is_refused_rather_than_printed_as_a_box():
    plate = dataclasses.replace(AI_CHI_LANG, name_en="Chi Lăng Pass 🏯")

    with pytest.raises(ArtworkError, match="🏯"):
        render_plate(plate, fmt="png")


def test_hostile_text_stays_text_in_the_svg():
    plate = dataclasses.replace(AI_CHI_LANG, name_en='</title><script>alert("x")</script> & co')

    svg = render_plate(plate, fmt="svg").content

    tree = ET.fromstring(svg)
    assert not list(tree.iter(f"{SVG}script"))
    assert any(
        g.get("aria-label") == '</title><script>alert("x")</script> & co'
        for g in tree.iter(f"{SVG}g")
    )


def test_an_unknown_format_or_template_is_refused():
    with pytest.raises(ArtworkError, match="docx"):
        render_plate(AI_CHI_LANG, fmt="docx")
    with pytest.raises(ArtworkError, match="street, heritage"):
        get_template("billboard")


@pytest.mark.parametrize(
    ("code", "grouped"),
    [
        ("7KQ4M2X", "7KQ4 M2X"),
        ("7KQ4M2XW", "7KQ4 M2XW"),
        ("7KQ4M2XWC", "7KQ 4M2 XWC"),
        ("AB", "AB"),
    ],
)
def test_the_code_is_printed_in_even_groups_for_typing(code, grouped):
    assert group_code(code) == grouped


def test_an_imposed_sheet_carries_every_plate_each_with_crop_marks():
    plates = [
        dataclasses.replace(HOANG_VAN_THU, code=f"7KQ4M2{c}", payload=f"{BASE}7KQ4M2{c}")
        for c in "ABCDE"
    ]

    content = render_sheet(plates, template=STREET, sheet=SHEETS["A2"], title="Batch 7")

    document = pypdfium2.PdfDocument(content)
    assert len(document) == 2  # three street plates fit on an A2 sheet
    found = decode_artwork(content, "application/pdf", dpi=100)
    assert sorted(found) == sorted(p.payload for p in plates)
    assert "7KQ4 M2E" in pdf_text(content)


def test_a_sheet_too_small_for_the_plate_is_refused():
    with pytest.raises(ArtworkError, match="A3"):
        render_sheet([AI_CHI_LANG], template=HERITAGE, sheet=SHEETS["A3"], title="x")
