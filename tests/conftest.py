import os
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client, RequestFactory
from django.utils import translation


def pytest_configure(config):
    """Parallel workers (`pytest -n 2`, as .ci/run runs the suite) share one Redis when the
    settings use it: each worker gets the next database number after the configured one, since
    every test starts by emptying its caches."""
    from django.conf import settings

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1, …
    if not worker.startswith("gw"):
        return
    for cache in settings.CACHES.values():
        if cache["BACKEND"].endswith(".RedisCache"):
            location = urlsplit(cache["LOCATION"])
            database = int(location.path.strip("/") or 0) + int(worker[2:])
            cache["LOCATION"] = location._replace(path=f"/{database % 16}").geturl()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads and print batches' files in tests go to a temporary folder, never into the
    project."""
    settings.MEDIA_ROOT = tmp_path / "media"
    if settings.STORAGES["batches"]["BACKEND"].endswith("FileSystemStorage"):
        settings.STORAGES = {
            **settings.STORAGES,
            "batches": {
                **settings.STORAGES["batches"],
                "OPTIONS": {"location": tmp_path / "batches"},
            },
        }
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    """A task runs inside the call that enqueues it (Django's ImmediateBackend): a test sees its
    outcome at once. tests/test_tasks.py runs the real worker, on the database backend."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    # A print batch is drawn in the test's own process (tests/test_tasks.py uses the pool).
    settings.BATCH_BUILD_PROCESSES = 1


@pytest.fixture(autouse=True)
def fresh_caches(settings):
    """Each test starts with empty caches (the page cache would otherwise serve a page rendered
    from another test's data; the units' boundaries could be another test's edit, rolled back)
    and writes scan counts at once."""
    from django.core.cache import caches

    from lib.ratelimits import counters
    from qrplates.scans import scan_buffer
    from sites.models import forget_unit_boundaries

    for alias in settings.CACHES:
        caches[alias].clear()
    # The page cache's changes waiting for a commit that never came (a test's transaction is
    # rolled back): an earlier test's import left "every page" pending, and the next test's
    # change would wait for that commit instead of making its pages stale at once.
    from edge import pagecache

    pagecache.forget_pending()
    counters.forget()
    forget_unit_boundaries()
    scan_buffer.discard()
    settings.SCAN_COUNT_FLUSH_SECONDS = 0


@pytest.fixture(autouse=True)
def through_the_front_server(settings):
    """Production answers HTTPS only, and TLS ends at the front web server, which tells the app
    with SECURE_PROXY_SSL_HEADER. When the settings name that header (the production-settings
    run), the test client's requests arrive as production's do: with it, on port 443."""
    if not settings.SECURE_PROXY_SSL_HEADER:
        yield
        return
    header, value = settings.SECURE_PROXY_SSL_HEADER
    base_environ = RequestFactory._base_environ

    def environ(factory, **request):
        return base_environ(factory, **{header: value, "SERVER_PORT": "443", **request})

    # Its own patch, which a test's `monkeypatch.undo()` leaves in place.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RequestFactory, "_base_environ", environ)
        yield


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, in front of the app as production's front web server is:
    static files are served by WhiteNoise inside the app, from the collected, hashed files when
    DEBUG is off (pytest-django's handler would answer /static/ itself from the apps' folders,
    where hashed names do not exist); requests reach the app as tests/front.py says. Its own
    http:// origin stands for the https:// one a browser would send in production (CSRF)."""
    from django.test.utils import modify_settings
    from pytest_django.live_server_helper import LiveServer

    from tests.front import through_front_server

    host = request.config.getvalue("liveserver") or "localhost"
    server = LiveServer(host, start=False)
    server.thread.static_handler = through_front_server
    server.start()
    # pytest-django turns these settings on for each test that uses the live server.
    server._live_server_modified_settings = modify_settings(
        ALLOWED_HOSTS={"append": host}, CSRF_TRUSTED_ORIGINS={"append": server.url}
    )
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def vietnamese_by_default():
    """Each test starts in the default language, as a request without preferences would."""
    with translation.override("vi"):
        yield


@pytest.fixture
def demo(db):
    from sites.demo import load_demo

    return load_demo()


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("editor", "editor@example.org", "pw-editor-1")


@pytest.fixture
def staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


MANAGEMENT_INPUT = re.compile(
    r'name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)"[^>]*value="(\d*)"'
)


@pytest.fixture
def admin_form_data(staff_client):
    """The admin form's management fields (one per inline) plus the given values, ready to POST."""

    def build(url: str, values: dict) -> dict:
        page = staff_client.get(url).content.decode()
        data = dict(MANAGEMENT_INPUT.findall(page))
        data.update(values)
        return data

    return build


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostgreSQL features (pg_trgm): skipped on SQLite."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


def jpeg_bytes(width: int = 1600, height: int = 1000, color: str = "#4a7a3a", **save) -> bytes:
    """A real JPEG made with Pillow, for photo uploads in tests."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG", **save)
    return buffer.getvalue()


@pytest.fixture
def make_photo():
    """Photo rows with real image files (renditions are made on save)."""
    from django.core.files.base import ContentFile

    from sites.models import Photo

    def make(owner, *, caption: str = "", credit: str = "", width: int = 1600, **fields):
        relation = "person" if owner.__class__.__name__ == "Person" else "place"
        photo = Photo(
            **{relation: owner},
            caption=caption,
            credit=credit,
            **fields,
        )
        photo.image.save(
            f"photo-{width}.jpg", ContentFile(jpeg_bytes(width, width * 5 // 8)), save=False
        )
        photo.save()
        return photo

    return make
