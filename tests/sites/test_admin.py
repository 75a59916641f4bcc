import pytest
from django.contrib import admin
from django.templatetags.static import static
from django.urls import reverse

from sites.models import Person, Place, ScenicSpot, Status, Street

pytestmark = pytest.mark.django_db


def admin_urls():
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        yield pytest.param(model, model_admin, prefix, id=prefix.removeprefix("admin:"))


@pytest.mark.parametrize(("model", "model_admin", "prefix"), list(admin_urls()))
def test_every_admin_page_opens_for_staff(demo, staff_client, model, model_admin, prefix):
    changelist = staff_client.get(reverse(f"{prefix}_changelist"))
    assert changelist.status_code == 200
    searched = staff_client.get(reverse(f"{prefix}_changelist"), {"q": "lang son"})
    assert searched.status_code == 200
    add = staff_client.get(reverse(f"{prefix}_add"))
    assert add.status_code == (200 if model_admin.has_add_permission(add.wsgi_request) else 403)
    record = model.objects.first()
    if record is not None:
        change = staff_client.get(reverse(f"{prefix}_change", args=[record.pk]), follow=True)
        assert change.status_code == 200


def test_admin_speaks_vietnamese_even_to_english_browsers(staff_client):
    page = staff_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page["Content-Language"] == "vi"
    assert "Thoát" in page.content.decode()


def test_admin_speaks_english_on_request(staff_client):
    staff_client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    page = staff_client.get("/admin/")
    assert page["Content-Language"] == "en"
    assert "Log out" in page.content.decode()


def test_translation_tabs_use_our_own_jquery_ui(staff_client):
    page = staff_client.get(reverse("admin:sites_street_add")).content.decode()
    script = static("vendor/jquery-ui/jquery-ui.min.js")
    assert f'src="{script}"' in page
    assert "googleapis" not in page and "//cdn" not in page
    assert staff_client.get(script).status_code == 200


def test_admin_search_ignores_diacritics(demo, staff_client):
    page = staff_client.get(reverse("admin:sites_street_changelist"), {"q": "mai the chuan"})
    assert "Phố Mai Thế Chuẩn" in page.content.decode()
    unit = staff_client.get(reverse("admin:sites_adminunit_changelist"), {"q": "ky lua"})
    assert "Phường Kỳ Lừa" in unit.content.decode()


def test_records_missing_english_are_marked_and_filterable(demo, staff_client):
    Street.objects.create(name_vi="Phố Chưa Dịch", summary_vi="Chưa có tiếng Anh.")
    url = reverse("admin:sites_street_changelist")
    page = staff_client.get(url, {"text": "en:missing"}).content.decode()
    assert "Phố Chưa Dịch" in page
    assert "Phố Mai Thế Chuẩn" not in page
    assert 'class="missing-translation"' in page
    untranslated = Street.objects.get(name_vi="Phố Chưa Dịch")
    change = staff_client.get(reverse("admin:sites_street_change", args=[untranslated.pk]))
    assert "Nội dung English của bản ghi này chưa được viết." in change.content.decode()


def street_values(**overrides):
    values = {
        "name_vi": "Phố Thử",
        "name_en": "Thu Street",
        "slug": "",
        "status": Status.DRAFT,
        "street_type": "pho",
        "summary_vi": "",
        "summary_en": "",
        "body_vi": "",
        "body_en": "",
    }
    values.update(overrides)
    return values


def test_a_place_outside_vietnam_is_refused_and_nothing_is_saved(staff_client, admin_form_data):
    url = reverse("admin:sites_street_add")
    response = staff_client.post(
        url, admin_form_data(url, street_values(lat="106.75", lon="21.85"))
    )
    assert response.status_code == 200
    assert "không ở Việt Nam" in response.content.decode()
    assert not Street.objects.exists()


def test_a_place_outside_lang_son_is_saved_with_a_warning(staff_client, admin_form_data):
    url = reverse("admin:sites_street_add")
    response = staff_client.post(
        url, admin_form_data(url, street_values(lat="21.0285", lon="105.8542")), follow=True
    )
    assert Street.objects.count() == 1
    assert "Tọa độ nằm ngoài tỉnh Lạng Sơn." in response.content.decode()


def test_a_commune_is_suggested_from_the_coordinates(staff_client, admin_form_data):
    url = reverse("admin:sites_scenicspot_add")
    values = street_values(
        lat="21.851727", lon="106.752232", ranking="", category_vi="", category_en=""
    )
    del values["street_type"]
    response = staff_client.post(url, admin_form_data(url, values), follow=True)
    assert ScenicSpot.objects.get().unit.code == "05986"
    assert "Phường Tam Thanh" in response.content.decode()


def test_a_duplicate_address_is_refused(staff_client, admin_form_data):
    Street.objects.create(name_vi="Phố Thử")
    url = reverse("admin:sites_street_add")
    response = staff_client.post(url, admin_form_data(url, street_values()))
    assert response.status_code == 200
    assert "đã dùng địa chỉ “pho-thu”" in response.content.decode()
    assert Street.objects.count() == 1


def test_death_before_birth_is_refused(staff_client, admin_form_data):
    url = reverse("admin:sites_person_add")
    values = {
        "name_vi": "Người Thử",
        "name_en": "",
        "status": Status.DRAFT,
        "birth_year": "1900",
        "death_year": "1850",
        "role_vi": "",
        "role_en": "",
        "biography_vi": "",
        "biography_en": "",
    }
    response = staff_client.post(url, admin_form_data(url, values))
    assert response.status_code == 200
    assert "trước năm sinh" in response.content.decode()
    assert not Person.objects.exists()


def test_the_all_places_list_opens_each_kind_in_its_own_form(demo, staff_client):
    place = Place.objects.filter(kind="relic").first()
    response = staff_client.get(reverse("admin:sites_place_change", args=[place.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:sites_relic_change", args=[place.pk])


def test_the_admin_has_a_chinese_tab_with_its_text_state(demo, staff_client):
    relic = Place.objects.get(name_vi="Ải Chi Lăng")
    page = staff_client.get(reverse("admin:sites_relic_change", args=[relic.pk]))
    html = page.content.decode()
    for field in ("name", "summary", "body", "address"):
        assert f'name="{field}_zh_hans"' in html
    assert 'name="text_state_zh-hans"' in html
    assert "Chi Lăng 关隘" in html
    changelist = staff_client.get(reverse("admin:sites_relic_changelist"))
    assert 'class="text-machine" title="中文: ' in changelist.content.decode()


def test_a_reviewer_marks_a_routes_chinese_reviewed_and_its_label_goes(demo, staff_client):
    from sites.models import Route, TextState
    from tests.workflow.forms import form_values

    route = Route.objects.get(external_id="demo:route:tam-thanh")
    url = reverse("admin:sites_route_change", args=[route.pk])
    data = form_values(staff_client.get(url).content.decode(), "route_form")
    assert data["text_state_zh-hans"] == [TextState.MACHINE]
    data["text_state_zh-hans"] = [TextState.REVIEWED]
    assert staff_client.post(url, data).status_code == 302
    route.refresh_from_db()
    assert route.translation_states["zh-hans"] == TextState.REVIEWED
    page = staff_client.get(route.get_absolute_url().replace("/vi/", "/zh-hans/", 1))
    assert "Tam Thanh 步行游" in page.content.decode()
    assert "本文由机器翻译" not in page.content.decode()
