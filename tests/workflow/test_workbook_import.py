"""A workbook of several sheets (people, streets, relics, scenic spots, links, sources) imported
at once: each sheet known by its name, a link naming a person of the same workbook, errors naming
sheet, row and column, all or nothing across sheets, and the sample workbook importing as it is
downloaded, with nothing to delete."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sites.models import Person, PersonLink, Relic, ScenicSpot, Source, Status, Street
from workflow import imports

pytestmark = pytest.mark.django_db

PEOPLE = (
    "Nhân vật",
    ["external_id", "name_vi", "name_en", "birth_year", "death_year", "role_vi"],
    [
        ["p:nv1", "Nhân Vật Nhập Một", "Imported Person One", "1890", "1950", "Nhà giáo"],
        ["p:nv2", "Nhân Vật Nhập Hai", "", "", "", ""],
    ],
)
RELICS = (
    "Di tích",
    ["external_id", "name_vi", "summary_vi", "unit", "ranking"],
    [["r:dt1", "Đền Nhập Một", "Tóm tắt đền.", "05986", "Cấp tỉnh"]],
)
STREETS = (
    "Đường phố",
    ["external_id", "name_vi", "unit", "street_type", "named_after"],
    [["s:ph1", "Phố Nhập Một", "Phường Tam Thanh", "Phố", "p:nv1"]],
)
SCENIC = (
    "Danh lam thắng cảnh",
    ["external_id", "name_vi", "unit"],
    [["c:dt1", "Động Nhập Một", "05986"]],
)
LINKS = (
    "Liên kết",
    ["person", "place", "role", "year_from", "note_vi"],
    [
        ["p:nv1", "r:dt1", "built_restored", "1920", "Trùng tu đền."],
        ["p:nv2", "r:dt1", "Sinh ra tại đây", "", ""],
    ],
)
SOURCES = (
    "Nguồn",
    ["place", "person", "title", "url", "citable"],
    [
        ["r:dt1", "", "Hồ sơ di tích Đền Nhập Một", "https://example.org/ho-so", ""],
        ["", "p:nv1", "Tiểu sử Nhân Vật Nhập Một", "", "không"],
    ],
)


def workbook(*sheets, name="hoso.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def import_url(model="relic") -> str:
    return reverse(f"admin:sites_{model}_import")


def preview(client, upload, model="relic"):
    return client.post(import_url(model), {"file": upload})


def confirm(client, response, model="relic"):
    token = response.context.get("pending")
    assert token, [(r.number, r.errors) for r in response.context["report"].error_rows]
    return client.post(import_url(model), {"pending": token}, follow=True)


def test_one_workbook_imports_people_places_links_and_sources_naming_each_other(
    reviewer_client,
):
    # Sheets in any order: people are imported first, so the street and the links find them.
    upload = workbook(SOURCES, LINKS, STREETS, SCENIC, RELICS, PEOPLE)
    shown = preview(reviewer_client, upload)
    report = shown.context["report"]
    assert [sheet.name for sheet in report.sheets] == [
        "Nhân vật",
        "Đường phố",
        "Di tích",
        "Danh lam thắng cảnh",
        "Liên kết",
        "Nguồn",
    ]
    assert {row.action for row in report.rows} == {"new"}
    page = shown.content.decode()
    assert "Trang tính “Liên kết”" in page and "2 mới" in page
    # The preview keeps nothing, even the rows a later sheet needed.
    assert not Person.objects.exists() and not PersonLink.objects.exists()

    confirm(reviewer_client, shown)
    one = Person.objects.get(external_id="p:nv1")
    relic = Relic.objects.get(external_id="r:dt1")
    assert Street.objects.get(external_id="s:ph1").named_after == one
    link = PersonLink.objects.get(person=one, place=relic)
    assert link.role == "built_restored" and link.year_from == 1920
    assert link.note_vi == "Trùng tu đền." and link.history.first().history_user.username
    assert PersonLink.objects.get(person__external_id="p:nv2").role == "born_here"
    assert relic.sources.get().url == "https://example.org/ho-so" and relic.sources.get().citable
    assert one.sources.get().citable is False
    assert relic.status == Status.DRAFT
    assert ScenicSpot.objects.get(external_id="c:dt1").unit.code == "05986"

    # The same workbook again changes nothing; an edited link is updated in place.
    again = preview(reviewer_client, workbook(PEOPLE, RELICS, STREETS, LINKS, SOURCES))
    assert {row.action for row in again.context["report"].rows} == {"skip"}
    edited = (LINKS[0], LINKS[1], [[*LINKS[2][0][:3], "1921", "Trùng tu lần hai."]])
    shown = preview(reviewer_client, workbook(PEOPLE, RELICS, edited))
    assert [r.action for r in shown.context["report"].sheets[-1].rows] == ["update"]
    confirm(reviewer_client, shown)
    link.refresh_from_db()
    assert link.year_from == 1921 and PersonLink.objects.count() == 2


def test_a_link_can_name_places_and_people_already_in_the_portal_by_their_page_address(
    reviewer_client, own_street, other_relic
):
    person = Person.objects.create(name_vi="Nhân Vật Có Sẵn")
    rows = [
        [person.slug, f"https://streetinfo.example/vi/relics/{other_relic.slug}/", "discovered"],
        [f"/vi/people/{person.slug}/", f"streets/{own_street.slug}", "lived_worked"],
    ]
    shown = preview(reviewer_client, workbook(("Liên kết", ["person", "place", "role"], rows)))
    confirm(reviewer_client, shown)
    assert set(PersonLink.objects.values_list("place", "role")) == {
        (other_relic.pk, "discovered"),
        (own_street.pk, "lived_worked"),
    }


def test_a_broken_row_in_any_sheet_means_nothing_is_saved_and_names_sheet_row_and_column(
    reviewer_client,
):
    bad_links = (
        "Liên kết",
        LINKS[1],
        [
            LINKS[2][0],
            ["p:khong-co", "r:dt1", "born_here", "", ""],
            ["", "r:dt1", "born_here", "", ""],
        ],
    )
    bad_people = ("Nhân vật", PEOPLE[1], [*PEOPLE[2], ["p:nv3", "Nhân Vật Ba", "", "năm", "", ""]])
    bad_sources = ("Nguồn", SOURCES[1], [["r:dt1", "p:nv1", "Hai chủ", "", ""]])
    shown = preview(reviewer_client, workbook(bad_people, RELICS, bad_links, bad_sources))
    report = shown.context["report"]
    assert not report.ok and "pending" not in shown.context
    errors = {
        (sheet.name, row.number, error.column)
        for sheet in report.sheets
        for row in sheet.rows
        for error in row.errors
    }
    assert errors == {
        ("Nhân vật", 4, "birth_year"),
        ("Liên kết", 3, "person"),
        ("Liên kết", 4, "person"),
        ("Nguồn", 2, "place"),
    }
    page = shown.content.decode()
    assert "Trang tính “Liên kết”, dòng 3, cột “person”" in page
    assert "Không có nhân vật “p:khong-co”" in page
    assert "Trang tính “Nhân vật”, dòng 4, cột “birth_year”" in page
    assert not Person.objects.exists() and not Relic.objects.exists()

    # Written as a task does it: the confirmation of a broken file saves nothing either.
    sheets = imports.read_sheets(workbook(bad_people, RELICS).read(), "x.xlsx", Relic)
    done = imports.workbook_import(sheets=sheets, user=shown.wsgi_request.user, dry_run=False)
    assert not done.saved and not Person.objects.exists() and not Relic.objects.exists()


def test_an_editor_links_and_cites_only_on_the_places_of_their_communes(
    editor_client, own_street, other_relic
):
    person = Person.objects.create(name_vi="Nhân Vật Chung", status=Status.PUBLISHED)
    row = [person.slug, other_relic.slug, "born_here"]
    theirs = ("Liên kết", ["person", "place", "role"], [row])
    shown = preview(editor_client, workbook(theirs), "street")
    [row] = shown.context["report"].rows
    assert [e.column for e in row.errors] == ["place"]
    assert not PersonLink.objects.exists()

    # On their own published street: saved, and the street goes back to review.
    own = ("Nguồn", ["place", "title"], [[own_street.slug, "Sổ địa bạ phường"]])
    confirm(editor_client, preview(editor_client, workbook(own), "street"), "street")
    own_street.refresh_from_db()
    assert own_street.sources.get().title == "Sổ địa bạ phường"
    assert own_street.status == Status.REVIEW


def test_a_csv_file_is_one_kind_known_by_its_columns(reviewer_client, own_street):
    Person.objects.create(name_vi="Người Được Nhắc", external_id="p:x")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["person", "place", "role", "year_from"])
    writer.writerow(["p:x", own_street.slug, "lived_worked", "1930"])
    upload = SimpleUploadedFile("lienket.csv", out.getvalue().encode("utf-8-sig"))
    confirm(reviewer_client, preview(reviewer_client, upload, "person"), "person")
    assert PersonLink.objects.get().year_from == 1930


def test_a_sheet_of_an_unknown_name_is_refused_by_name(reviewer_client):
    upload = workbook(PEOPLE, ("Trang tính 1", ["a"], [["b"]]))
    response = preview(reviewer_client, upload)
    assert "“Trang tính 1”" in response.context["file_error"]
    assert not Person.objects.exists()


def test_the_sample_workbook_has_named_sheets_help_and_no_row_to_delete_and_imports_as_is(
    reviewer_client,
):
    sample = reviewer_client.get(reverse("admin:sites_relic_import_template", args=["xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(sample.content))
    assert book.sheetnames == [
        "Hướng dẫn",
        "Nhân vật",
        "Đường phố",
        "Di tích",
        "Danh lam thắng cảnh",
        "Liên kết",
        "Nguồn",
    ]
    for name in book.sheetnames[1:]:
        sheet = book[name]
        assert sheet.max_row == 1, f"{name} has a row to delete"
        assert all(cell.comment and cell.comment.text for cell in sheet[1])
    relics = book["Di tích"]
    assert [c.value for c in relics[1]] == list(imports.RelicResource().fields)
    ranking = next(c for c in relics[1] if c.value == "ranking")
    assert "Cấp tỉnh" in ranking.comment.text  # the allowed values, in Vietnamese
    guide = [[c.value for c in row] for row in book["Hướng dẫn"].iter_rows()]
    role = next(row for row in guide if row[:2] == ["Liên kết", "role"])
    assert "sinh ra tại đây" in role[3].lower() and role[4]  # what to write, and an example
    assert any(row[4] == "tamthanh:relic:001" for row in guide)  # examples live here

    shown = preview(reviewer_client, SimpleUploadedFile("mau.xlsx", sample.content))
    assert shown.context["report"].ok and not shown.context["report"].rows
    done = confirm(reviewer_client, shown)
    assert "0 mới, 0 cập nhật, 0 không đổi" in done.content.decode()
    assert not Person.objects.exists() and not Relic.objects.exists()
    assert not Source.objects.exists() and not PersonLink.objects.exists()

    csv_sample = reviewer_client.get(reverse("admin:sites_person_import_template", args=["csv"]))
    lines = csv_sample.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 and lines[0].startswith("external_id,name_vi")


def test_the_errors_are_in_the_importers_language(reviewer_client):
    reviewer_client.cookies["lang"] = "en"
    links = ("Liên kết", ["person", "place", "role"], [["p:nobody", "r:nowhere", "born_here"]])
    page = preview(reviewer_client, workbook(links)).content.decode()
    assert "Sheet “Liên kết”, row 2, column “person” (person): No person “p:nobody”" in page
    assert "No place “r:nowhere”" in page
