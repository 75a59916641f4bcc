from pathlib import Path

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.autoreload import autoreload_started
from django.utils.translation import gettext_lazy as _

# Receivers are module-level functions: a signal holds a weak reference to its receiver, so a
# function defined inside ready() is collected as soon as ready() returns. (With DEBUG on, Django's
# argument check happens to keep it alive through an lru_cache, which is how an invalidation that
# never ran in production passed every test: tests/test_signals.py now checks every receiver.)

# What public pages and scans show, filled in by SitesConfig.ready() once models are loaded.
SHOWN_MODELS: tuple[type, ...] = ()


def watch_inlined_css(sender, **kwargs) -> None:
    """The development server restarts when the inlined stylesheet changes: its hash, allowed by
    the Content-Security-Policy, is computed once at start (settings.INLINE_CSS_HASH)."""
    sender.watch_dir(Path(__file__).resolve().parent.parent / "static" / "css", "*.css")


def content_changed(sender, instance, **kwargs) -> None:
    """A record public pages show was saved or deleted: the cached pages (and static mode's
    files, a listener of the page cache) go stale."""
    if issubclass(sender, SHOWN_MODELS):
        from edge import pagecache

        pagecache.invalidate(instance)


class SitesConfig(AppConfig):
    name = "sites"
    verbose_name = _("Content")

    def ready(self) -> None:
        global SHOWN_MODELS

        from edge import pagecache, static_mode
        from qrplates.models import Plate
        from sites import models

        autoreload_started.connect(watch_inlined_css, dispatch_uid="watch-inlined-css")
        # Everything a public page or a scan shows: a change to any of it makes the cached pages
        # stale (the page of a place lists its people, photos, sources, plates and neighbours).
        SHOWN_MODELS = (
            models.AdminUnit,
            models.Person,
            models.Place,
            models.PersonLink,
            models.FormerName,
            models.RecordAttachment,
            models.OldSlug,
            Plate,
        )
        post_save.connect(content_changed, dispatch_uid="pagecache-save")
        post_delete.connect(content_changed, dispatch_uid="pagecache-delete")
        # Static mode's files (STATIC_MODE_DIR) follow the same changes.
        pagecache.on_invalidate(static_mode.refresh_for)
