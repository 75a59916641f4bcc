"""GeoJSON that GIS tools open as it is, and CSV that Excel reads with its Vietnamese intact."""

import csv
import io
import json
import struct

import pyogrio
import pytest

from sites.models import Status, Street
from tests.api.conftest import DONG_KINH, TAM_THANH

pytestmark = pytest.mark.django_db


def geojson(client, url: str = "/api/v1/places/", **params) -> tuple[dict, bytes]:
    response = client.get(url, {"format": "geojson", **params})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    return json.loads(response.content), response.content


def test_places_geojson_is_an_rfc7946_feature_collection(client, records):
    collection, _raw = geojson(client)
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection  # RFC 7946: WGS 84 only, no crs member
    features = {feature["properties"]["name"]: feature for feature in collection["features"]}
    assert set(features) == {"Đường Hoàng Văn Thụ", "Đền Kỳ Cùng", "Động Tam Thanh"}
    temple = features["Đền Kỳ Cùng"]
    assert temple["type"] == "Feature"
    assert temple["id"] == records["temple"].pk
    # Longitude first.
    assert temple["geometry"] == {"type": "Point", "coordinates": [DONG_KINH[1], DONG_KINH[0]]}
    # A place without coordinates is kept, with a null geometry.
    assert features["Động Tam Thanh"]["geometry"] is None


def test_places_geojson_properties_are_flat_for_gis_tools(client, records):
    collection, _raw = geojson(client, kind="street", lang="all")
    properties = collection["features"][0]["properties"]
    assert properties["unit.code"] == "05986"
    assert properties["name.vi"] == "Đường Hoàng Văn Thụ"
    assert properties["name.en"] == "Hoang Van Thu Street"
    assert properties["named_after.name.vi"] == "Hoàng Văn Thụ"
    assert not any(isinstance(value, dict) for value in properties.values())


def test_gdal_reads_the_places_geojson_as_qgis_would(client, records):
    _collection, raw = geojson(client)
    info = pyogrio.read_info(io.BytesIO(raw))
    assert info["driver"] == "GeoJSON"
    assert info["crs"] == "EPSG:4326"
    assert info["features"] == 3
    min_lon, min_lat, max_lon, max_lat = info["total_bounds"]
    assert (min_lon, max_lon) == (TAM_THANH[1], DONG_KINH[1])
    assert (min_lat, max_lat) == (DONG_KINH[0], TAM_THANH[0])
    _meta, _ids, geometries, fields = pyogrio.raw.read(io.BytesIO(raw))
    names = list(fields[list(info["fields"]).index("name")])
    assert set(names) == {"Đường Hoàng Văn Thụ", "Đền Kỳ Cùng", "Động Tam Thanh"}
    temple = geometries[names.index("Đền Kỳ Cùng")]
    # WKB point: byte order, type, then x (longitude) and y (latitude).
    assert struct.unpack("<dd", temple[5:21]) == (DONG_KINH[1], DONG_KINH[0])


def test_geojson_export_is_the_whole_filtered_list_not_a_page(client, db):
    for number in range(60):
        Street.objects.create(name_vi=f"Phố {number}", status=Status.PUBLISHED)
    collection, _raw = geojson(client, page_size=10)
    assert len(collection["features"]) == 60


def test_units_geojson_carries_the_boundaries(client, db):
    collection, raw = geojson(client, "/api/v1/units/", current="true")
    ward = next(f for f in collection["features"] if f["id"] == "05986")
    assert ward["geometry"]["type"] == "MultiPolygon"
    assert ward["properties"]["name"] == "Phường Tam Thanh"
    info = pyogrio.read_info(io.BytesIO(raw))
    assert info["features"] == len(collection["features"]) > 60
    # One geometry type: QGIS opens one layer instead of asking which sub-layer to load.
    assert info["geometry_type"] == "MultiPolygon"


def read_csv(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM that Excel needs
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_places_csv_is_utf8_with_bom_and_keeps_vietnamese(client, records):
    response = client.get("/api/v1/places/", {"format": "csv"})
    assert response["Content-Disposition"].startswith('attachment; filename="streetinfo-places-')
    rows = read_csv(response)
    assert {row["name"] for row in rows} == {"Đường Hoàng Văn Thụ", "Đền Kỳ Cùng", "Động Tam Thanh"}
    street = next(row for row in rows if row["kind"] == "street")
    assert street["unit.code"] == "05986"
    assert street["named_after.name"] == "Hoàng Văn Thụ"
    assert street["lat"] == str(TAM_THANH[0])
    assert street["ranking"] == ""


def test_a_name_that_looks_like_a_formula_is_text_in_the_csv(client, records):
    """A spreadsheet would run `=HYPERLINK(…)` as a live link in whoever opens the open data."""
    street = records["street"]
    street.name_vi = '=HYPERLINK("http://lua-dao.example","Bấm")'
    street.summary_vi = "-Tổ dân phố 5"
    street.save()
    for lang in ("vi", "all"):
        rows = read_csv(client.get("/api/v1/places/", {"format": "csv", "lang": lang}))
        row = next(row for row in rows if row["id"] == str(street.pk))
        name, summary = ("name", "summary") if lang == "vi" else ("name.vi", "summary.vi")
        assert row[name] == '\'=HYPERLINK("http://lua-dao.example","Bấm")'
        assert row[summary] == "'-Tổ dân phố 5"
        assert row["lat"] == str(TAM_THANH[0])  # numbers stay numbers


def test_csv_columns_are_the_same_whatever_the_rows(client, records):
    everything = client.get("/api/v1/places/", {"format": "csv"}).content.decode("utf-8-sig")
    nothing = client.get("/api/v1/places/", {"format": "csv", "q": "zzz"}).content
    header = everything.splitlines()[0]
    assert nothing.decode("utf-8-sig").strip() == header
    # A null object (a relic's `named_after`) leaves its columns empty, adds none.
    assert "named_after," not in header + ","
    assert "named_after.name" in header


def test_csv_in_all_languages_has_a_column_per_language(client, records):
    rows = read_csv(client.get("/api/v1/places/", {"format": "csv", "lang": "all", "q": "tam"}))
    assert rows[0]["name.vi"] == "Động Tam Thanh"
    assert rows[0]["name.en"] == "Tam Thanh Cave"


def test_an_empty_csv_still_has_its_header(client, db):
    response = client.get("/api/v1/places/", {"format": "csv", "q": "nothing-matches"})
    header = response.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:4] == ["id", "kind", "kind_label", "name"]
    assert "unit.code" in header


@pytest.mark.parametrize(
    ("url", "column"),
    [("/api/v1/people/", "name"), ("/api/v1/units/", "code")],
)
def test_every_list_exports_csv(client, records, url, column):
    rows = read_csv(client.get(url, {"format": "csv"}))
    assert rows
    assert all(row[column] for row in rows)


def test_an_explicit_format_wins_over_the_accept_header(client, records):
    response = client.get("/api/v1/places/", {"format": "csv"}, HTTP_ACCEPT="application/json")
    assert response["Content-Type"].startswith("text/csv")


def test_errors_of_an_export_are_json(client, records):
    response = client.get("/api/v1/places/", {"format": "csv", "bbox": "x"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"]["bbox"]
