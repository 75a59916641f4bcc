"""The licence the data may be reused under (settings.DATA_LICENCE, CC BY 4.0 by default) is
stated wherever someone takes the data: every page's footer, the API's schema, and every API
answer in every format, as a `Link: rel="license"` header (RFC 8288)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CC_BY = "https://creativecommons.org/licenses/by/4.0/"
LINK = f'<{CC_BY}>; rel="license"'


@pytest.mark.parametrize(
    "language, words", [("vi", "Nội dung và dữ liệu"), ("en", "Content and data")]
)
def test_every_page_footer_names_the_licence(client, language, words):
    html = client.get(f"/{language}/").content.decode()
    assert f'{words}: <a rel="license" href="{CC_BY}">CC BY 4.0</a>' in html


def test_the_schema_names_the_licence(client):
    info = client.get("/api/schema/", {"format": "json"}).json()["info"]
    assert info["license"] == {"name": "CC BY 4.0", "url": CC_BY}


@pytest.mark.parametrize("format", ["json", "csv", "geojson"])
def test_every_export_carries_the_licence(client, records, format):
    response = client.get("/api/v1/places/", {"format": format})
    assert response.status_code == 200
    assert response["Link"] == LINK


def test_errors_and_details_carry_it_too(client, records):
    assert client.get("/api/v1/places/999999/")["Link"] == LINK
    assert client.get(f"/api/v1/places/{records['street'].pk}/")["Link"] == LINK


def test_another_licence_is_a_setting(client, records, settings):
    settings.DATA_LICENCE = {
        "name": "ODbL 1.0",
        "url": "https://opendatacommons.org/licenses/odbl/1-0/",
    }
    response = client.get(reverse("api:place-list"))
    assert response["Link"] == '<https://opendatacommons.org/licenses/odbl/1-0/>; rel="license"'
