"""A logical backup (dumpdata) restored into an empty database (loaddata) gives back the same
portal: the same public pages, the same scan answers, the same plate codes."""

import re

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client
from django.utils import translation

# As in docs/operations.md: content types and permissions are rebuilt by migrate; sessions and
# the admin's own log are not worth restoring.
EXCLUDE = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]
PHONE = "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36"
# Per-response values (CSP nonces, CSRF tokens) are not content.
PER_RESPONSE = re.compile(rb'(nonce|csrfmiddlewaretoken" value)="[^"]*"')


def public_urls() -> list[str]:
    from qrplates.models import Plate
    from sites.models import AdminUnit, Person, Place

    urls = ["/vi/", "/en/", "/vi/search/?q=hoang+van+thu", "/en/search/?q=ky+lua", "/sitemap.xml"]
    urls += ["/api/v1/places/?lang=all", "/api/v1/plates/"]
    for language in ("vi", "en"):
        with translation.override(language):
            urls += [p.get_absolute_url() for p in Place.objects.published()]
            urls += [p.get_absolute_url() for p in Person.objects.published()]
            urls += [u.get_absolute_url() for u in AdminUnit.objects.filter(places__isnull=False)]
    urls += [f"/Q/{code}" for code in Plate.objects.values_list("code", flat=True)]
    return sorted(set(urls))


def snapshot(urls: list[str]) -> dict[str, tuple[int, bytes]]:
    for cache in caches.all():
        cache.clear()
    client = Client(HTTP_USER_AGENT=PHONE, HTTP_ACCEPT_LANGUAGE="vi")
    pages = {}
    for url in urls:
        response = client.get(url)
        pages[url] = (response.status_code, PER_RESPONSE.sub(rb"\1", response.content))
    return pages


def empty_the_database() -> None:
    """`flush`, inside the test's transaction. PostgreSQL refuses to TRUNCATE tables with
    deferred constraint checks pending: run them first, then defer again for loaddata."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.mark.django_db
def test_a_dump_loaded_into_an_empty_database_serves_the_same_portal(demo, staff, tmp_path):
    from django.contrib.auth.models import Group, User

    from qrplates.demo import mint_demo_plates
    from qrplates.models import Plate, PlateScanDay
    from qrplates.services import plate_mint
    from sites.models import Place, Status, Street

    mint_demo_plates()
    editor = User.objects.create_user("bien-tap", password="pw-editor-2", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    urls = public_urls()
    assert sum(url.startswith("/Q/") for url in urls) == Plate.objects.count() >= 30
    before = snapshot(urls)
    assert all(status == 200 for status, _body in before.values())
    codes = dict(Plate.objects.values_list("code", "place_id"))
    scans = dict(PlateScanDay.objects.values_list("plate__code", "count"))
    assert scans  # the snapshot's scans were counted
    permissions = set(editor.get_all_permissions())
    assert permissions

    # XML, not JSON: Django's JSON encoder cuts times to milliseconds, and every record's
    # published and updated times (the API's updated_since, the pages' ETags) would move.
    dump = tmp_path / "streetinfo.xml"
    call_command("dumpdata", natural_foreign=True, exclude=EXCLUDE, format="xml", output=str(dump))

    empty_the_database()
    assert not Plate.objects.exists() and not Place.objects.exists()
    emptied = snapshot([url for url in urls if url.startswith("/Q/")][:3])
    assert all(status == 404 for status, _body in emptied.values())

    call_command("loaddata", str(dump), verbosity=0)

    assert dict(Plate.objects.values_list("code", "place_id")) == codes
    assert dict(PlateScanDay.objects.values_list("plate__code", "count")) == scans
    # Roles hold their permissions through natural keys, whatever ids migrate gave them.
    assert set(User.objects.get(username="bien-tap").get_all_permissions()) == permissions
    assert User.objects.get(username="editor").check_password("pw-editor-1")
    after = snapshot(urls)
    changed = [url for url in urls if after[url] != before[url]]
    assert not changed, changed

    # The restored database goes on working: new rows get fresh ids, plates fresh codes.
    street = Street.objects.create(name_vi="Phố Sau Khôi Phục", status=Status.PUBLISHED)
    plate = plate_mint(target=street)
    assert plate.code not in codes
    assert Client(HTTP_USER_AGENT=PHONE).get(f"/Q/{plate.code}").status_code == 200
