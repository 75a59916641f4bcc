"""The doors issue 13 found open, one test each (every one failed before `sites.roles` became
the rule behind every door). The whole picture, role by role and door by door, is
test_permission_table.py."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from qrplates.models import Plate, PrintBatch
from qrplates.services import plate_mint
from sites.models import Person, PersonLink, Photo, Status, Street, Suggestion
from tests.conftest import jpeg_bytes
from tests.workflow.conftest import make_user
from tests.workflow.forms import form_values

pytestmark = pytest.mark.django_db


def token_client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")


def names(response) -> set[str]:
    return {item["name"] for item in response.json()["results"]}


def test_a_print_shops_token_reads_only_what_is_published(django_user_model, tam_thanh):
    printer = token_client(make_user(django_user_model, "nhain", "Printer"))
    shown = Street.objects.create(name_vi="Phố Công Bố", unit=tam_thanh, status=Status.PUBLISHED)
    draft = Street.objects.create(name_vi="Phố Bản Nháp", unit=tam_thanh)
    withdrawn = Street.objects.create(name_vi="Phố Đã Rút", unit=tam_thanh, status=Status.WITHDRAWN)
    secret = Person.objects.create(name_vi="Người Bản Nháp")
    listed = printer.get(
        "/api/v1/places/", {"status": ["draft", "withdrawn", "published"]}, HTTP_ACCEPT="*/*"
    )
    assert names(listed) == {shown.name_vi}
    for record in (draft, withdrawn):
        assert printer.get(f"/api/v1/places/{record.pk}/").status_code == 404
    assert printer.get(f"/api/v1/people/{secret.pk}/").status_code == 404
    assert not names(printer.get("/api/v1/people/", {"status": "draft"}))


def test_an_editors_token_reads_the_drafts_of_their_communes_only(editor, tam_thanh, other_relic):
    client = token_client(editor)
    own = Street.objects.create(name_vi="Phố Nháp Tam Thanh", unit=tam_thanh)
    listed = client.get("/api/v1/places/", {"status": "draft"})
    assert names(listed) == {own.name_vi}
    assert client.get(f"/api/v1/places/{other_relic.pk}/").status_code == 404


def test_an_editor_neither_retires_a_plate_nor_puts_it_into_a_print_batch(
    editor_client, own_street
):
    plate = plate_mint(target=own_street)
    url = reverse("admin:qrplates_plate_changelist")
    page = editor_client.get(url).content.decode()
    assert plate.code in page
    for action in ("approve_artwork", "mark_printed", "retire", "put_into_batch"):
        assert f'value="{action}"' not in page
        editor_client.post(
            url, {"action": action, "_selected_action": [plate.pk], "apply": 1, "name": "Đợt"}
        )
    plate.refresh_from_db()
    assert plate.status == Plate.Status.PLANNED
    assert not PrintBatch.objects.exists()


def test_a_reviewer_retires_a_plate_and_prepares_a_print_batch(reviewer_client, own_street):
    retired, batched = plate_mint(target=own_street), plate_mint(target=own_street)
    url = reverse("admin:qrplates_plate_changelist")
    reviewer_client.post(url, {"action": "retire", "_selected_action": [retired.pk]})
    reviewer_client.post(
        url,
        {"action": "put_into_batch", "_selected_action": [batched.pk], "apply": 1, "name": "Đợt"},
    )
    retired.refresh_from_db()
    assert retired.status == Plate.Status.RETIRED
    assert list(PrintBatch.objects.get(name="Đợt").plates.all()) == [batched]


def test_an_editor_cannot_mint_a_plate_for_another_communes_draft(editor_client, other_relic):
    url = reverse("admin:qrplates_plate_add")
    response = editor_client.post(
        url, {"place": other_relic.pk, "events-TOTAL_FORMS": 0, "events-INITIAL_FORMS": 0}
    )
    assert response.status_code == 200  # "Select a valid choice"
    assert not Plate.objects.exists()
    offered = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "qrplates", "model_name": "plate", "field_name": "place"},
    ).json()
    assert other_relic.name_vi not in {result["text"] for result in offered["results"]}


def test_an_editor_mints_only_for_the_people_they_look_after(
    editor_client, linked_person, other_relic
):
    stranger = Person.objects.create(name_vi="Người Phường Khác", status=Status.PUBLISHED)
    PersonLink.objects.create(person=stranger, place=other_relic, role="born_here")
    editor_client.post(
        reverse("admin:sites_person_changelist"),
        {"action": "mint_plates", "_selected_action": [stranger.pk, linked_person.pk]},
    )
    assert list(Plate.objects.values_list("person__name_vi", flat=True)) == [linked_person.name_vi]


def test_an_editor_links_a_person_only_to_the_places_of_their_communes(
    editor_client, linked_person, other_relic
):
    other_relic.status = Status.PUBLISHED
    other_relic.save()
    PersonLink.objects.create(person=linked_person, place=other_relic, role="fought_here")
    url = reverse("admin:sites_person_change", args=[linked_person.pk])
    page = editor_client.get(url).content.decode()
    assert other_relic.name_vi in page  # the link is shown…
    data = form_values(page, "person_form")
    assert "links-0-note_vi" not in data  # …read-only: a browser sends no disabled field…
    data["links-0-note_vi"] = ["ghi chú của biên tập viên"]  # …and a crafted one is ignored
    count = int(data["links-TOTAL_FORMS"][0])
    data.update(
        {
            f"links-{count}-place": [other_relic.pk],
            f"links-{count}-role": ["honoured_here"],
            f"links-{count}-note_vi": ["ghi chú mới"],
            "links-TOTAL_FORMS": [count + 1],
        }
    )
    response = editor_client.post(url, data)
    assert response.status_code == 200  # the new row: "Select a valid choice"
    assert set(PersonLink.objects.filter(place=other_relic).values_list("note_vi", flat=True)) == {
        ""
    }


def accept(client, suggestion: Suggestion) -> None:
    client.post(
        reverse("admin:sites_suggestion_changelist"),
        {"action": "accept", "_selected_action": [suggestion.pk]},
    )


def photo_suggestion(record: Street) -> Suggestion:
    suggestion = Suggestion(
        place=record, kind=Suggestion.Kind.PHOTO, text="Chú thích của khách", credit="Khách"
    )
    suggestion.photo.save("goc.jpg", ContentFile(jpeg_bytes(320, 200)), save=False)
    suggestion.save()
    return suggestion


def test_an_accepted_photo_waits_for_a_reviewer_like_a_change_on_the_records_page(
    client, editor_client, reviewer_client, own_street
):
    assert client.get(own_street.get_absolute_url()).status_code == 200  # and cached
    accept(editor_client, photo_suggestion(own_street))
    own_street.refresh_from_db()
    photo = Photo.objects.get(place=own_street)
    # As when the editor adds the photo on the record's own page: back to review.
    assert own_street.status == Status.REVIEW
    assert client.get(own_street.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/places/{own_street.pk}/").status_code == 404
    review = reviewer_client.get(
        reverse("admin:sites_street_review", args=[own_street.pk])
    ).content.decode()
    assert "Chú thích của khách" in review and photo.image.url in review
    reviewer_client.post(
        reverse("admin:sites_street_review", args=[own_street.pk]), {"decision": "publish"}
    )
    page = client.get(own_street.get_absolute_url()).content.decode()
    assert "Chú thích của khách" in page


def test_a_reviewer_accepting_a_photo_publishes_it(client, reviewer_client, own_street):
    accept(reviewer_client, photo_suggestion(own_street))
    own_street.refresh_from_db()
    assert own_street.status == Status.PUBLISHED
    assert "Chú thích của khách" in client.get(own_street.get_absolute_url()).content.decode()


def test_an_editor_accepts_no_photo_for_another_communes_record(editor, other_relic):
    from workflow import review

    with pytest.raises(PermissionDenied):
        review.record_add_photo(
            record=other_relic, image=ContentFile(jpeg_bytes()), name="a.jpg", by=editor
        )
    assert not Photo.objects.exists()


def test_a_plates_artwork_and_qr_are_for_those_who_may_see_its_record(
    django_user_model, editor_client, own_street, other_relic
):
    mine, theirs = plate_mint(target=own_street), plate_mint(target=other_relic)
    installer = Client()
    installer.force_login(make_user(django_user_model, "lapdat2", "Installer"))
    for plate, editor_allowed, installer_allowed in ((mine, True, True), (theirs, False, False)):
        artwork = reverse("admin:qrplates_plate_artwork", args=[plate.pk, "svg"])
        qr = reverse("admin:qrplates_plate_qr", args=[plate.pk, "svg"])
        for client, allowed in ((editor_client, editor_allowed), (installer, installer_allowed)):
            for url in (artwork, qr):
                assert (client.get(url).status_code == 200) is allowed, (url, allowed)


def test_a_street_is_named_only_after_a_person_the_editor_may_read(editor, tam_thanh, other_relic):
    """The same choice in the admin, the API and the import: a draft person of another
    commune is unknown to the editor, as if the ID did not exist."""
    import tablib

    from workflow import imports

    secret = Person.objects.create(name_vi="Người Nháp Phường Khác", external_id="p:secret")
    PersonLink.objects.create(person=secret, place=other_relic, role="born_here")
    dataset = tablib.Dataset(headers=["external_id", "name_vi", "unit", "named_after"])
    dataset.append(["s:1", "Phố Mới", tam_thanh.code, "p:secret"])
    report = imports.records_import(model=Street, dataset=dataset, user=editor, dry_run=False)
    assert not report.saved
    assert [error.column for error in report.rows[0].errors] == ["named_after"]
    assert "p:secret" in report.rows[0].errors[0].message
    response = token_client(editor).post(
        "/api/v1/places/",
        {
            "kind": "street",
            "name": {"vi": "Phố Mới"},
            "unit": tam_thanh.code,
            "named_after": secret.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "named_after" in response.json()["errors"]
    assert not Street.objects.exists()
