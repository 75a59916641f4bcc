"""A print batch's ZIP, built once in the background and then served as a file.

Drawing a batch's artwork takes minutes (every plate in PDF, SVG and PNG, the imposed sheets), far
longer than a request may last. So a task (`build_batch_file`, run by the worker process)
builds the ZIP into the "batches" storage (a private folder on disk, or the bucket's private/
prefix), drawing the plates on every core, and counts the plates done as it goes; the batch's
page shows that count as a bar. Downloads then serve the stored file with its size, an ETag and
byte ranges, so an interrupted download resumes where it stopped.

The file is of the batch as its fingerprint says: the batch's options and, for every plate, what
its artwork shows (the record a scan of it lands on, its name, unit, kind and template) and its
status, and the artwork code itself. When any of it changes the fingerprint does, and the next
download or visit of the batch's page builds the file again; until then the same file is served.
A build that fails keeps the previous complete file out of reach (it is of another fingerprint)
and says why; "Try again" starts a new build. Nothing partial is ever served: the ZIP is written to
a temporary file and stored under its name only when complete.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import logging
import multiprocessing
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import astuple
from pathlib import Path

import django
from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.tasks import task
from django.utils import timezone, translation
from django.utils.http import http_date
from django.utils.translation import gettext as _

from qrplates import artwork
from qrplates.artwork.archive import BatchItem, batch_files, stream_zip
from qrplates.batches import batch_items
from qrplates.models import BatchFile, PrintBatch

logger = logging.getLogger(__name__)

# Progress is written at most this often (seconds): the page shows it, the database is spared.
PROGRESS_EVERY = 1.0
# A build that has not moved for this long was cut short (the worker stopped): it can be retried.
STALLED_AFTER = datetime.timedelta(minutes=10)
CHUNK = 1 << 20


def storage():
    return storages["batches"]


@functools.cache
def artwork_version() -> str:
    """The artwork code's own fingerprint: a release that draws plates differently makes every
    batch's file stale."""
    digest = hashlib.sha256()
    for source in sorted(Path(artwork.__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def fingerprint(batch: PrintBatch, items: Iterable[BatchItem]) -> str:
    """What the batch's ZIP is made from, as a hash (also the download's ETag)."""
    digest = hashlib.sha256()
    options = [
        artwork_version(),
        settings.LANGUAGE_CODE,
        batch.folder_name,
        batch.name,
        batch.template,
        batch.error_correction,
        batch.png_dpi,
        batch.sheet,
    ]
    digest.update(json.dumps(options).encode())
    for item in items:
        digest.update(
            json.dumps(
                [
                    *astuple(item.plate),
                    item.template.name,
                    str(item.status),
                    item.withheld,
                    item.problem,
                ]
            ).encode()
        )
    return digest.hexdigest()


def current_fingerprint(batch: PrintBatch) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return fingerprint(batch, batch_items(batch))


def has_file(state: BatchFile, wanted: str) -> bool:
    """Whether the stored file is of the fingerprint `wanted` (and still in storage)."""
    return bool(state.name) and state.built_fingerprint == wanted and storage().exists(state.name)


def state_of(batch: PrintBatch, wanted: str) -> BatchFile | None:
    """The batch's file record with its status as it stands for the fingerprint `wanted`: "ready"
    when the stored file is of it, a stalled build shown as failed."""
    state = BatchFile.objects.filter(batch=batch).first()
    if state is None:
        return None
    if has_file(state, wanted):
        state.status = BatchFile.Status.READY
    elif state.fingerprint != wanted or state.status == BatchFile.Status.READY:
        # Built (or being built) from the batch as it was, or its file is gone: to build again.
        return None
    elif (
        state.status == BatchFile.Status.BUILDING
        and state.started_at is not None
        and timezone.now() - state.updated_at > STALLED_AFTER
    ):
        state.status = BatchFile.Status.FAILED
        state.error = _("The build stopped half-way (the worker was stopped or restarted).")
    return state


def ensure_built(batch: PrintBatch, *, retry: bool = False) -> BatchFile:
    """The batch's file, ready, or being built: starts a build when the stored
    file is not of the batch as it is now and none is under way. A failed build is started again
    only when `retry` is asked for (the "Try again" button)."""
    wanted = current_fingerprint(batch)
    state = state_of(batch, wanted)
    if state is not None and (state.status != BatchFile.Status.FAILED or not retry):
        return state
    with transaction.atomic():
        state, _created = BatchFile.objects.select_for_update().get_or_create(
            batch=batch, defaults={"status": BatchFile.Status.QUEUED, "fingerprint": wanted}
        )
        state.status = BatchFile.Status.QUEUED
        state.fingerprint = wanted
        state.done = 0
        state.total = batch.plates.count()
        state.error = ""
        state.started_at = None
        state.save()
    # After the commit of the row the build reports to (with TASKS_IMMEDIATE, and in tests, the
    # build runs here and now).
    build_batch_file.enqueue(batch.pk)
    state.refresh_from_db()
    return state


def drawing_processes() -> int:
    return settings.BATCH_BUILD_PROCESSES or os.cpu_count() or 1


def pool() -> Executor | nullcontext:
    """The processes that draw the plates; with one, this process draws them itself."""
    processes = drawing_processes()
    if processes <= 1:
        return nullcontext()
    # "spawn": fresh interpreters, no copy of this process's database connections or threads;
    # each sets Django up once (settings, translations), then only draws.
    return ProcessPoolExecutor(
        processes, mp_context=multiprocessing.get_context("spawn"), initializer=django.setup
    )


@task(queue_name="print")
def build_batch_file(batch_pk: int) -> None:
    """The task: the batch's ZIP as the batch is now, into storage, with progress."""
    batch = PrintBatch.objects.filter(pk=batch_pk).first()
    if batch is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        items = list(batch_items(batch))
        wanted = fingerprint(batch, items)
    state, _created = BatchFile.objects.get_or_create(
        batch=batch, defaults={"status": BatchFile.Status.QUEUED, "fingerprint": wanted}
    )
    if has_file(state, wanted):
        BatchFile.objects.filter(pk=batch_pk).update(status=BatchFile.Status.READY)
        return
    now = timezone.now()
    BatchFile.objects.filter(pk=batch_pk).update(
        status=BatchFile.Status.BUILDING,
        fingerprint=wanted,
        done=0,
        total=len(items),
        error="",
        started_at=now,
        updated_at=now,
    )
    last = [now]

    def progress(done: int) -> None:
        moment = timezone.now()
        if (moment - last[0]).total_seconds() >= PROGRESS_EVERY or done == len(items):
            last[0] = moment
            BatchFile.objects.filter(pk=batch_pk).update(done=done, updated_at=moment)

    try:
        with tempfile.TemporaryFile() as scratch, pool() as drawing:
            for chunk in zip_chunks(batch, items, drawing, progress):
                scratch.write(chunk)
            size = scratch.tell()
            scratch.seek(0)
            stored = f"{batch.pk}/{batch.folder_name}-{wanted[:16]}.zip"
            name = storage().save(stored, File(scratch))
    except Exception as failure:
        logger.exception("Print batch %s: building its ZIP failed", batch_pk)
        with translation.override(settings.LANGUAGE_CODE):
            reason = str(failure) if isinstance(failure, artwork.ArtworkError) else ""
            error = _("The files could not be built: %(reason)s") % {
                "reason": reason or type(failure).__name__
            }
        # Unless a newer build of a changed batch was asked for meanwhile.
        BatchFile.objects.filter(pk=batch_pk, fingerprint=wanted).update(
            status=BatchFile.Status.FAILED, error=error, updated_at=timezone.now()
        )
        raise
    previous = BatchFile.objects.get(pk=batch_pk).name
    # What the manifest's problem column says, for the batch's page and the print shop's link.
    flagged = [item.withheld for item in items if item.withheld]
    flagged += [item.problem for item in items if item.problem]
    if flagged:
        logger.warning("Print batch %s: %d plates flagged in its manifest", batch_pk, len(flagged))
    BatchFile.objects.filter(pk=batch_pk).update(
        name=name,
        built_fingerprint=wanted,
        size=size,
        built_at=timezone.now(),
        flagged="\n".join(flagged),
    )
    # Ready, unless a newer build of a changed batch was asked for meanwhile (it stays queued).
    BatchFile.objects.filter(pk=batch_pk, fingerprint=wanted).update(
        status=BatchFile.Status.READY, done=len(items), updated_at=timezone.now()
    )
    if previous and previous != name:
        storage().delete(previous)


def zip_chunks(
    batch: PrintBatch, items: list[BatchItem], drawing: Executor | None, progress
) -> Iterator[bytes]:
    files = batch_files(
        items,
        dpi=batch.png_dpi,
        sheet=artwork.SHEETS[batch.sheet],
        title=batch.name,
        error_correction=batch.error_correction,
        language=settings.LANGUAGE_CODE,
        pool=drawing,
        progress=progress,
    )
    return stream_zip(files, root=batch.folder_name)


# Serving the file: its size, an ETag, Last-Modified, and one byte range (a resumed download).

RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def file_response(request: HttpRequest, state: BatchFile) -> HttpResponse:
    """The stored ZIP as a download: whole (200, Content-Length), or the one byte range asked for
    (206, Content-Range) when the client resumes, unless If-Range names another version (the
    batch was rebuilt meanwhile: the whole new file). A range outside the file gets 416."""
    etag = f'"{state.built_fingerprint}"'
    size = state.size
    span = None
    asked = RANGE.fullmatch(request.headers.get("Range", "").strip())
    if_range = request.headers.get("If-Range")
    if asked and (if_range is None or if_range == etag):
        first, last = asked.groups()
        if first:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        elif last:
            start, end = max(size - int(last), 0), size - 1
        else:
            start, end = 0, -1
        if start > end or start >= size:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        span = (start, end)
    handle = storage().open(state.name, "rb")
    filename = f"{state.batch.folder_name}.zip"
    if span is None:
        response = FileResponse(
            handle, as_attachment=True, filename=filename, content_type="application/zip"
        )
        response["Content-Length"] = str(size)
    else:
        start, end = span
        handle.seek(start)
        response = StreamingHttpResponse(
            _read(handle, end - start + 1), status=206, content_type="application/zip"
        )
        response["Content-Length"] = str(end - start + 1)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(state.built_at.timestamp())
    # A link-preview bot or a proxy must not keep a copy of a print run.
    response["Cache-Control"] = "private, no-store"
    return response


def _read(handle, length: int) -> Iterator[bytes]:
    try:
        while length > 0:
            data = handle.read(min(CHUNK, length))
            if not data:
                break
            length -= len(data)
            yield data
    finally:
        handle.close()
