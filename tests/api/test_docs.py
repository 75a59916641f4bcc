"""The OpenAPI schema describes every endpoint, parameter and error; its docs need no CDN."""

import re

import pytest
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

OPERATIONS = {"get", "post", "patch", "put", "delete"}


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in OPERATIONS:
                yield path, method, operation


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)


def test_the_schema_covers_every_endpoint(schema):
    found = {(path, method) for path, method, _operation in operations(schema)}
    assert found == {
        ("/api/v1/places/", "get"),
        ("/api/v1/places/", "post"),
        ("/api/v1/places/{id}/", "get"),
        ("/api/v1/places/{id}/", "patch"),
        ("/api/v1/people/", "get"),
        ("/api/v1/people/", "post"),
        ("/api/v1/people/{id}/", "get"),
        ("/api/v1/people/{id}/", "patch"),
        ("/api/v1/units/", "get"),
        ("/api/v1/units/{code}/", "get"),
        ("/api/v1/plates/", "get"),
        ("/api/v1/plates/{code}/", "get"),
        ("/api/v1/routes/", "get"),
        ("/api/v1/routes/{slug}/", "get"),
    }


def test_every_operation_and_parameter_is_described(schema):
    for path, method, operation in operations(schema):
        assert operation.get("summary"), (path, method)
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), (path, method, parameter["name"])


def test_every_operation_documents_its_errors_as_json(schema):
    for path, method, operation in operations(schema):
        expected = {"400", "429"}
        expected |= {"404", "406"} if method == "get" else {"401", "403", "415"}
        assert expected <= set(operation["responses"]), (path, method)
        for status in expected:
            content = operation["responses"][status]["content"]
            assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_the_places_filters_and_formats_are_documented(schema):
    places = schema["paths"]["/api/v1/places/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in places["parameters"]}
    assert {
        "kind",
        "ranking",
        "unit",
        "q",
        "bbox",
        "near",
        "radius",
        "updated_since",
        "lang",
    } <= set(parameters)
    assert set(parameters["format"]["schema"]["enum"]) == {"json", "csv", "geojson"}
    assert set(places["responses"]["200"]["content"]) == {
        "application/json",
        "text/csv",
        "application/geo+json",
    }


def test_reads_need_no_authentication_and_writes_take_a_token(schema):
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    for _path, method, operation in operations(schema):
        assert ({} in operation["security"]) == (method == "get")


def test_the_docs_page_loads_nothing_from_another_host(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert not re.search(r"(?:https?:)?//(?!testserver)[\w.-]+", page), "external host in docs"
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert len(assets) >= 3
    for asset in assets:
        assert asset.startswith("/static/")
        assert client.get(asset).status_code == 200, asset
