"""The background work with its real worker: a task enqueued by one process waits in the database
(django-tasks-db) until `manage.py db_worker`, another process, runs it. The rest of the suite runs
tasks at once (tests/conftest.py); this test runs what production runs, on its own SQLite file."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

QUEUE_A_BATCH = """
from qrplates import batch_files, batches, services
from qrplates.models import BatchFile, Plate
from sites.models import AdminUnit, Status, Street

street = Street.objects.create(
    name_vi="Phố Thử Tiến Trình", name_en="Worker Test Street", status=Status.PUBLISHED,
    unit=AdminUnit.objects.communes().get(code="05986"),
)
plates = [services.plate_mint(target=street, label=str(n)) for n in range(3)]
for plate in plates:
    services.plate_transition(plate=plate, status=Plate.Status.ARTWORK_APPROVED)
batch = batches.batch_create(name="Tiến trình nền", plates=plates)
batch.png_dpi = 72
batch.save()
state = batch_files.ensure_built(batch)
print(state.status)
"""

READ_THE_FILE = """
import json
from qrplates.models import BatchFile
from django.core.files.storage import storages

state = BatchFile.objects.get()
print(json.dumps({"status": state.status, "done": state.done, "total": state.total,
                  "path": storages["batches"].path(state.name), "size": state.size}))
"""


def manage(env: dict, *args: str, timeout: int = 300) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_a_worker_process_builds_a_batch_enqueued_by_another(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "BATCH_FILES_DIR": str(tmp_path / "batches"),
        "IMPORT_PENDING_DIR": str(tmp_path / "imports"),
        # Two drawing processes beside the worker: the pool production uses.
        "BATCH_BUILD_PROCESSES": "2",
    }
    env.pop("TASKS_IMMEDIATE", None)
    manage(env, "migrate", "--noinput", "-v0")
    assert manage(env, "shell", "-c", QUEUE_A_BATCH).split()[-1] == "queued"

    # The worker runs what is queued, then stops (--batch).
    manage(env, "db_worker", "--queue-name", "*", "--batch", "--no-reload", "--no-startup-delay")

    state = json.loads(manage(env, "shell", "-c", READ_THE_FILE).splitlines()[-1])
    assert (state["status"], state["done"], state["total"]) == ("ready", 3, 3)
    content = Path(state["path"]).read_bytes()
    assert len(content) == state["size"]
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    for folder in ("pdf", "svg", "png"):
        assert sum(f"/{folder}/" in name for name in names) == 3
    assert any(name.endswith("/manifest.csv") for name in names)
