"""Shared by the benchmarks: Django on a throwaway SQLite database holding the demo content
(or on DATABASE_URL when it is set), uploads in a temporary folder."""

import os
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_with_demo() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="streetinfo-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'bench.sqlite3'}")
    os.environ["MEDIA_ROOT"] = str(scratch / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "streetinfo.settings")
    # WhiteNoise looks for collected static files; the pages are what is measured here.
    warnings.filterwarnings("ignore", message="No directory at")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    from sites.demo import load_demo

    load_demo()
