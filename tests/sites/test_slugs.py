import pytest

from sites.models import OldSlug, Person, Relic, Status, Street

pytestmark = pytest.mark.django_db


def test_slug_is_unique_per_kind_not_across_kinds():
    street = Street.objects.create(name_vi="Kỳ Lừa")
    relic = Relic.objects.create(name_vi="Kỳ Lừa")
    assert street.slug == relic.slug == "ky-lua"


def test_a_published_rename_keeps_the_old_address_working(client):
    street = Street.objects.create(name_vi="Phố Cửa Nam", status=Status.PUBLISHED)
    old_url = street.get_absolute_url()
    street.name_vi = "Phố Cửa Nam Mới"
    street.save()
    assert street.slug == "pho-cua-nam-moi"
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == street.get_absolute_url()
    assert client.get(street.get_absolute_url()).status_code == 200


def test_renaming_back_reclaims_the_old_address(client):
    street = Street.objects.create(name_vi="Phố A", status=Status.PUBLISHED)
    street.name_vi = "Phố B"
    street.save()
    street.name_vi = "Phố A"
    street.save()
    assert street.slug == "pho-a"
    assert client.get("/vi/streets/pho-a/").status_code == 200
    assert client.get("/vi/streets/pho-b/").status_code == 301


def test_a_draft_rename_leaves_no_redirect_behind():
    person = Person.objects.create(name_vi="Tông Đản")
    person.name_vi = "Tông Đản (tù trưởng)"
    person.save()
    assert person.slug == "tong-dan-tu-truong"
    assert not OldSlug.objects.exists()


def test_an_address_the_editor_typed_survives_a_rename():
    street = Street.objects.create(name_vi="Phố Tô Thị", slug="to-thi")
    street.name_vi = "Phố Nàng Tô Thị"
    street.save()
    assert street.slug == "to-thi"


def test_old_address_of_a_withdrawn_record_is_not_found(client):
    street = Street.objects.create(name_vi="Phố Kéo Tào", status=Status.PUBLISHED)
    street.name_vi = "Phố Kéo Tào 2"
    street.status = Status.WITHDRAWN
    street.save()
    assert client.get("/vi/streets/pho-keo-tao/").status_code == 404
