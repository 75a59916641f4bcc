"""The Department's roles, at every boundary: an editor sees and edits the records of their
communes only and never publishes; a reviewer publishes province-wide; the groups come from a
migration."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from sites import roles
from sites.models import Person, PersonLink, Status, Street
from tests.workflow.conftest import make_user

pytestmark = pytest.mark.django_db


def change_url(record) -> str:
    return reverse(f"admin:sites_{record._meta.model_name}_change", args=[record.pk])


def street_form(admin_page: str, **values) -> dict:
    """The add/change form of a street as a browser would send it."""
    import re

    data = dict(
        re.findall(
            r'name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)"[^>]*value="(\d*)"', admin_page
        )
    )
    data.update(
        {
            "name_vi": "Phố Mới",
            "name_en": "",
            "slug": "",
            "status": Status.DRAFT,
            "street_type": "pho",
            "summary_vi": "",
            "summary_en": "",
            "body_vi": "",
            "body_en": "",
            "text_state_vi": "draft",
            "text_state_en": "draft",
        }
    )
    data.update(values)
    return data


def test_the_roles_exist_as_groups_with_their_permissions():
    names = set(Group.objects.values_list("name", flat=True))
    assert {"Editor", "Reviewer", "Printer", "Installer", "Steering committee"} <= names
    editor = set(Group.objects.get(name="Editor").permissions.values_list("codename", flat=True))
    assert {"change_street", "add_relic", "import_records"} <= editor
    assert "publish_record" not in editor and "delete_street" not in editor
    reviewer = Group.objects.get(name="Reviewer").permissions.values_list("codename", flat=True)
    assert "publish_record" in reviewer
    installer = Group.objects.get(name="Installer").permissions.values_list("codename", flat=True)
    assert set(installer) == {"view_plate", "install_plate"}


def test_an_editor_lists_only_the_places_of_their_units(editor_client, own_street, other_relic):
    streets = editor_client.get(reverse("admin:sites_street_changelist")).content.decode()
    assert "Phố Tam Thanh Thử" in streets
    places = editor_client.get(reverse("admin:sites_place_changelist")).content.decode()
    assert "Phố Tam Thanh Thử" in places and "Đền Kỳ Lừa Thử" not in places
    relics = editor_client.get(reverse("admin:sites_relic_changelist")).content.decode()
    assert "Đền Kỳ Lừa Thử" not in relics


def test_an_editor_cannot_open_or_change_a_record_of_another_unit(editor_client, other_relic):
    url = change_url(other_relic)
    assert editor_client.get(url, follow=True).status_code in (302, 403, 404) or (
        "Đền Kỳ Lừa Thử" not in editor_client.get(url, follow=True).content.decode()
    )
    response = editor_client.post(url, {"name_vi": "Bị sửa"})
    assert response.status_code in (302, 403, 404)
    other_relic.refresh_from_db()
    assert other_relic.name_vi == "Đền Kỳ Lừa Thử"
    history = reverse("admin:sites_relic_history", args=[other_relic.pk])
    assert editor_client.get(history).status_code in (302, 403, 404)


def test_an_editor_creates_a_record_only_in_their_own_units(editor_client, tam_thanh, ky_lua):
    url = reverse("admin:sites_street_add")
    page = editor_client.get(url).content.decode()
    refused = editor_client.post(url, street_form(page, unit=str(ky_lua.pk)))
    assert refused.status_code == 200
    assert not Street.objects.filter(name_vi="Phố Mới").exists()
    no_unit = editor_client.post(url, street_form(page))
    assert no_unit.status_code == 200 and not Street.objects.exists()
    created = editor_client.post(url, street_form(page, unit=str(tam_thanh.pk)))
    assert created.status_code == 302
    assert Street.objects.get(name_vi="Phố Mới").unit == tam_thanh


def test_an_editor_cannot_publish_even_by_crafting_the_form(editor_client, tam_thanh):
    url = reverse("admin:sites_street_add")
    page = editor_client.get(url).content.decode()
    assert 'value="published"' not in page
    response = editor_client.post(
        url, street_form(page, unit=str(tam_thanh.pk), status=Status.PUBLISHED)
    )
    assert response.status_code == 200  # "not one of the available choices"
    assert not Street.objects.filter(status=Status.PUBLISHED).exists()


def test_an_editors_change_to_a_published_record_goes_back_to_review(
    editor_client, own_street, tam_thanh
):
    url = change_url(own_street)
    page = editor_client.get(url).content.decode()
    assert "gửi lại cho người duyệt" in page  # the form says what saving will do
    response = editor_client.post(
        url,
        street_form(
            page,
            name_vi="Phố Tam Thanh Thử",
            name_en="Tam Thanh Test Street",
            summary_vi="Tóm tắt đã sửa.",
            unit=str(tam_thanh.pk),
            status=Status.REVIEW,
        ),
        follow=True,
    )
    assert response.status_code == 200
    own_street.refresh_from_db()
    assert own_street.summary_vi == "Tóm tắt đã sửa."
    assert own_street.status == Status.REVIEW
    assert "người duyệt xuất bản lại" in response.content.decode()


def test_publish_actions_are_offered_to_reviewers_only(editor_client, reviewer_client, own_street):
    url = reverse("admin:sites_street_changelist")
    editor_page = editor_client.get(url).content.decode()
    assert 'value="publish"' not in editor_page and 'value="submit_for_review"' in editor_page
    assert 'value="publish"' in reviewer_client.get(url).content.decode()
    # A crafted action post by an editor does nothing.
    own_street.status = Status.REVIEW
    own_street.save()
    editor_client.post(url, {"action": "publish", "_selected_action": [own_street.pk]})
    own_street.refresh_from_db()
    assert own_street.status == Status.REVIEW


def test_a_reviewer_publishes_and_unpublishes_anywhere(reviewer_client, other_relic):
    url = reverse("admin:sites_relic_changelist")
    reviewer_client.post(url, {"action": "publish", "_selected_action": [other_relic.pk]})
    other_relic.refresh_from_db()
    assert other_relic.status == Status.PUBLISHED
    reviewer_client.post(url, {"action": "withdraw", "_selected_action": [other_relic.pk]})
    other_relic.refresh_from_db()
    assert other_relic.status == Status.WITHDRAWN


def test_an_editor_edits_the_people_linked_to_their_places_and_reads_the_others(
    editor, editor_client, linked_person, other_relic
):
    stranger = Person.objects.create(name_vi="Người Phường Khác", status=Status.PUBLISHED)
    PersonLink.objects.create(person=stranger, place=other_relic, role="born_here")
    secret = Person.objects.create(name_vi="Người Nháp Phường Khác")
    PersonLink.objects.create(person=secret, place=other_relic, role="born_here")
    loner = Person.objects.create(name_vi="Người Chưa Liên Kết")
    assert roles.can_edit(editor, linked_person) and roles.can_edit(editor, loner)
    assert not roles.can_edit(editor, stranger)
    listing = editor_client.get(reverse("admin:sites_person_changelist")).content.decode()
    assert "Người Phường Khác" in listing  # published: visible, to be linked
    assert "Người Nháp Phường Khác" not in listing  # another commune's draft
    response = editor_client.post(change_url(stranger), {"name_vi": "Bị sửa"})
    assert response.status_code == 403
    stranger.refresh_from_db()
    assert stranger.name_vi == "Người Phường Khác"


def test_the_commune_box_offers_an_editor_their_own_units(editor_client):
    url = reverse("admin:autocomplete")
    found = editor_client.get(
        url,
        {"app_label": "sites", "model_name": "street", "field_name": "unit", "term": "phuong"},
    ).json()
    assert [r["text"] for r in found["results"]] == ["Phường Tam Thanh"]


def test_prepare_save_is_the_rule_for_every_write(editor, reviewer, own_street, other_relic):
    """What the staff API calls before saving."""
    with pytest.raises(PermissionDenied):
        roles.prepare_save(editor, other_relic, previous_status=other_relic.status)
    other_relic.unit = own_street.unit  # moving a record into one's unit is no way in either
    with pytest.raises(PermissionDenied):
        roles.prepare_save(editor, other_relic, previous_status=Status.DRAFT)
    draft = Street(name_vi="Phố Nháp", unit=own_street.unit, status=Status.PUBLISHED)
    with pytest.raises(PermissionDenied):
        roles.prepare_save(editor, draft, previous_status=None)
    own_street.summary_vi = "Sửa"
    roles.prepare_save(editor, own_street, previous_status=Status.PUBLISHED)
    assert own_street.status == Status.REVIEW
    roles.prepare_save(reviewer, other_relic, previous_status=Status.DRAFT)
    assert roles.can_publish(reviewer) and not roles.can_publish(editor)


def test_someone_without_a_role_can_do_nothing(django_user_model, own_street):
    nobody = make_user(django_user_model, "khach")
    assert not roles.can_edit(nobody, own_street)
    assert not roles.can_publish(nobody) and not roles.can_install(nobody)
    client = __import__("django.test", fromlist=["Client"]).Client()
    client.force_login(nobody)
    assert client.get(reverse("admin:sites_street_changelist")).status_code == 403


def test_an_editor_sees_the_plates_of_their_units_only(editor_client, own_street, other_relic):
    from qrplates.services import plate_mint

    mine, theirs = plate_mint(target=own_street), plate_mint(target=other_relic)
    page = editor_client.get(reverse("admin:qrplates_plate_changelist")).content.decode()
    assert mine.code in page and theirs.code not in page


def test_a_plate_installed_far_away_is_listed_for_review(reviewer_client, own_street):
    from qrplates.services import plate_mint

    flagged, fine = plate_mint(target=own_street), plate_mint(target=own_street)
    flagged.needs_review = True
    flagged.save()
    url = reverse("admin:qrplates_plate_changelist")
    page = reviewer_client.get(url, {"needs_review__exact": "1"}).content.decode()
    assert flagged.code in page and fine.code not in page
