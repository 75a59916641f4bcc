"""Open data the way other systems take it (issue 18): the DCAT catalogue, the bulk files,
Wikidata identifiers and OpenStreetMap tags."""

import io
import json
import zipfile

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from api import bulk
from api.catalog import FORMATS
from sites.models import Route, RouteStop, Status
from sites.services import record_save

pytestmark = pytest.mark.django_db

CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")


def bulk_rows(response, name: str, member: str) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read(f"{name}.{member}" if member != "README" else "README.txt").decode(
            "utf-8-sig"
        )


def patch_storage(monkeypatch, name: str, value) -> None:
    """Patches the storage behind the lazy default_storage: patched on the lazy object, the undo
    at teardown fails (it deletes from whichever storage is wrapped by then)."""
    getattr(default_storage, name)  # sets the storage up
    monkeypatch.setattr(default_storage._wrapped, name, value)


# --- the catalogue ---------------------------------------------------------------------------


@pytest.fixture
def catalogue(client, records) -> Graph:
    response = client.get("/api/catalog.ttl")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/turtle; charset=utf-8"
    return Graph().parse(data=response.content.decode(), format="turtle")


def test_the_catalogue_parses_in_both_serialisations_to_the_same_graph(client, catalogue):
    response = client.get("/api/catalog.jsonld")
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    jsonld = Graph().parse(data=response.content.decode(), format="json-ld")
    assert len(jsonld) == len(catalogue) > 100


def test_the_catalogue_has_dcat_aps_required_properties(catalogue):
    (catalog,) = catalogue.subjects(RDF.type, DCAT.Catalog)
    # DCAT-AP 3 mandatory: a catalogue's title, description, publisher and datasets; a
    # dataset's title and description; a distribution's access URL; an agent's name.
    assert catalogue.value(catalog, DCTERMS.title)
    assert catalogue.value(catalog, DCTERMS.description)
    publisher = catalogue.value(catalog, DCTERMS.publisher)
    assert catalogue.value(publisher, FOAF.name)
    datasets = set(catalogue.objects(catalog, DCAT.dataset))
    names = {str(dataset).rsplit("#", 1)[1] for dataset in datasets}
    assert names == {"places", "people", "units", "plates", "routes"}
    for dataset in datasets:
        titles = {title.language: str(title) for title in catalogue.objects(dataset, DCTERMS.title)}
        assert titles["vi"] and titles["en"] and titles["vi"] != titles["en"]
        assert catalogue.value(dataset, DCTERMS.description)
        assert catalogue.value(dataset, DCTERMS.publisher) == publisher
        assert catalogue.value(dataset, DCAT.contactPoint) is not None
        assert catalogue.value(dataset, DCTERMS.spatial) is not None
        assert catalogue.value(dataset, DCTERMS.modified) is not None
        distributions = list(catalogue.objects(dataset, DCAT.distribution))
        for distribution in distributions:
            assert catalogue.value(distribution, DCAT.accessURL)
            assert catalogue.value(distribution, DCTERMS.license) == CC_BY
            assert catalogue.value(distribution, DCAT.mediaType)
        # The API, each whole-list export and the bulk file, each with its media type.
        media = {str(catalogue.value(d, DCAT.mediaType)).split("types/")[1] for d in distributions}
        formats = ("json", *bulk.DATASETS[str(dataset).rsplit("#", 1)[1]].formats, "zip")
        assert media == {FORMATS[format][1] for format in formats}


def test_places_come_as_the_api_geojson_csv_and_the_bulk_file(catalogue, settings):
    base = settings.PUBLIC_BASE_URL
    places = URIRef(f"{base}/api/catalog.jsonld#places")
    downloads = {
        str(catalogue.value(d, DCAT.mediaType)): str(catalogue.value(d, DCAT.downloadURL))
        for d in catalogue.objects(places, DCAT.distribution)
    }
    iana = "https://www.iana.org/assignments/media-types/"
    assert downloads[iana + "application/geo+json"].endswith(
        "/api/v1/places/?format=geojson&lang=all"
    )
    assert downloads[iana + "text/csv"].endswith("/api/v1/places/?format=csv&lang=all")
    assert downloads[iana + "application/zip"] == f"{base}/api/bulk/places.zip"
    assert catalogue.value(places, DCTERMS.license) == CC_BY


def test_routes_come_as_the_api_geojson_and_the_bulk_file(catalogue, settings):
    base = settings.PUBLIC_BASE_URL
    routes = URIRef(f"{base}/api/catalog.jsonld#routes")
    titles = {title.language: str(title) for title in catalogue.objects(routes, DCTERMS.title)}
    assert titles["en"] == "Walking routes" and titles["vi"] == "Tuyến đi bộ"
    access = {
        str(catalogue.value(d, DCAT.mediaType)).split("media-types/")[1]: (
            str(catalogue.value(d, DCAT.accessURL)),
            catalogue.value(d, DCAT.downloadURL),
        )
        for d in catalogue.objects(routes, DCAT.distribution)
    }
    assert access["application/json"] == (f"{base}/api/v1/routes/", None)
    assert str(access["application/geo+json"][1]) == (
        f"{base}/api/v1/routes/?format=geojson&lang=all"
    )
    assert str(access["application/zip"][1]) == f"{base}/api/bulk/routes.zip"
    assert catalogue.value(routes, DCTERMS.license) == CC_BY
    assert catalogue.value(routes, DCTERMS.modified) is not None
    assert catalogue.value(routes, DCTERMS.spatial) == catalogue.value(
        URIRef(f"{base}/api/catalog.jsonld#places"), DCTERMS.spatial
    )


# --- bulk files -----------------------------------------------------------------------------


def test_a_bulk_file_holds_every_published_place_and_nothing_else(client, records):
    response = client.get("/api/bulk/places.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert int(response["Content-Length"]) == len(response.content)
    assert response["ETag"].startswith('"')
    assert "Throttle" not in response.headers
    geojson = json.loads(bulk_rows(response, "places", "geojson"))
    names = {feature["properties"]["name.vi"] for feature in geojson["features"]}
    assert names == {"Đường Hoàng Văn Thụ", "Đền Kỳ Cùng", "Động Tam Thanh"}
    assert geojson["license"]["url"] == str(CC_BY)
    csv = bulk_rows(response, "places", "csv")
    assert "Phố Đã Rút" not in csv and "Đền Nháp" not in csv
    assert "CC BY 4.0" in bulk_rows(response, "places", "README")


@pytest.fixture
def routes(records) -> dict:
    """A published route whose stops are a published relic, a draft one, a published street and
    a published cave without coordinates, in that order; and a draft route."""
    walk = Route.objects.create(
        title_vi="Dạo quanh Kỳ Cùng", title_en="A walk by the Kỳ Cùng", status=Status.PUBLISHED
    )
    for position, place in enumerate(("temple", "draft", "street", "cave"), start=1):
        RouteStop.objects.create(route=walk, place=records[place], position=position)
    draft = Route.objects.create(title_vi="Tuyến Nháp", status=Status.DRAFT)
    RouteStop.objects.create(route=draft, place=records["street"], position=1)
    return {"walk": walk, "draft": draft}


def test_the_routes_bulk_file_holds_published_routes_and_stops_in_every_language(
    client, records, routes
):
    response = client.get("/api/bulk/routes.zip")
    assert response.status_code == 200
    (route,) = json.loads(bulk_rows(response, "routes", "json"))
    assert route["slug"] == routes["walk"].slug
    assert set(route["title"]) == {code for code, _name in settings.LANGUAGES}
    assert route["title"]["vi"] == "Dạo quanh Kỳ Cùng"
    assert route["title"]["en"] == "A walk by the Kỳ Cùng"
    published = [records[name].pk for name in ("temple", "street", "cave")]
    assert [stop["place"]["id"] for stop in route["stops"]] == published
    geojson = json.loads(bulk_rows(response, "routes", "geojson"))
    assert geojson["license"]["url"] == str(CC_BY)
    (line,) = geojson["features"]
    # The published stops in order; the cave has no coordinates and the draft stays out.
    temple, street = records["temple"], records["street"]
    assert line["geometry"] == {
        "type": "LineString",
        "coordinates": [[temple.lon, temple.lat], [street.lon, street.lat]],
    }
    assert line["properties"]["title.vi"] == "Dạo quanh Kỳ Cùng"
    assert line["properties"]["stops"] == published
    assert line["properties"]["length_m"] == route["length_m"]
    assert "Tuyến Nháp" not in bulk_rows(response, "routes", "json")
    assert "CC BY 4.0" in bulk_rows(response, "routes", "README")


def test_a_route_or_stop_change_rebuilds_the_routes_file(
    client, records, routes, django_capture_on_commit_callbacks
):
    before = client.get("/api/bulk/routes.zip")
    stop = RouteStop.objects.get(route=routes["walk"], place=records["street"])
    with django_capture_on_commit_callbacks(execute=True):
        stop.delete()
    after = json.loads(bulk_rows(client.get("/api/bulk/routes.zip"), "routes", "json"))
    assert records["street"].pk not in [s["place"]["id"] for s in after[0]["stops"]]
    walk = routes["walk"]
    walk.status = Status.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        walk.save()
    last = client.get("/api/bulk/routes.zip")
    assert json.loads(bulk_rows(last, "routes", "json")) == []
    assert last["ETag"] != before["ETag"]
    assert len(bulk.stored_files("routes")) == 1


def test_a_client_taking_gzip_gets_a_length_and_a_validator_too(client, records):
    response = client.get("/api/bulk/places.zip", HTTP_ACCEPT_ENCODING="gzip, br")
    assert int(response["Content-Length"]) == len(response.content)
    again = client.get(
        "/api/bulk/places.zip", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304


def test_a_bulk_file_answers_304_to_its_etag(client, records):
    first = client.get("/api/bulk/people.zip")
    again = client.get("/api/bulk/people.zip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]


def test_a_bulk_file_is_not_throttled_as_exports_are(client, records, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK}
    for _ in range(15):  # API_THROTTLE_EXPORT is 10 a minute
        assert client.get("/api/bulk/units.zip").status_code == 200


def test_a_withdrawn_record_leaves_the_bulk_file_at_the_next_rebuild(
    client, records, django_capture_on_commit_callbacks, staff
):
    before = client.get("/api/bulk/places.zip")
    assert "Đền Kỳ Cùng" in bulk_rows(before, "places", "csv")
    temple = records["temple"]
    temple.status = Status.WITHDRAWN
    with django_capture_on_commit_callbacks(execute=True):
        record_save(record=temple, by=staff)
    after = client.get("/api/bulk/places.zip")
    assert after["ETag"] != before["ETag"]
    assert "Đền Kỳ Cùng" not in bulk_rows(after, "places", "csv")
    # The old file is gone from storage: one file per dataset.
    assert len(bulk.stored_files("places")) == 1


def test_the_same_content_is_not_written_again(records):
    first = bulk.rebuild(bulk.DATASETS["plates"])
    assert bulk.rebuild(bulk.DATASETS["plates"]) == first


def test_a_missing_file_with_a_worker_backend_is_a_503_with_retry_after(client, records, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    response = client.get("/api/bulk/places.zip", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response.json()["code"] == "file_unavailable"
    assert response.json()["detail"].startswith("Tệp này")


def test_a_storage_that_fails_is_a_503_not_a_500(client, records, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("bucket unreachable")

    patch_storage(monkeypatch, "listdir", broken)
    response = client.get("/api/bulk/places.zip")
    assert response.status_code == 503
    assert response.json()["code"] == "file_unavailable"


def test_an_unknown_dataset_is_a_json_404(client, db):
    response = client.get("/api/bulk/secrets.zip", follow=True)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- Wikidata and OpenStreetMap ---------------------------------------------------------------


def test_a_wikidata_id_is_q_and_digits(records):
    hero = records["hero"]
    for wrong in ("1858", "https://www.wikidata.org/wiki/Q1858", "Q01", "P31"):
        hero.wikidata = wrong
        with pytest.raises(ValidationError) as error:
            hero.full_clean()
        assert "wikidata" in error.value.message_dict


def test_wikidata_ids_reach_the_api_and_the_pages_as_same_as(client, records):
    hero, cave = records["hero"], records["cave"]
    hero.wikidata, cave.wikidata = "Q1000001", "Q1000002"
    hero.save()
    cave.save()
    assert client.get(f"/api/v1/people/{hero.pk}/").json()["wikidata"] == "Q1000001"
    street = client.get(f"/api/v1/places/{records['street'].pk}/").json()
    assert street["namesake_wikidata"] == "Q1000001"  # the published namesake's
    page = client.get(cave.get_absolute_url()).content.decode()
    assert '"sameAs":"https://www.wikidata.org/wiki/Q1000002"' in page
    assert "sameAs" not in client.get(records["temple"].get_absolute_url()).content.decode()


def test_a_streets_own_namesake_id_must_agree_with_its_recorded_namesake(records):
    street, hero = records["street"], records["hero"]
    hero.wikidata = "Q1000001"
    hero.save()
    street.namesake_wikidata = "Q999"
    with pytest.raises(ValidationError) as error:
        street.full_clean()
    assert "namesake_wikidata" in error.value.message_dict


def osm(client, **query) -> dict:
    collection = client.get("/api/v1/places/", {"format": "geojson", **query}).json()
    return {f["properties"]["name"]: f for f in collection["features"]}


def test_every_place_feature_carries_its_openstreetmap_tags(client, records):
    hero = records["hero"]
    hero.wikidata = "Q1000001"
    hero.save()
    features = osm(client, lang="vi")
    temple = features["Đền Kỳ Cùng"]["properties"]
    assert temple["osm.historic"] == "yes"
    assert temple["osm.amenity"] == "place_of_worship"
    assert temple["osm.heritage"] == "4"  # provincial
    assert temple["osm.name:vi"] == "Đền Kỳ Cùng"
    assert "osm.name:en" not in temple  # never the Vietnamese fallback
    cave = features["Động Tam Thanh"]["properties"]
    assert cave["osm.tourism"] == "attraction"
    assert cave["osm.natural"] == "cave_entrance"
    assert cave["osm.heritage"] == "2"  # national
    assert cave["osm.name:en"] == "Tam Thanh Cave"
    street = features["Đường Hoàng Văn Thụ"]["properties"]
    assert street["osm.name:etymology:wikidata"] == "Q1000001"
    assert "osm.historic" not in street


def test_unit_features_are_administrative_boundaries(client, db):
    collection = client.get("/api/v1/units/", {"format": "geojson", "current": "true"}).json()
    assert collection["license"]["url"] == str(CC_BY)
    assert collection["attribution"] == "© Streetinfo Lạng Sơn, CC BY 4.0"
    levels = {}
    for feature in collection["features"]:
        properties = feature["properties"]
        assert properties["osm.boundary"] == "administrative"
        assert properties["osm.name:vi"] == properties["osm.name"]
        levels[properties["level"]] = properties["osm.admin_level"]
    assert levels == {"province": "4", "ward": "8", "commune": "8"}


def test_staff_systems_set_wikidata_ids_through_the_api(token_client, records):
    hero = records["hero"]
    url = f"/api/v1/people/{hero.pk}/"
    wrong = token_client.patch(
        url,
        {"wikidata": "https://www.wikidata.org/wiki/Q42"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert wrong.status_code == 400
    assert wrong.json()["errors"]["wikidata"][0].startswith("A Wikidata ID is Q followed by")
    hero.refresh_from_db()
    assert hero.wikidata == ""
    right = token_client.patch(url, {"wikidata": "Q42"}, content_type="application/json")
    assert right.status_code == 200
    assert right.json()["wikidata"] == "Q42"


def test_a_built_file_is_served_without_building_it_again(client, records, monkeypatch):
    real_exists = default_storage.exists
    # As in S3, where a folder is only a prefix: no object "opendata" ever exists.
    patch_storage(monkeypatch, "exists", lambda name: name != bulk.FOLDER and real_exists(name))
    first = client.get("/api/bulk/places.zip")
    builds = []
    monkeypatch.setattr(bulk, "build", lambda dataset: builds.append(dataset) or b"")
    again = client.get("/api/bulk/places.zip")
    assert again.status_code == 200
    assert again.content == first.content
    assert builds == []
