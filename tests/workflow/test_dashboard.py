"""The steering committee's dashboard: figures per commune and for the province, from a few
aggregate queries, with a chart and a CSV of every table."""

import csv
import datetime
import io
import shutil
import subprocess
import unicodedata

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from lib import languages
from qrplates.models import Plate, PlateScanDay
from qrplates.services import plate_mint, plate_transition
from sites.models import AdminUnit, Place, ProblemReport, Status, Street
from workflow import dashboard
from workflow.models import Plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(own_street, other_relic, tam_thanh):
    Street.objects.create(name_vi="Phố Không Tiếng Anh", unit=tam_thanh, lat=21.85, lon=106.75)
    plate = plate_mint(target=own_street)
    plate_transition(plate=plate, status=Plate.Status.ARTWORK_APPROVED)
    plate_transition(plate=plate, status=Plate.Status.PRINTED)
    plate_transition(plate=plate, status=Plate.Status.INSTALLED, lat=21.85, lon=106.75)
    plate_mint(target=own_street)
    today = timezone.localdate()
    PlateScanDay.objects.create(plate=plate, day=today, count=7)
    PlateScanDay.objects.create(plate=plate, day=today - datetime.timedelta(days=7), count=3)
    ProblemReport.objects.create(place=other_relic, kind="damaged")
    return plate


def test_figures_per_commune_and_for_the_province(activity, tam_thanh, ky_lua):
    board = dashboard.build_dashboard()
    rows = {r.name: r for r in board.units}
    tam = rows[tam_thanh.name]
    assert tam.kinds == {"street": 2} and tam.coordinates == 1
    assert tam.translated == {"en": 1, "zh-hans": 0}
    assert tam.share(tam.translated["en"]) == 50
    assert tam.installed == 1 and tam.planned == 2 and tam.installed_share == 50
    assert tam.scans == 10
    assert rows[ky_lua.name].open_reports == 1 and rows[ky_lua.name].kinds == {"relic": 1}
    assert board.province.records == 3 and board.province.open_reports == 1
    assert [n for _week, n in board.weeks][-2:] == [3, 7]


def test_the_queries_do_not_grow_with_the_number_of_units(activity):
    with CaptureQueriesContext(connection) as queries:
        dashboard.build_dashboard()
    assert len(queries) <= 12  # one per table, plus the plan and this month's scans


def test_the_chart_bars_scale_to_the_tallest():
    bars = dashboard.bar_chart([("a", 5), ("b", 10), ("c", 0)], width=300, height=100)
    assert [b.height for b in bars] == [50.0, 100.0, 0.0]
    assert bars[1].y == 0 and bars[2].y == 100
    assert bars[0].x < bars[1].x < bars[2].x
    assert dashboard.bar_chart([]) == []


def test_the_page_and_every_csv(reviewer_client, activity, tam_thanh):
    page = reviewer_client.get(reverse("dashboard"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "Phường Tam Thanh" in html
    for name in ("records", "plates", "activity", "weeks"):
        response = reviewer_client.get(reverse("dashboard"), {"csv": name})
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert len(rows) > 1
    records = reviewer_client.get(reverse("dashboard"), {"csv": "records"})
    rows = list(csv.reader(io.StringIO(records.content.decode("utf-8-sig"))))
    tam = next(r for r in rows if r[0] == tam_thanh.name)
    assert tam[1:5] == ["2", "0", "0", "2"]


def test_a_unit_name_that_looks_like_a_formula_is_text_in_the_csv(
    reviewer_client, activity, tam_thanh
):
    tam_thanh.name = '=HYPERLINK("http://lua-dao.example","Tam Thanh")'
    tam_thanh.save()
    response = reviewer_client.get(reverse("dashboard"), {"csv": "records"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert '\'=HYPERLINK("http://lua-dao.example","Tam Thanh")' in [row[0] for row in rows]
    assert not [row for row in rows if row[0].startswith("=")]


def test_only_the_committee_and_reviewers_see_it(editor_client, django_user_model):
    from tests.workflow.conftest import client_for, make_user

    assert editor_client.get(reverse("dashboard")).status_code == 302
    committee = client_for(make_user(django_user_model, "bandieuhanh", "Steering committee"))
    assert committee.get(reverse("dashboard")).status_code == 200
    assert committee.get(reverse("admin:sites_street_changelist")).status_code == 403


def test_a_column_for_each_language_content_is_translated_into(reviewer_client, activity):
    """The registry's languages, not a hard-coded English: the admin speaks Vietnamese, so the
    column and the people's line name the language in Vietnamese."""
    html = reviewer_client.get(reverse("dashboard")).content.decode()
    for code in languages.translations():
        with translation.override("vi"):
            name = translation.get_language_info(code)["name_translated"]
        assert f"{name}: đã có (%)" in html
        assert f"{name}: 0 người." in html
    header = next(csv.reader(io.StringIO(dashboard_csv(reviewer_client))))
    assert len(header) == 5 + len(languages.translations()) + 2


def dashboard_csv(client, name: str = "records", **query) -> str:
    return client.get(reverse("dashboard"), {"csv": name, **query}).content.decode("utf-8-sig")


# The plan on the dashboard (issue 16): the current phase first, a map, a burn-up, the tables
# only where something happens, every figure as CSV and XLSX, the quarterly report as a PDF.


@pytest.fixture
def plan(own_street, tam_thanh):
    today = timezone.localdate()
    plan = Plan.objects.create(title="Kế hoạch gắn biển thử", is_example=True)
    phase = plan.phases.create(
        name="Giai đoạn phố Tam Thanh",
        kinds=[Place.Kind.STREET],
        starts_on=today - datetime.timedelta(days=40),
        gather_by=today - datetime.timedelta(days=5),
        print_by=today + datetime.timedelta(days=10),
        attach_by=today + datetime.timedelta(days=30),
    )
    phase.units.set([tam_thanh])
    return plan


def test_withdrawn_and_merged_records_count_nowhere(activity, tam_thanh, own_street):
    Street.objects.create(
        name_vi="Phố Đã Rút", unit=tam_thanh, status=Status.WITHDRAWN, lat=21.85, lon=106.75
    )
    merged = Street.objects.create(name_vi="Phố Trùng", unit=tam_thanh, status=Status.WITHDRAWN)
    Street.objects.filter(pk=merged.pk).update(merged_into=own_street)
    plate_mint(target=merged)
    rows = {r.name: r for r in dashboard.build_dashboard().units}
    assert rows[tam_thanh.name].kinds == {"street": 2}
    assert rows[tam_thanh.name].planned == 2


def test_only_units_with_records_or_activity_and_all_one_click_away(
    reviewer_client, activity, tam_thanh
):
    board = dashboard.build_dashboard()
    assert {r.name for r in board.units} >= {tam_thanh.name}
    assert all(r.active for r in board.units)
    everything = dashboard.build_dashboard(show_all=True)
    communes = AdminUnit.objects.communes().count()
    assert len([r for r in everything.units if r.name != "Không có xã, phường"]) == communes
    assert len(board.units) + board.hidden_units == communes
    page = reviewer_client.get(reverse("dashboard")).content.decode()
    assert f"Không hiển thị {board.hidden_units} xã, phường" in page and "all=1" in page
    rows = list(csv.reader(io.StringIO(dashboard_csv(reviewer_client, "records", all="1"))))
    assert len(rows) == 1 + communes + 1


def test_no_heading_repeats_in_a_table(reviewer_client, activity, plan):
    for _title, header, _rows in dashboard.tables(dashboard.build_dashboard()).values():
        assert len(header) == len(set(header)), header


def test_the_first_screen_shows_the_phase_against_its_targets(reviewer_client, activity, plan):
    html = reviewer_client.get(reverse("dashboard")).content.decode()
    assert "Ví dụ: không phải kế hoạch đã ban hành" in html
    assert "Giai đoạn phố Tam Thanh" in html
    assert "Đã thu thập thông tin" in html and "Đã in biển" in html and "Đã gắn biển" in html
    # The test street is published with both texts but nobody reviewed them: not gathered.
    assert "trễ 5 ngày" in html and "còn 30 ngày" in html
    assert "Lượt quét tháng này" in html and "Phản ánh chưa xử lý" in html
    assert 'class="progress-map"' in html and "<polyline" in html
    assert "style=" not in html.split('id="content-main"')[1]


def test_every_figure_downloads_as_csv_and_xlsx(reviewer_client, activity, plan):
    board = dashboard.build_dashboard()
    names = dashboard.tables(board)
    assert {"stages", "phase-units", "late", "burn-up", "records", "plates"} <= set(names)
    for name, (_title, header, _rows) in names.items():
        text = dashboard_csv(reviewer_client, name)
        assert next(csv.reader(io.StringIO(text))) == [str(h) for h in header]
        response = reviewer_client.get(reverse("dashboard"), {"xlsx": name})
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert [cell.value for cell in sheet[1]] == [str(h) for h in header]
    assert reviewer_client.get(reverse("dashboard"), {"xlsx": "nope"}).status_code == 404


def test_a_formula_like_name_is_text_in_the_xlsx(reviewer_client, activity, tam_thanh):
    tam_thanh.name = "=1+1"
    tam_thanh.save()
    response = reviewer_client.get(reverse("dashboard"), {"xlsx": "records"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert "'=1+1" in names


def test_the_queries_stay_few_with_a_plan(activity, plan):
    with CaptureQueriesContext(connection) as queries:
        dashboard.build_dashboard()
    assert len(queries) <= 20


def test_the_quarterly_report_is_a_pdf_in_vietnamese_or_english(
    reviewer_client, activity, plan, tmp_path
):
    response = reviewer_client.get(reverse("dashboard-report"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    english = reviewer_client.get(reverse("dashboard-report"), {"lang": "en"})
    assert english.status_code == 200 and english.content != response.content
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) missing")
    for content, expected in (
        (response.content, ["Báo cáo quý gửi Ban chỉ đạo", "Phố Tam Thanh Thử", "trễ 5 ngày"]),
        (english.content, ["Quarterly report to the steering committee", "5 days late"]),
    ):
        pdf = tmp_path / "report.pdf"
        pdf.write_bytes(content)
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        for phrase in expected:
            assert phrase in unicodedata.normalize("NFC", text), phrase
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts and all(" yes " in row for row in fonts), fonts


def test_the_report_is_the_committees_and_reviewers(editor_client, django_user_model, plan):
    from tests.workflow.conftest import client_for, make_user

    assert editor_client.get(reverse("dashboard-report")).status_code == 302
    committee = client_for(make_user(django_user_model, "bandieuhanh", "Steering committee"))
    assert committee.get(reverse("dashboard-report")).status_code == 200
