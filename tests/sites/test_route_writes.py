"""A walking route is written as places and people are (`sites.services.record_save`): it is
validated, the roles decide, the writer is kept in its history, and a published route's old
address redirects to its new one."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from edge.dependents import dependents
from sites.models import AdminUnit, EditorUnit, OldSlug, Route, Status
from sites.services import record_save
from tests.workflow.forms import form_values

pytestmark = pytest.mark.django_db

LANGUAGES = ("vi", "en", "zh-hans")


@pytest.fixture
def route(demo):
    return Route.objects.get(external_id="demo:route:tam-thanh")


def address(route: Route, language: str, slug: str | None = None) -> str:
    with translation.override(language):
        return reverse("sites:route", kwargs={"slug": slug or route.slug})


def admin_save(client: Client, route: Route, **changes) -> None:
    url = reverse("admin:sites_route_change", args=[route.pk])
    data = form_values(client.get(url).content.decode(), "route_form")
    data.update({name: [value] for name, value in changes.items()})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_routes_new_address_keeps_the_old_one_working_and_its_history_names_the_writer(
    route, staff, staff_client, django_capture_on_commit_callbacks
):
    old = route.slug
    before = {language: address(route, language) for language in LANGUAGES}
    visitor = Client()
    assert visitor.get(before["en"]).status_code == 200  # now in the page cache
    with django_capture_on_commit_callbacks(execute=True):
        admin_save(staff_client, route, slug="di-bo-tam-thanh")
    route.refresh_from_db()
    assert route.slug == "di-bo-tam-thanh"
    for language in LANGUAGES:
        response = visitor.get(before[language])
        assert response.status_code == 301
        assert response["Location"] == address(route, language)
        assert visitor.get(response["Location"]).status_code == 200
    # Static mode and the page cache hear of the old address.
    moved = OldSlug.objects.get(kind="route", slug=old)
    assert moved.owner == route and before["vi"] in dependents([moved]).pages
    # Its history: who changed what, shown in the admin as a record's is.
    latest = route.history.order_by("-history_date", "-history_id").first()
    assert (latest.history_user, latest.slug) == (staff, "di-bo-tam-thanh")
    history = staff_client.get(reverse("admin:sites_route_history", args=[route.pk]))
    assert history.status_code == 200 and "di-bo-tam-thanh" in history.content.decode()
    # Withdrawn, the route has no page at either address.
    with django_capture_on_commit_callbacks(execute=True):
        admin_save(staff_client, route, status=Status.WITHDRAWN)
    assert visitor.get(before["en"]).status_code == 404
    assert visitor.get(address(route, "en")).status_code == 404


def test_only_an_address_that_was_ever_published_is_kept(route):
    draft = Route.objects.create(title_vi="Tuyến nháp", slug="tuyen-nhap")
    draft.slug = "tuyen-nhap-moi"
    draft.save()
    assert not OldSlug.objects.filter(kind="route", slug="tuyen-nhap").exists()
    # Published once, withdrawn, then moved: its history says the old address was public.
    old = route.slug
    route.status = Status.WITHDRAWN
    route.save()
    route.slug = "tam-thanh"
    route.save()
    route.status = Status.PUBLISHED
    route.save()
    response = Client().get(address(route, "en", old))
    assert (response.status_code, response["Location"]) == (301, address(route, "en"))
    # The new address taken back: it is no longer an old one.
    route.slug = old
    route.save()
    assert not OldSlug.objects.filter(kind="route", slug=old).exists()
    assert Client().get(address(route, "en", "tam-thanh")).status_code == 301


def test_the_write_path_validates_and_asks_the_roles(route, django_user_model):
    editor = django_user_model.objects.create_user("bientap", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    EditorUnit.objects.create(user=editor, unit=AdminUnit.objects.get(slug="phuong-tam-thanh"))
    route.title_vi = "Đi bộ khác"
    with pytest.raises(PermissionDenied):
        record_save(record=route, by=editor)
    reviewer = django_user_model.objects.create_user("duyet", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Reviewer"))
    route.title_vi = ""
    with pytest.raises(ValidationError) as invalid:
        record_save(record=route, by=reviewer)
    assert "title_vi" in invalid.value.message_dict
    route.title_vi = "Đi bộ ở Tam Thanh"
    record_save(record=route, by=reviewer, reason="Sửa tên")
    latest = route.history.order_by("-history_date", "-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (reviewer, "Sửa tên")


def test_a_route_added_in_the_admin_gets_its_address_and_first_version(db, staff, staff_client):
    url = reverse("admin:sites_route_add")
    data = form_values(staff_client.get(url).content.decode(), "route_form")
    data.update(
        {
            "title_vi": ["Đi bộ phố cổ Kỳ Lừa"],
            "status": [Status.DRAFT],
            "stops-TOTAL_FORMS": ["0"],
        }
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302
    route = Route.objects.get()
    assert route.slug == "di-bo-pho-co-ky-lua"
    assert [(v.history_type, v.history_user) for v in route.history.all()] == [("+", staff)]
