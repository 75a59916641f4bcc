"""Review and publish, with what changed since the last published version; every change kept
in the history, with who and what, and a past version restorable; the state of each language."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from qrplates.services import plate_mint
from sites.models import Place, Source, Status, Street, TextState
from workflow import review

pytestmark = pytest.mark.django_db


def test_a_reviewer_sees_each_changed_field_in_both_languages(editor, reviewer, own_street):
    own_street.summary_vi = "Phố thử của phường Tam Thanh, đã sửa."
    own_street.name_en = "Tam Thanh Trial Street"
    own_street.status = Status.REVIEW
    own_street._history_user = editor
    own_street.save()
    Source.objects.create(place=own_street, title="Sách địa chí Lạng Sơn")
    changes = {c.field: c for c in review.changes_since_published(own_street)}
    assert set(changes) == {"summary_vi", "name_en"}
    assert changes["name_en"].old == "Tam Thanh Test Street"
    assert changes["name_en"].new == "Tam Thanh Trial Street"
    assert changes["summary_vi"].language == "vi" and changes["name_en"].language == "en"
    assert "<ins>Tam Thanh,</ins>" in changes["summary_vi"].marked or "<ins>" in str(
        changes["summary_vi"].marked
    )
    related = review.related_changes_since_published(own_street)
    assert [r.text for r in related] == ["Sách địa chí Lạng Sơn"]


def test_the_review_page_shows_the_changes_and_publishes(reviewer_client, own_street, reviewer):
    own_street.body_en = "A new history."
    own_street.status = Status.REVIEW
    own_street.save()
    # Saving strips markup; text that reached the database otherwise is still shown escaped.
    Street.objects.filter(pk=own_street.pk).update(body_en="A <script>new</script> history.")
    url = reverse("admin:sites_street_review", args=[own_street.pk])
    page = reviewer_client.get(url).content.decode()
    assert "History of the street." in page
    assert "&lt;script&gt;new&lt;/script&gt;" in page and "<script>new" not in page
    reviewer_client.post(url, {"decision": "publish", "note": "Đã kiểm tra"})
    own_street.refresh_from_db()
    assert own_street.status == Status.PUBLISHED
    latest = own_street.history.first()
    assert latest.history_user == reviewer and latest.history_change_reason == "Đã kiểm tra"
    assert review.changes_since_published(own_street) == []


def test_an_editor_cannot_publish_from_the_review_page(editor_client, own_street):
    own_street.status = Status.REVIEW
    own_street.save()
    url = reverse("admin:sites_street_review", args=[own_street.pk])
    page = editor_client.get(url).content.decode()
    assert 'value="publish"' not in page
    editor_client.post(url, {"decision": "publish"})
    own_street.refresh_from_db()
    assert own_street.status == Status.REVIEW


def test_a_merged_record_is_not_published(reviewer, own_street, other_relic):
    other_relic.merged_into = own_street
    other_relic.save()
    with pytest.raises(ValidationError, match="đã gộp vào bản ghi khác"):
        review.record_publish(record=other_relic, by=reviewer)
    other_relic.refresh_from_db()
    assert other_relic.status == Status.DRAFT


def test_every_change_is_in_the_history_with_who_and_what(
    reviewer_client, reviewer, own_street, admin_form_data
):
    own_street.name_en = "Renamed Street"
    own_street._history_user = reviewer
    own_street.save()
    url = reverse("admin:sites_street_history", args=[own_street.pk])
    page = reviewer_client.get(url).content.decode()
    assert "Renamed Street" in page and "Tam Thanh Test Street" in page
    assert "duyet" in page  # who


def test_a_past_version_is_restored_from_the_history(reviewer_client, own_street):
    first = own_street.history.earliest()
    own_street.summary_vi = "Một tóm tắt sai."
    own_street.save()
    url = reverse("admin:sites_street_simple_history", args=[own_street.pk, first.history_id])
    page = reviewer_client.get(url).content.decode()
    assert "Phố thử của phường Tam Thanh." in page
    import re

    data = dict(
        re.findall(
            r'name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)"[^>]*value="(\d*)"', page
        )
    )
    for name in ("name", "summary", "body"):
        for lang in ("vi", "en"):
            data[f"{name}_{lang}"] = getattr(first, f"{name}_{lang}") or ""
    data.update(
        slug=first.slug,
        status=first.status,
        street_type=first.street_type,
        unit=str(first.unit_id),
        text_state_vi="draft",
        text_state_en="draft",
    )
    response = reviewer_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    own_street.refresh_from_db()
    assert own_street.summary_vi == "Phố thử của phường Tam Thanh."


def test_plate_changes_are_in_the_history(own_street, reviewer):
    plate = plate_mint(target=own_street, label="Đầu phố")
    plate.label = "Cuối phố"
    plate.save()
    labels = list(plate.history.order_by("history_date").values_list("label", flat=True))
    assert labels == ["Đầu phố", "Cuối phố"]


def test_text_state_per_language_and_the_machine_translation_label(own_street):
    assert own_street.text_state("en") == TextState.DRAFT
    own_street.translation_states = {"en": TextState.MACHINE}
    own_street.save()
    with translation.override("en"):
        assert own_street.machine_translated
        assert "machine" in own_street.machine_translation_note
    with translation.override("vi"):
        assert not own_street.machine_translated and own_street.machine_translation_note == ""
    bare = Street.objects.create(name_vi="Phố Chưa Dịch")
    assert bare.text_state("en") == TextState.MISSING
    machine = Place.objects.with_text_state("en", TextState.MACHINE)
    assert list(machine) == [own_street.place_ptr]
    assert bare.place_ptr in Place.objects.with_text_state("en", TextState.MISSING)


def test_reviewers_filter_by_text_state(reviewer_client, own_street):
    Street.objects.create(
        name_vi="Phố Dịch Máy",
        name_en="Machine St",
        summary_vi="a",
        summary_en="b",
        body_vi="c",
        body_en="d",
        translation_states={"en": "machine"},
    )
    url = reverse("admin:sites_street_changelist")
    page = reviewer_client.get(url, {"text": "en:machine"}).content.decode()
    assert "Phố Dịch Máy" in page and "Phố Tam Thanh Thử" not in page


def test_only_a_reviewer_marks_a_text_reviewed(editor_client, reviewer_client, own_street):
    url = reverse("admin:sites_street_change", args=[own_street.pk])
    editor_page = editor_client.get(url).content.decode()
    assert (
        'value="reviewed"' not in editor_page.split('name="text_state_en"')[1].split("</select>")[0]
    )
    reviewer_page = reviewer_client.get(url).content.decode()
    assert (
        'value="reviewed"' in reviewer_page.split('name="text_state_en"')[1].split("</select>")[0]
    )
