"""A duplicate record is merged into the one that stays; what pointed at it follows."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models.deletion import ProtectedError

from sites.models import Person, Status, Street

pytestmark = pytest.mark.django_db


def test_a_record_never_merged_is_its_own_survivor():
    street = Street.objects.create(name_vi="Phố Một")
    assert street.survivor() == street


def test_the_survivor_is_found_at_the_end_of_a_chain_of_merges():
    first = Street.objects.create(name_vi="Phố Một", status=Status.WITHDRAWN)
    second = Street.objects.create(name_vi="Phố Hai", status=Status.WITHDRAWN)
    third = Street.objects.create(name_vi="Phố Ba", status=Status.PUBLISHED)
    Street.objects.filter(pk=first.pk).update(merged_into=second)
    Street.objects.filter(pk=second.pk).update(merged_into=third)
    assert Street.objects.get(pk=first.pk).survivor().pk == third.pk


def test_a_mistaken_cycle_of_merges_ends_instead_of_looping():
    one = Street.objects.create(name_vi="Phố Một")
    two = Street.objects.create(name_vi="Phố Hai", merged_into=one)
    Street.objects.filter(pk=one.pk).update(merged_into=two)
    assert Street.objects.get(pk=one.pk).survivor().pk in {one.pk, two.pk}


@pytest.mark.parametrize("model", [Street, Person])
def test_a_record_cannot_be_merged_into_itself_even_through_others(model):
    one = model.objects.create(name_vi="Một", status=Status.WITHDRAWN)
    one.merged_into = one
    with pytest.raises(ValidationError) as itself:
        one.full_clean()
    assert "merged_into" in itself.value.message_dict
    two = model.objects.create(name_vi="Hai", status=Status.WITHDRAWN, merged_into=one)
    one.merged_into = two
    with pytest.raises(ValidationError):
        one.full_clean()


@pytest.mark.parametrize("model", [Street, Person])
def test_merging_a_published_record_withdraws_it_in_one_step(model):
    survivor = model.objects.create(name_vi="Giữ lại", status=Status.PUBLISHED)
    duplicate = model(name_vi="Trùng", status=Status.PUBLISHED, merged_into=survivor)
    duplicate.full_clean()
    assert duplicate.status == Status.WITHDRAWN


def test_the_record_that_stays_cannot_be_deleted_from_under_a_merge():
    survivor = Street.objects.create(name_vi="Giữ lại")
    Street.objects.create(name_vi="Trùng", merged_into=survivor)
    with pytest.raises(ProtectedError):
        survivor.delete()


def test_a_cycle_is_refused_even_when_the_record_was_merged_elsewhere_before():
    elsewhere = Street.objects.create(name_vi="Nơi Khác", status=Status.PUBLISHED)
    one = Street.objects.create(name_vi="Một", status=Status.WITHDRAWN, merged_into=elsewhere)
    two = Street.objects.create(name_vi="Hai", status=Status.WITHDRAWN, merged_into=one)
    one.merged_into = two
    with pytest.raises(ValidationError):
        one.full_clean()


def test_in_the_admin_choosing_merged_into_withdraws_and_says_so(staff_client):
    from django.urls import reverse

    from tests.workflow.forms import form_values

    survivor = Street.objects.create(name_vi="Phố Giữ Lại", status=Status.PUBLISHED)
    duplicate = Street.objects.create(name_vi="Phố Trùng Lặp", status=Status.PUBLISHED)
    url = reverse("admin:sites_street_change", args=[duplicate.pk])
    data = form_values(staff_client.get(url).content.decode(), "street_form")
    data["merged_into"] = [str(survivor.pk)]
    response = staff_client.post(url, data, follow=True)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.WITHDRAWN and duplicate.merged_into_id == survivor.pk
    assert "Đã gộp vào “Phố Giữ Lại”: bản ghi này đã được thu hồi" in response.content.decode()
