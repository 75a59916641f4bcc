"""Where uploads go (local disk or S3-compatible object storage) and how the database connects,
as the settings read them from the environment."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
S3_NAMES = (
    "S3_BUCKET",
    "S3_ENDPOINT_URL",
    "S3_REGION",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_CUSTOM_DOMAIN",
)
READ = (
    "import json, django; django.setup(); from django.conf import settings; "
    "db = settings.DATABASES['default']; "
    "print(json.dumps({'storage': settings.STORAGES['default'], 'db': {"
    "'CONN_MAX_AGE': db['CONN_MAX_AGE'], 'OPTIONS': db.get('OPTIONS', {})}}))"
)


def read_settings(**env: str) -> subprocess.CompletedProcess:
    unset = {*S3_NAMES, "DATABASE_URL", "DB_POOL", "DB_CONN_MAX_AGE", "DEBUG"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "-c", READ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "streetinfo.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_with(**env: str) -> dict:
    result = read_settings(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_uploads_stay_on_local_disk_by_default():
    storage = settings_with()["storage"]
    assert storage["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_a_bucket_moves_uploads_to_object_storage():
    storage = settings_with(
        S3_BUCKET="streetinfo-media",
        S3_ENDPOINT_URL="https://s3.example.vn",
        S3_REGION="hn-1",
        S3_ACCESS_KEY_ID="AKIAEXAMPLE",
        S3_SECRET_ACCESS_KEY="secret-example",
        S3_CUSTOM_DOMAIN="media.qr.langson.gov.vn",
    )["storage"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "streetinfo-media"
    assert options["endpoint_url"] == "https://s3.example.vn"
    assert options["region_name"] == "hn-1"
    assert (options["access_key"], options["secret_key"]) == ("AKIAEXAMPLE", "secret-example")
    assert options["custom_domain"] == "media.qr.langson.gov.vn"
    # Pages that link photos are cached: their URLs must not expire.
    assert options["querystring_auth"] is False


def test_a_bucket_alone_uses_the_servers_own_credentials():
    options = settings_with(S3_BUCKET="streetinfo-media")["storage"]["OPTIONS"]
    assert options["access_key"] is None and options["secret_key"] is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"S3_ENDPOINT_URL": "https://s3.example.vn", "S3_ACCESS_KEY_ID": "AKIAEXAMPLE"},
            "S3_ENDPOINT_URL, S3_ACCESS_KEY_ID set but S3_BUCKET is not",
        ),
        (
            {"S3_BUCKET": "media", "S3_ACCESS_KEY_ID": "AKIAEXAMPLE"},
            "S3_SECRET_ACCESS_KEY is not set: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go",
        ),
        (
            {"S3_BUCKET": "media", "S3_SECRET_ACCESS_KEY": "secret"},
            "S3_ACCESS_KEY_ID is not set",
        ),
        (
            {"S3_BUCKET": "media", "S3_ENDPOINT_URL": "s3.example.vn"},
            "S3_ENDPOINT_URL must be an http(s) URL",
        ),
    ],
)
def test_a_half_configured_bucket_stops_the_process_with_what_is_missing(env, message):
    result = read_settings(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


PG_URL = "postgres://u:p@db.example:5432/streetinfo"


def test_persistent_connections_by_default():
    db = settings_with(DATABASE_URL=PG_URL)["db"]
    assert db["CONN_MAX_AGE"] == 60
    assert "pool" not in db["OPTIONS"]
    # An unreachable server fails in seconds, not after the system's TCP timeout.
    assert db["OPTIONS"]["connect_timeout"] == 5


def test_db_pool_turns_on_psycopgs_pool_without_persistent_connections():
    db = settings_with(DATABASE_URL=PG_URL, DB_POOL="1", DB_POOL_MAX_SIZE="6")["db"]
    assert db["CONN_MAX_AGE"] == 0
    assert db["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 6, "timeout": 10}


def test_db_pool_needs_postgresql():
    result = read_settings(DB_POOL="1")
    assert result.returncode != 0
    assert "DB_POOL=1 needs PostgreSQL" in result.stderr


@pytest.mark.postgres
def test_the_pool_serves_queries_from_several_threads(db):
    """Django's own checks accept the pool settings, and connections come from the pool."""
    from django.conf import settings

    url = (
        f"postgres://{settings.DATABASES['default']['USER']}@"
        f"{settings.DATABASES['default']['HOST'] or '127.0.0.1'}:"
        f"{settings.DATABASES['default']['PORT'] or 5432}/{settings.DATABASES['default']['NAME']}"
    )
    code = """
import django
django.setup()
from concurrent.futures import ThreadPoolExecutor
from django.db import connection

def ask(i):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s", [i])
        value = cursor.fetchone()[0]
    connection.close()  # with a pool: hands the connection back
    return value

with ThreadPoolExecutor(4) as threads:
    values = sorted(threads.map(ask, range(12)))
print(values == list(range(12)), type(connection.pool).__name__)
"""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "streetinfo.settings",
            "DATABASE_URL": url,
            "DB_POOL": "1",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "ConnectionPool"]


@pytest.fixture
def s3_bucket(settings):
    """Uploads in a moto (in-process) S3 bucket, as with S3_BUCKET set."""
    moto = pytest.importorskip("moto")
    import boto3

    with moto.mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="streetinfo-media")
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": "streetinfo-media",
                    "region_name": "us-east-1",
                    "access_key": "testing",
                    "secret_key": "testing",
                    "querystring_auth": False,
                    "file_overwrite": False,
                },
            },
        }
        yield boto3.resource("s3", region_name="us-east-1").Bucket("streetinfo-media")


def test_a_photo_and_its_renditions_round_trip_through_object_storage(
    db, s3_bucket, make_photo, tmp_path
):
    from django.core.files.storage import default_storage
    from PIL import Image

    from lib.images import picture
    from sites.models import Status, Street

    street = Street.objects.create(name_vi="Phố Thử Kho", status=Status.PUBLISHED)
    photo = make_photo(street, caption="Ảnh thử", width=1200)

    keys = {obj.key for obj in s3_bucket.objects.all()}
    assert photo.image.name in keys
    folder = photo.renditions["folder"]
    for width in (320, 640, 1024):
        assert f"{folder}/{width}.webp" in keys and f"{folder}/{width}.jpg" in keys
    # Nothing was written to local disk.
    assert not any(tmp_path.rglob("*.webp"))

    body = s3_bucket.Object(f"{folder}/640.webp").get()["Body"].read()
    with Image.open(io.BytesIO(body)) as image:
        assert (image.format, image.width) == ("WEBP", 640)
        assert not image.getexif()

    shown = picture(photo.renditions, photo.image.url)
    assert "streetinfo-media" in shown.src
    assert "Signature" not in shown.src and "X-Amz" not in shown.src
    assert default_storage.url(f"{folder}/320.jpg") in shown.jpeg_srcset
