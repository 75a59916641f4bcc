"""The plates' background work (Django's task framework; the worker runs it, see
docs/operations.md)."""

from __future__ import annotations

from django.tasks import task

from qrplates import batch_files


@task(queue_name="print")
def build_batch_file(batch_pk: int) -> None:
    """Builds the print batch's ZIP into storage (`qrplates.batch_files.build`)."""
    batch_files.build(batch_pk)
