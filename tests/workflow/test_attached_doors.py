"""What hangs on a record (a person–place link, a source) is written through one path
(`sites.services.attached_check`/`attached_write`, `attached_delete`) whatever the door: the
admin's inlines on a place's or a person's page here, the spreadsheet import in
test_workbook_import.py. An editor's change to a published record's links or sources sends the
record back to review, with the editor in the histories."""

import pytest
import tablib
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from sites import services
from sites.models import Person, PersonLink, Relic, Source, Status
from tests.workflow.conftest import client_for
from tests.workflow.forms import form_values
from workflow import imports

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_relic(tam_thanh) -> Relic:
    return Relic.objects.create(
        name_vi="Đền Tam Thanh Thử",
        summary_vi="Di tích thử của phường Tam Thanh.",
        unit=tam_thanh,
        status=Status.PUBLISHED,
        external_id="tt:relic:thu",
    )


@pytest.fixture
def person() -> Person:
    return Person.objects.create(
        name_vi="Nhân Vật Thử", status=Status.PUBLISHED, external_id="person:thu"
    )


def page_data(client, url: str, form_id: str) -> dict:
    return form_values(client.get(url).content.decode(), form_id)


def add_row(data: dict, prefix: str, values: dict) -> None:
    count = int(data[f"{prefix}-TOTAL_FORMS"][0])
    data.update({f"{prefix}-{count}-{name}": [value] for name, value in values.items()})
    data[f"{prefix}-TOTAL_FORMS"] = [count + 1]


def test_an_editors_source_on_a_published_relic_sends_it_back_to_review(
    editor, editor_client, published_relic
):
    url = reverse("admin:sites_relic_change", args=[published_relic.pk])
    data = page_data(editor_client, url, "relic_form")
    add_row(data, "sources", {"title": "Hồ sơ di tích", "citable": "on", "position": "0"})
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    published_relic.refresh_from_db()
    assert published_relic.status == Status.REVIEW
    source = Source.objects.get(place=published_relic)
    assert source.history.first().history_user == editor
    assert published_relic.history.first().history_user == editor


def test_an_editors_link_on_a_persons_page_sends_the_place_back_to_review(
    editor, editor_client, published_relic, person
):
    """A link is shown on the place's page: the place is the record it hangs on, as in the
    import, whichever page the editor added it from."""
    url = reverse("admin:sites_person_change", args=[person.pk])
    data = page_data(editor_client, url, "person_form")
    add_row(data, "links", {"place": published_relic.pk, "role": "honoured_here"})
    response = editor_client.post(url, data, follow=True)
    assert PersonLink.objects.filter(person=person, place=published_relic).exists()
    published_relic.refresh_from_db()
    assert published_relic.status == Status.REVIEW
    assert published_relic.history.first().history_user == editor
    told = [str(message) for message in response.context["messages"]]
    assert any(published_relic.name_vi in message and "người duyệt" in message for message in told)


def test_an_editor_removing_a_link_on_a_persons_page_sends_the_place_back_to_review(
    editor, editor_client, published_relic, person
):
    link = PersonLink.objects.create(person=person, place=published_relic, role="born_here")
    url = reverse("admin:sites_person_change", args=[person.pk])
    data = page_data(editor_client, url, "person_form")
    assert data["links-0-id"] == [str(link.pk)]
    data["links-0-DELETE"] = ["on"]
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not PersonLink.objects.filter(pk=link.pk).exists()
    published_relic.refresh_from_db()
    assert published_relic.status == Status.REVIEW
    removed = PersonLink.history.filter(id=link.pk).first()
    assert removed.history_type == "-" and removed.history_user == editor


def test_an_editor_removing_a_source_of_a_published_relic_sends_it_back_to_review(
    editor, editor_client, published_relic
):
    source = Source.objects.create(place=published_relic, title="Nguồn cũ")
    url = reverse("admin:sites_relic_change", args=[published_relic.pk])
    data = page_data(editor_client, url, "relic_form")
    assert data["sources-0-id"] == [str(source.pk)]
    data["sources-0-DELETE"] = ["on"]
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not Source.objects.filter(pk=source.pk).exists()
    published_relic.refresh_from_db()
    assert published_relic.status == Status.REVIEW


def test_a_reviewers_link_on_a_persons_page_leaves_the_place_published(
    reviewer, reviewer_client, published_relic, person
):
    url = reverse("admin:sites_person_change", args=[person.pk])
    data = page_data(reviewer_client, url, "person_form")
    add_row(data, "links", {"place": published_relic.pk, "role": "honoured_here"})
    response = reviewer_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    link = PersonLink.objects.get(person=person, place=published_relic)
    assert link.history.first().history_user == reviewer
    published_relic.refresh_from_db()
    assert published_relic.status == Status.PUBLISHED


def test_a_source_title_of_markup_only_is_refused_by_its_field(editor_client, published_relic):
    """The write path stores text without markup: a title that is only markup is empty, and the
    editor is told so by the field, as for a record's own text, rather than the save failing."""
    url = reverse("admin:sites_relic_change", args=[published_relic.pk])
    data = page_data(editor_client, url, "relic_form")
    add_row(data, "sources", {"title": "<b></b>", "citable": "on", "position": "0"})
    response = editor_client.post(url, data)
    assert response.status_code == 200
    refused = [
        form.errors
        for inline in response.context["inline_admin_formsets"]
        for form in inline.formset.forms
        if form.errors
    ]
    assert refused and all(set(errors) == {"title"} for errors in refused)
    assert not Source.objects.exists()
    published_relic.refresh_from_db()
    assert published_relic.status == Status.PUBLISHED


# --- every door that writes a link, alike -------------------------------------------------------


def link_by_service(user, person: Person, relic: Relic) -> None:
    link = PersonLink(person=person, place=relic, role="honoured_here")
    services.attached_save(link, record=relic, by=user)


def link_by_import(user, person: Person, relic: Relic) -> None:
    dataset = tablib.Dataset(headers=["person", "place", "role"])
    dataset.append([person.external_id, relic.external_id, "honoured_here"])
    sheet = imports.Sheet(name="Liên kết", model=PersonLink, dataset=dataset)
    report = imports.workbook_import(sheets=[sheet], user=user, dry_run=False)
    assert report.saved


def link_by_admin(user, person: Person, relic: Relic) -> None:
    client = client_for(user)
    url = reverse("admin:sites_person_change", args=[person.pk])
    data = page_data(client, url, "person_form")
    add_row(data, "links", {"place": relic.pk, "role": "honoured_here"})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.mark.parametrize(
    "link", [link_by_service, link_by_import, link_by_admin], ids=lambda f: f.__name__
)
def test_an_editors_link_sends_the_published_place_to_review_whichever_door_writes_it(
    editor, published_relic, person, link
):
    link(editor, person, published_relic)
    written = PersonLink.objects.get(person=person, place=published_relic)
    assert written.history.first().history_user == editor
    published_relic.refresh_from_db()
    assert published_relic.status == Status.REVIEW
    assert published_relic.history.first().history_user == editor


def test_an_editor_cannot_remove_a_link_of_another_communes_place(editor, other_relic, person):
    link = PersonLink.objects.create(person=person, place=other_relic, role="born_here")
    with pytest.raises(PermissionDenied):
        services.attached_delete(link, record=other_relic, by=editor)
    assert PersonLink.objects.filter(pk=link.pk).exists()


def test_a_reviewer_removes_a_source_and_the_record_stays_published(reviewer, published_relic):
    source = Source.objects.create(place=published_relic, title="Nguồn cũ")
    pk = source.pk
    services.attached_delete(source, record=published_relic, by=reviewer, reason="Trùng")
    assert not Source.objects.exists()
    removed = Source.history.get(id=pk, history_type="-")
    assert removed.history_user == reviewer and removed.history_change_reason == "Trùng"
    published_relic.refresh_from_db()
    assert published_relic.status == Status.PUBLISHED
