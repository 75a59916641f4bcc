"""The staff write API: token authentication, the admin's permissions and the admin's validation."""

import unicodedata

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from rest_framework.authtoken.models import Token

from sites.models import AdminUnit, EditorUnit, Person, Place, Relic, Status, Street
from tests.api.conftest import TAM_THANH

pytestmark = pytest.mark.django_db

PLACES = "/api/v1/places/"


def post(client: Client, url: str, data: dict, **headers):
    return client.post(url, data, content_type="application/json", **headers)


def patch(client: Client, url: str, data: dict, **headers):
    return client.patch(url, data, content_type="application/json", **headers)


NEW_STREET = {
    "kind": "street",
    "name": {"vi": "Phố Tam Thanh", "en": "Tam Thanh Street"},
    "summary": {"vi": "Phố dẫn tới động Tam Thanh."},
    "street_type": "pho",
    "lat": TAM_THANH[0],
    "lon": TAM_THANH[1],
    "status": "draft",
}


def test_anonymous_writes_are_refused_with_401(client, db):
    response = post(client, PLACES, NEW_STREET)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"
    assert not Street.objects.exists()


def test_a_wrong_token_is_refused(db):
    response = post(Client(HTTP_AUTHORIZATION="Token not-a-token"), PLACES, NEW_STREET)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_token_of_a_non_staff_account_may_not_write(django_user_model):
    user = django_user_model.objects.create_user("reader", password="pw-reader-1")
    client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    response = post(client, PLACES, NEW_STREET)
    assert response.status_code == 403
    assert not Street.objects.exists()


def editor_client(user_model, unit_code: str = "05986", *codenames: str) -> Client:
    """A token client for an editor of one commune or ward (the Editor group's rights, or only
    the given permissions)."""
    editor = user_model.objects.create_user("editor", password="pw-editor-1", is_staff=True)
    if codenames:
        editor.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    else:
        editor.groups.add(Group.objects.get(name="Editor"))
    EditorUnit.objects.create(user=editor, unit=AdminUnit.objects.get(code=unit_code))
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")


def test_staff_need_the_admin_permission_for_the_kind(django_user_model):
    client = editor_client(django_user_model, "05986", "add_relic")
    refused = post(client, PLACES, NEW_STREET, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Your account may not add streets."
    relic = {"kind": "relic", "name": {"vi": "Đền Mới"}, "lat": TAM_THANH[0], "lon": TAM_THANH[1]}
    allowed = post(client, PLACES, relic)
    assert allowed.status_code == 201
    assert Relic.objects.get().name_vi == "Đền Mới"


def test_an_editor_writes_only_in_their_communes(django_user_model):
    client = editor_client(django_user_model, "06196")  # xã Ba Sơn, not Tam Thanh
    refused = post(client, PLACES, NEW_STREET, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "You can only edit records in your communes and wards."
    assert not Street.objects.exists()
    elsewhere = Street.objects.create(name_vi="Phố Khác", lat=TAM_THANH[0], lon=TAM_THANH[1])
    response = patch(client, f"{PLACES}{elsewhere.pk}/", {"summary": {"vi": "Sửa"}})
    assert response.status_code == 403
    elsewhere.refresh_from_db()
    assert not elsewhere.summary_vi


def test_an_editor_cannot_publish_and_their_edit_sends_a_published_record_to_review(
    django_user_model,
):
    client = editor_client(django_user_model, "05986")
    refused = post(client, PLACES, {**NEW_STREET, "status": "published"})
    assert refused.status_code == 403
    assert not Street.objects.exists()
    street = Street.objects.create(
        name_vi="Phố Tam Thanh", lat=TAM_THANH[0], lon=TAM_THANH[1], status=Status.PUBLISHED
    )
    response = patch(client, f"{PLACES}{street.pk}/", {"summary": {"vi": "Đoạn mới."}})
    assert response.status_code == 200
    street.refresh_from_db()
    assert street.status == Status.REVIEW
    assert street.summary_vi == "Đoạn mới."


def test_staff_create_a_place_stored_in_nfc_with_its_unit_found(token_client):
    decomposed = unicodedata.normalize("NFD", "Phố Tam Thanh")
    response = post(token_client, PLACES, {**NEW_STREET, "name": {"vi": decomposed}})
    assert response.status_code == 201
    body = response.json()
    assert response["Location"] == response.wsgi_request.build_absolute_uri(
        f"/api/v1/places/{body['id']}/"
    )
    street = Street.objects.get(pk=body["id"])
    assert street.name_vi == "Phố Tam Thanh"
    assert unicodedata.is_normalized("NFC", street.name_vi)
    assert street.slug == "pho-tam-thanh"
    assert street.unit.code == "05986"
    assert body["status"] == "draft"
    assert body["warnings"] == []


def test_a_created_draft_stays_out_of_anonymous_responses(token_client, client):
    created = post(token_client, PLACES, NEW_STREET).json()
    assert client.get(f"{PLACES}{created['id']}/").status_code == 404
    assert client.get(PLACES).json()["count"] == 0


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"lat": 48.85, "lon": 2.35}, "lat", "not in Vietnam"),
        ({"lat": TAM_THANH[1], "lon": TAM_THANH[0]}, "lat", "not in Vietnam"),
        ({"lat": 95}, "lat", "less than or equal to 90"),
        ({"name": {"en": "Only English"}}, "name.vi", "cannot be blank"),
        ({"name": {"vi": "x" * 201}}, "name.vi", "at most 200 characters"),
        ({"name": "Phố Tam Thanh"}, "name", "one text per language"),
        ({"name": {"fr": "Rue"}}, "name", "Unknown language “fr”"),
        ({"ranking": "national"}, "ranking", "does not apply to a street"),
        ({"kind": "castle"}, "kind", "not a valid choice"),
        ({"unit": "99999"}, "unit", "99999"),
        ({"unit": "05986\x00"}, "unit", "Null characters"),
        ({"external_id": "x\x00"}, "external_id", "Null characters"),
        ({"name": {"vi": "Phố\x00"}}, "name", "Null characters"),
        ({"named_after": 10**20}, "named_after", "does not exist"),
        ({"street_type": "avenue"}, "street_type", "not a valid choice"),
        ({"length_m": -5}, "length_m", "greater than or equal to 0"),
        ({"naming_resolution_date": "soon"}, "naming_resolution_date", "format"),
        ({"slug": "Có dấu"}, "slug", "slug"),
    ],
)
def test_invalid_input_is_refused_and_nothing_is_saved(token_client, change, field, message):
    response = post(token_client, PLACES, {**NEW_STREET, **change}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert field in errors
    assert message in " ".join(errors[field])
    assert not Place.objects.exists()


def test_validation_messages_follow_the_request_language(token_client):
    response = post(token_client, PLACES, {**NEW_STREET, "lat": 48.85, "lon": 2.35})
    assert "không ở Việt Nam" in response.json()["errors"]["lat"][0]


def test_creating_needs_a_kind(token_client):
    response = post(token_client, PLACES, {"name": {"vi": "Phố"}}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["errors"]["kind"] == [
        "Say which kind of place to create: street, relic or scenic."
    ]


def test_a_taken_address_is_refused(token_client, records):
    response = post(token_client, PLACES, {**NEW_STREET, "name": {"vi": "Đường Hoàng Văn Thụ"}})
    assert response.status_code == 400
    assert "slug" in response.json()["errors"]


def test_coordinates_in_another_unit_are_saved_with_a_warning(token_client, records):
    response = post(
        token_client, PLACES, {**NEW_STREET, "unit": "05977"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 201
    assert response.json()["warnings"] == [
        "The coordinates fall in Tam Thanh Ward, not in Đông Kinh Ward."
    ]


def test_patch_changes_only_what_is_sent(token_client, records):
    url = f"{PLACES}{records['temple'].pk}/"
    response = patch(
        token_client,
        url,
        {"name": {"en": "Kỳ Cùng Temple"}, "opening_hours": {"vi": "7:00–17:00"}},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    temple = Relic.objects.get(pk=records["temple"].pk)
    assert temple.name_vi == "Đền Kỳ Cùng"
    assert temple.name_en == "Kỳ Cùng Temple"
    assert temple.opening_hours_vi == "7:00–17:00"
    assert temple.ranking == "provincial"
    assert response.json()["name"] == "Kỳ Cùng Temple"


def test_patch_cannot_change_the_kind(token_client, records):
    url = f"{PLACES}{records['temple'].pk}/"
    response = patch(token_client, url, {"kind": "street"})
    assert response.status_code == 400
    assert Place.objects.get(pk=records["temple"].pk).kind == "relic"


def test_publishing_through_the_api_makes_a_place_public(token_client, client, records):
    url = f"{PLACES}{records['draft'].pk}/"
    assert patch(token_client, url, {"status": "published"}).status_code == 200
    assert client.get(url).json()["name"] == "Đền Nháp Kỳ Cùng"
    assert Relic.objects.get(pk=records["draft"].pk).published_at is not None


def test_a_failed_patch_leaves_the_record_unchanged(token_client, records):
    url = f"{PLACES}{records['street'].pk}/"
    response = patch(token_client, url, {"name": {"vi": "Tên Mới"}, "lat": 48.85, "lon": 2.35})
    assert response.status_code == 400
    street = Street.objects.get(pk=records["street"].pk)
    assert street.name_vi == "Đường Hoàng Văn Thụ"
    assert street.lat == TAM_THANH[0]


def test_a_body_that_is_not_json_is_refused(token_client):
    broken = token_client.post(PLACES, "{not json", content_type="application/json")
    assert broken.status_code == 400
    assert broken.json()["code"] == "parse_error"
    form = token_client.post(PLACES, {"kind": "street"})
    assert form.status_code == 415
    assert form.json()["code"] == "unsupported_media_type"


def test_staff_create_and_change_people(token_client, client):
    response = post(
        token_client,
        "/api/v1/people/",
        {
            "name": {"vi": "Ngô Thì Sĩ"},
            "role": {"vi": "Đốc trấn Lạng Sơn", "en": "Governor of Lạng Sơn"},
            "birth_year": 1726,
            "death_year": 1780,
            "status": "published",
        },
    )
    assert response.status_code == 201
    person = Person.objects.get()
    assert person.role_en == "Governor of Lạng Sơn"
    assert client.get(f"/api/v1/people/{person.pk}/").status_code == 200
    wrong = patch(
        token_client,
        f"/api/v1/people/{person.pk}/",
        {"death_year": 1700},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert wrong.status_code == 400
    assert "before the year of birth" in wrong.json()["errors"]["death_year"][0]
    assert Person.objects.get().death_year == 1780


def test_units_are_read_only(token_client):
    response = post(token_client, "/api/v1/units/", {"code": "1"})
    assert response.status_code == 405


def test_an_admin_session_writes_only_with_its_csrf_token(staff):
    # The docs' "Try it out" runs in a logged-in staff member's browser: CSRF applies there.
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)
    assert post(browser, PLACES, NEW_STREET).status_code == 403
    page = browser.get("/admin/")
    csrf = browser.cookies["csrftoken"].value
    # As the browser does, from the docs page: its token, and its page's origin (over HTTPS,
    # Django's CSRF check wants the origin to be the site's own).
    origin = page.wsgi_request.build_absolute_uri("/").rstrip("/")
    response = post(browser, PLACES, NEW_STREET, HTTP_X_CSRFTOKEN=csrf, HTTP_ORIGIN=origin)
    assert response.status_code == 201


def test_the_token_admin_is_available_to_administrators(staff_client):
    assert staff_client.get("/admin/authtoken/tokenproxy/").status_code == 200


def test_a_disabled_account_token_no_longer_writes(staff, staff_token):
    staff.is_active = False
    staff.save()
    client = Client(HTTP_AUTHORIZATION=f"Token {staff_token}")
    assert post(client, PLACES, NEW_STREET).status_code == 401


def test_an_unknown_status_is_refused(token_client):
    response = post(token_client, PLACES, {**NEW_STREET, "status": "archived"})
    assert response.status_code == 400
    assert "status" in response.json()["errors"]
    assert not Place.objects.exists()
