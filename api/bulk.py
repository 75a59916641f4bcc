"""Bulk files: each dataset whole, as one ZIP at a stable address (`/api/bulk/places.zip`), for
portals, harvesters and mappers that take a dataset rather than query it.

A file holds exactly what the API's whole-list exports give an anonymous client, in every
language (`?lang=all`): the CSV, the GeoJSON for datasets on a map (routes: a LineString each),
the JSON of every page for datasets whose records nest (routes and their stops), and a README
with the licence and the attribution. Only published records, then (the exports read through
`sites.roles` or `.published()`, built on `published_q`): a record withdrawn or unpublished
leaves the file at the next rebuild.

Files live in Django's default storage (MEDIA_ROOT or S3), under `opendata/`, named after the
hash of their bytes (`places-<16 hex>.zip`): building the same content again writes nothing, a
new content is a new file and the old one is deleted, and the hash is the ETag.

`rebuild_bulk_files` is a task (`django.tasks`): enqueued once per commit that changed something
visitors see (`sites.signals.content_changed`, connected in `api.apps`). With Django's immediate
backend (no TASKS setting) it runs right after the commit; with a worker backend, in the worker.
The files are served by `api.opendata.BulkFileView`.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import re
import threading
import zipfile
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.tasks import task
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from api.renderers import attribution
from api.views import PersonViewSet, PlaceViewSet, PlateViewSet, RouteViewSet, UnitViewSet

logger = logging.getLogger(__name__)

FOLDER = "opendata"
# Inside the ZIP: one date for every entry, so that the same content gives the same bytes.
ENTRY_DATE = (2025, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Dataset:
    name: str
    view: type[GenericViewSet]
    formats: tuple[str, ...]

    @property
    def path(self) -> str:
        """The API list it is the whole of."""
        return f"/api/v1/{self.name}/"


DATASETS = {
    dataset.name: dataset
    for dataset in (
        Dataset("places", PlaceViewSet, ("csv", "geojson")),
        Dataset("people", PersonViewSet, ("csv",)),
        Dataset("units", UnitViewSet, ("csv", "geojson")),
        Dataset("plates", PlateViewSet, ("csv",)),
        Dataset("routes", RouteViewSet, ("json", "geojson")),
    )
}


class PublicRequest(HttpRequest):
    """An anonymous GET of the API at the public address (PUBLIC_BASE_URL): what a bulk file
    holds is what that request is answered, links included."""

    def __init__(self, path: str, query: dict[str, str]) -> None:
        super().__init__()
        self.method = "GET"
        self.path = self.path_info = path
        self.GET = QueryDict(mutable=True)
        self.GET.update(query)
        self.META = {"QUERY_STRING": self.GET.urlencode(), "HTTP_ACCEPT": "*/*"}
        self.user = AnonymousUser()

    def get_host(self) -> str:
        return urlsplit(settings.PUBLIC_BASE_URL).netloc

    def _get_scheme(self) -> str:
        return urlsplit(settings.PUBLIC_BASE_URL).scheme


def get(dataset: Dataset, query: dict[str, str]) -> Response:
    """An anonymous, unthrottled GET of the list of `dataset`, every language."""
    view = dataset.view.as_view({"get": "list"}, throttle_classes=[])
    response = view(PublicRequest(dataset.path, {**query, "lang": "all"}))
    response.render()
    if response.status_code != 200:
        raise RuntimeError(f"{dataset.path}?{query} answered {response.status_code}")
    return response


def export(dataset: Dataset, format: str) -> bytes:
    """The API's whole-list export of `dataset` in `format`; for JSON, which the API pages, the
    results of every page in one array."""
    if format != "json":
        return get(dataset, {"format": format}).content
    results, page = [], 1
    while True:
        data = get(dataset, {"page": str(page), "page_size": str(settings.API_MAX_PAGE_SIZE)}).data
        results += data["results"]
        if not data["next"]:
            return JSONRenderer().render(results)
        page += 1


def readme(dataset: Dataset) -> str:
    licence = settings.DATA_LICENCE
    return (
        f"Streetinfo Lạng Sơn: {dataset.name}\n\n"
        f"Source: {settings.PUBLIC_BASE_URL}{dataset.path}\n"
        f"Licence: {licence['name']} ({licence['url']})\n"
        f"Attribution: {attribution()}\n\n"
        "Everything published on the portal, nothing else, in every language: a column or "
        "property `name.vi`, `name.en`... per language (in JSON, an object per text: "
        '{"vi": ..., "en": ...}).\n'
    )


def build(dataset: Dataset) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        entries = [
            (f"{dataset.name}.{format}", export(dataset, format)) for format in dataset.formats
        ]
        entries.append(("README.txt", readme(dataset).encode("utf-8")))
        for name, data in entries:
            archive.writestr(zipfile.ZipInfo(name, ENTRY_DATE), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


@dataclass(frozen=True)
class StoredFile:
    name: str  # in the storage
    digest: str

    @property
    def etag(self) -> str:
        return f'"{self.digest}"'

    def modified(self) -> datetime.datetime:
        """When the dataset's content last changed: a file is only written when it did."""
        return default_storage.get_modified_time(self.name)

    def size(self) -> int:
        return default_storage.size(self.name)

    def read(self) -> bytes:
        with default_storage.open(self.name, "rb") as file:
            return file.read()


def stored_pattern(dataset: str) -> re.Pattern:
    return re.compile(rf"{re.escape(dataset)}-(?P<digest>[0-9a-f]{{16}})\.zip")


def stored_files(dataset: str) -> list[str]:
    try:
        # (Not `exists(FOLDER)` first: in S3 a folder is only a prefix, never an object.)
        _folders, files = default_storage.listdir(FOLDER)
    except FileNotFoundError:  # on disk, before the first file
        return []
    return [name for name in files if name.startswith(f"{dataset}-")]


def current(dataset: str) -> StoredFile | None:
    """The file of `dataset` now served: the newest, if a rebuild is under way."""
    pattern = stored_pattern(dataset)
    found = [
        (default_storage.get_modified_time(f"{FOLDER}/{name}"), match["digest"], name)
        for name in stored_files(dataset)
        if (match := pattern.fullmatch(name))
    ]
    if not found:
        return None
    _time, digest, name = max(found)
    return StoredFile(f"{FOLDER}/{name}", digest)


def rebuild(dataset: Dataset) -> StoredFile:
    data = build(dataset)
    digest = hashlib.sha256(data).hexdigest()[:16]
    name = f"{FOLDER}/{dataset.name}-{digest}.zip"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(data))
    for other in stored_files(dataset.name):
        if f"{FOLDER}/{other}" != name:
            default_storage.delete(f"{FOLDER}/{other}")
    return StoredFile(name, digest)


@task
def rebuild_bulk_files(names: list[str] | None = None) -> list[str]:
    """Builds the bulk files of the datasets `names` (all by default) again; a file whose content
    did not change is left as it is. Returns the stored names."""
    return [rebuild(DATASETS[name]).name for name in names or DATASETS]


# --- after a change ------------------------------------------------------------------------------

_changes = threading.local()


def content_changed(sender: type, instance: object, **kwargs) -> None:
    """The receiver of `sites.signals.content_changed` (connected in `api.apps`): the bulk files
    are rebuilt once the transaction commits, once per commit however many rows it changed (an
    import of a thousand rows is one rebuild). A module-level function: signals hold receivers
    by weak reference (tests/test_signals.py)."""
    _changes.pending = True
    transaction.on_commit(_committed)


def _committed() -> None:
    if not getattr(_changes, "pending", False):  # an earlier callback of this commit enqueued
        return
    _changes.pending = False
    try:
        rebuild_bulk_files.enqueue()
    except Exception:
        # The change is committed: a task queue that cannot be reached must not turn the save
        # into an error. The files catch up with the next change.
        logger.exception("Could not enqueue the rebuild of the bulk files")
