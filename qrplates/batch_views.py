"""Print batch downloads: the stored ZIP (built in the background, `qrplates.batch_files`), and the
signed link a print shop without an account uses. (The admin serves the same file to staff and
printer accounts.) While the file is being built, the link shows how far it is and refreshes
itself; once built, the same link is the download."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from qrplates import batch_files, batches
from qrplates.models import BatchFile

# Seconds between two refreshes of a page following a build.
REFRESH_SECONDS = 3


def building(state: BatchFile) -> bool:
    return state.status in (BatchFile.Status.QUEUED, BatchFile.Status.BUILDING)


@require_http_methods(["GET", "HEAD", "POST"])
def batch_download(request: HttpRequest, token: str) -> HttpResponse:
    """/artwork/<token>/: the batch a signed, unexpired, unrevoked link names: its ZIP when
    built, else how far its build is (a page refreshing itself), or why it failed with a button
    that tries again (POST)."""
    batch = batches.batch_for_token(token, max_age=batches.LINK_LIFETIME)
    if batch is None:
        return render(request, "qrplates/artwork_link_invalid.html", status=404)
    state = batch_files.ensure_built(batch, retry=request.method == "POST")
    if request.method == "POST":
        return HttpResponseRedirect(request.path)
    if state.status == BatchFile.Status.READY:
        return batch_files.file_response(request, state)
    response = render(
        request,
        "qrplates/batch_file_progress.html",
        {"batch": batch, "state": state, "refresh": REFRESH_SECONDS if building(state) else 0},
    )
    response["Cache-Control"] = "private, no-store"
    return response
