"""A print batch's ZIP is built in the background into storage, its progress shown on the batch's
page, then downloaded as a file (size, ETag, resumable byte ranges), and built again only when the
batch changes. A failed build says why, serves nothing, and can be tried again."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.storage import storages
from django.urls import reverse

from qrplates import batch_files, batches
from qrplates.models import BatchFile
from tests.qrplates.test_artwork_batches import approve, manifest

pytestmark = pytest.mark.django_db


def download_url(batch) -> str:
    return reverse("admin:qrplates_printbatch_download", args=[batch.pk])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def stored_files() -> list[str]:
    storage = storages["batches"]
    try:
        folders, _files = storage.listdir("")
    except FileNotFoundError:
        return []
    return [f"{folder}/{name}" for folder in folders for name in storage.listdir(folder)[1]]


def test_the_zip_is_built_once_and_downloaded_whole_or_in_ranges(sent_batch, printer_client):
    whole = printer_client.get(download_url(sent_batch))
    assert whole.status_code == 200 and whole["Content-Type"] == "application/zip"
    content = body(whole)
    assert int(whole["Content-Length"]) == len(content)
    assert whole["Accept-Ranges"] == "bytes" and whole["ETag"].startswith('"')
    assert "Content-Encoding" not in whole
    assert zipfile.ZipFile(io.BytesIO(content)).testzip() is None

    # A resumed download: the rest of the file from where it stopped, the same file.
    resumed = printer_client.get(
        download_url(sent_batch), HTTP_RANGE="bytes=1000-", HTTP_IF_RANGE=whole["ETag"]
    )
    assert resumed.status_code == 206
    assert resumed["Content-Range"] == f"bytes 1000-{len(content) - 1}/{len(content)}"
    assert body(resumed) == content[1000:]
    assert int(resumed["Content-Length"]) == len(content) - 1000
    tail = printer_client.get(download_url(sent_batch), HTTP_RANGE="bytes=-10")
    assert tail.status_code == 206 and body(tail) == content[-10:]
    # Resuming against another version of the file gets the whole current file.
    stale = printer_client.get(
        download_url(sent_batch), HTTP_RANGE="bytes=1000-", HTTP_IF_RANGE='"another"'
    )
    assert stale.status_code == 200 and body(stale) == content
    outside = printer_client.get(download_url(sent_batch), HTTP_RANGE=f"bytes={len(content)}-")
    assert outside.status_code == 416 and outside["Content-Range"] == f"bytes */{len(content)}"

    # Downloading again builds nothing: the same file, the same ETag.
    built_at = BatchFile.objects.get(batch=sent_batch).built_at
    again = printer_client.get(download_url(sent_batch))
    assert again["ETag"] == whole["ETag"] and body(again) == content
    assert BatchFile.objects.get(batch=sent_batch).built_at == built_at
    assert len(stored_files()) == 1


def test_a_change_to_what_a_plate_shows_builds_the_zip_again(sent_batch, printer_client):
    first = printer_client.get(download_url(sent_batch))
    body(first)
    record = sent_batch.plates.order_by("code").first().landing()
    record.name_en = "Renamed For The Test"
    record.save()
    second = printer_client.get(download_url(sent_batch))
    assert second["ETag"] != first["ETag"]
    rows = manifest(zipfile.ZipFile(io.BytesIO(body(second))))
    assert "Renamed For The Test" in [row["name_en"] for row in rows]
    # The old file is gone from storage; only the current one is kept.
    assert len(stored_files()) == 1
    # A file removed from storage by hand is built again, never a 500.
    storages["batches"].delete(stored_files()[0])
    third = printer_client.get(download_url(sent_batch))
    assert third.status_code == 200 and third["ETag"] == second["ETag"]
    assert zipfile.ZipFile(io.BytesIO(body(third))).testzip() is None


def test_the_batch_page_shows_the_build_moving_and_refreshes_itself(
    sent_batch, staff_client, settings
):
    # No worker: the task waits in the queue.
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.dummy.DummyBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    page = staff_client.get(sent_batch.get_absolute_url())
    assert "Download the ZIP" in page.content.decode() or "Tải" in page.content.decode()
    assert staff_client.get(download_url(sent_batch)).status_code == 302
    BatchFile.objects.filter(batch=sent_batch).update(
        status=BatchFile.Status.BUILDING, done=3, total=4
    )
    html = staff_client.get(sent_batch.get_absolute_url()).content.decode()
    assert re.search(r'<progress max="4" value="3">75%</progress>', html)
    assert '<meta http-equiv="refresh" content="3">' in html
    assert "Đang vẽ các biển: 3 / 4." in html
    # The print shop's link shows the same, on a page refreshing itself.
    link = reverse("qrplates:batch-download", args=[batches.download_token(sent_batch)])
    waiting = staff_client.get(link)
    assert waiting.status_code == 200 and waiting["Content-Type"].startswith("text/html")
    assert '<meta http-equiv="refresh" content="3">' in waiting.content.decode()


def test_a_failed_build_says_why_serves_nothing_and_can_be_tried_again(
    sent_batch, staff_client, monkeypatch
):
    real = batch_files.zip_chunks

    def broken(*args):
        yield b"PK half a zip"
        raise OSError("disk full")

    monkeypatch.setattr(batch_files, "zip_chunks", broken)
    response = staff_client.get(download_url(sent_batch))
    assert response.status_code == 302  # to the batch's page, which says why
    html = staff_client.get(sent_batch.get_absolute_url()).content.decode()
    assert "Không tạo được các tệp: OSError" in html and "Thử lại" in html
    assert "refresh" not in html
    assert stored_files() == []
    # Asking again does not loop on the failure: only "Try again" builds anew.
    assert staff_client.get(download_url(sent_batch)).status_code == 302
    assert BatchFile.objects.get(batch=sent_batch).status == BatchFile.Status.FAILED

    monkeypatch.setattr(batch_files, "zip_chunks", real)
    retry = staff_client.post(reverse("admin:qrplates_printbatch_build", args=[sent_batch.pk]))
    assert retry.status_code == 302
    assert BatchFile.objects.get(batch=sent_batch).status == BatchFile.Status.READY
    download = staff_client.get(download_url(sent_batch))
    assert download.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(body(download))).testzip() is None


def test_sending_a_batch_starts_building_its_files(demo_plates, staff, staff_client, printer):
    plates = demo_plates[:2]
    approve(plates)
    batch = batches.batch_create(name="Gửi", plates=plates, by=staff)
    batch.png_dpi = 72
    batch.printer = printer
    batch.save()
    staff_client.post(reverse("admin:qrplates_printbatch_send", args=[batch.pk]))
    assert BatchFile.objects.get(batch=batch).status == BatchFile.Status.READY
