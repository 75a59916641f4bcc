"""The steering committee's dashboard: figures per commune and for the province, from a few
aggregate queries, with a chart and a CSV of every table."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from lib import languages
from qrplates.models import Plate, PlateScanDay
from qrplates.services import plate_mint, plate_transition
from sites.models import ProblemReport, Street
from workflow import dashboard

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
    assert len(queries) <= 10


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


def dashboard_csv(client) -> str:
    return client.get(reverse("dashboard"), {"csv": "records"}).content.decode("utf-8-sig")
