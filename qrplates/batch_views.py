"""Print batch downloads: the streamed ZIP, and the signed link a print shop without an account
uses. (The admin serves the same ZIP to staff and printer accounts.)"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from qrplates import batches
from qrplates.models import PrintBatch


def batch_zip_response(batch: PrintBatch, language: str) -> StreamingHttpResponse:
    """The batch's ZIP, streamed: the download starts with the first plate, and the server
    never holds the whole archive. `language` is the language of the manifest's labels and the
    files' notes."""
    response = StreamingHttpResponse(
        batches.batch_zip(batch, language=language),
        content_type="application/zip",
    )
    response["Content-Disposition"] = f'attachment; filename="{batch.folder_name}.zip"'
    # A link-preview bot or a proxy must not keep a copy of a print run.
    response["Cache-Control"] = "private, no-store"
    return response


def batch_download(request: HttpRequest, token: str) -> HttpResponse:
    """GET /artwork/<token>/: the batch a signed, unexpired, unrevoked link names."""
    batch = batches.batch_for_token(token, max_age=batches.LINK_LIFETIME)
    if batch is None:
        return render(request, "qrplates/artwork_link_invalid.html", status=404)
    # No account, no language preference: the print shop's notes are in Vietnamese.
    return batch_zip_response(batch, settings.LANGUAGE_CODE)
