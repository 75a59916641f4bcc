from pathlib import Path

from django.apps import AppConfig
from django.utils.autoreload import autoreload_started
from django.utils.translation import gettext_lazy as _


def watch_inlined_css(sender, **kwargs) -> None:
    """The development server restarts when the inlined stylesheet changes: its hash, allowed by
    the Content-Security-Policy, is computed once at start (settings.INLINE_CSS_HASH)."""
    sender.watch_dir(Path(__file__).resolve().parent.parent / "static" / "css", "*.css")


class SitesConfig(AppConfig):
    name = "sites"
    verbose_name = _("Content")

    def ready(self) -> None:
        autoreload_started.connect(watch_inlined_css)

        from django.db.models.signals import post_delete, post_save

        from qrplates import static_mode
        from qrplates.models import Plate
        from sites import models
        from streetinfo import pagecache

        # Everything a public page or a scan shows: a change to any of it makes the cached pages
        # stale (the page of a place lists its people, photos, sources, plates and neighbours).
        shown = (
            models.AdminUnit,
            models.Person,
            models.Place,
            models.PersonLink,
            models.FormerName,
            models.RecordAttachment,
            models.OldSlug,
            Plate,
        )

        def changed(sender, instance, **kwargs) -> None:
            if issubclass(sender, shown):
                pagecache.invalidate(instance)

        post_save.connect(changed, dispatch_uid="pagecache-save")
        post_delete.connect(changed, dispatch_uid="pagecache-delete")
        # Static mode's files (STATIC_MODE_DIR) follow the same changes.
        pagecache.on_invalidate(static_mode.refresh_for)
