"""A public problem report reaches whoever handles it: a damaged or missing plate the
installers of its commune, wrong information the commune's editors, else the reviewers; each
gets an e-mail, the report a due date, and an overdue report shows on the dashboard."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from sites.models import EditorUnit, ProblemReport, Status
from tests.workflow.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(django_user_model, tam_thanh, ky_lua, editor, reviewer):
    installer_here = make_user(django_user_model, "lapdat-tamthanh", "Installer")
    EditorUnit.objects.create(user=installer_here, unit=tam_thanh)
    installer_there = make_user(django_user_model, "lapdat-kylua", "Installer")
    EditorUnit.objects.create(user=installer_there, unit=ky_lua)
    installer_anywhere = make_user(django_user_model, "lapdat-tinh", "Installer")
    return {
        "installer": installer_here,
        "installer elsewhere": installer_there,
        "installer anywhere": installer_anywhere,
        "editor": editor,
        "reviewer": reviewer,
    }


def send(client, record, kind: str, message: str = "") -> ProblemReport:
    url = reverse("workflow:report", args=["place", record.pk])
    response = client.post(url, {"kind": kind, "message": message})
    assert response.status_code == 302
    return ProblemReport.objects.latest("pk")


def test_a_damaged_plate_goes_to_the_communes_installers(
    client, django_capture_on_commit_callbacks, people, own_street, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        report = send(client, own_street, "damaged", "Biển bị gãy.")
    assert list(report.handlers.all()) == [people["installer"]]
    assert report.due_on == timezone.localdate() + datetime.timedelta(
        days=settings.PROBLEM_REPORT_DUE_DAYS
    )
    (message,) = mail.outbox
    assert message.to == [people["installer"].email]
    assert message.subject == "Phản ánh: Biển bị hư hỏng — Phố Tam Thanh Thử"
    assert "Biển bị gãy." in message.body and report.get_absolute_url() in message.body


def test_wrong_information_goes_to_the_communes_editors(
    client, django_capture_on_commit_callbacks, people, own_street
):
    with django_capture_on_commit_callbacks(execute=True):
        report = send(client, own_street, "wrong_info")
    assert list(report.handlers.all()) == [people["editor"]]
    assert mail.outbox[0].to == [people["editor"].email]


def test_without_anyone_in_the_commune_the_report_goes_further(
    client, django_capture_on_commit_callbacks, people, other_relic
):
    other_relic.status = Status.PUBLISHED
    other_relic.save()
    with django_capture_on_commit_callbacks(execute=True):
        plate = send(client, other_relic, "missing")
        content = send(client, other_relic, "wrong_info")
    # Kỳ Lừa has its own installer; it has no editor: the reviewers get it.
    assert list(plate.handlers.all()) == [people["installer elsewhere"]]
    assert list(content.handlers.all()) == [people["reviewer"]]
    EditorUnit.objects.filter(user=people["installer elsewhere"]).delete()
    with django_capture_on_commit_callbacks(execute=True):
        again = send(client, other_relic, "missing")
    assert set(again.handlers.all()) == {
        people["installer anywhere"],
        people["installer elsewhere"],
    }


def test_a_failing_mail_server_never_fails_the_visitor(
    client, django_capture_on_commit_callbacks, people, own_street, monkeypatch
):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr("sites.services.send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        report = send(client, own_street, "damaged")
    assert report.status == ProblemReport.State.OPEN and report.handlers.exists()


def test_overdue_reports_show_on_the_dashboard_and_in_the_queue(
    client, people, own_street, reviewer_client
):
    report = send(client, own_street, "damaged")
    assert not ProblemReport.objects.overdue().exists()
    ProblemReport.objects.filter(pk=report.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert list(ProblemReport.objects.overdue()) == [report]
    page = reviewer_client.get(reverse("dashboard")).content.decode()
    assert "1 quá hạn" in page
    queue = reviewer_client.get(
        reverse("admin:sites_problemreport_changelist"), {"overdue": "1"}
    ).content.decode()
    assert "quá hạn" in queue and own_street.name_vi in queue
