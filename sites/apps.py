from pathlib import Path

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_save
from django.utils.autoreload import autoreload_started
from django.utils.translation import gettext_lazy as _

# Receivers are module-level functions: a signal holds a weak reference to its receiver, so a
# function defined inside ready() is collected as soon as ready() returns. (With DEBUG on, Django's
# argument check happens to keep it alive through an lru_cache, which is how an invalidation that
# never ran in production passed every test: tests/test_signals.py now checks every receiver.)


def watch_inlined_css(sender, **kwargs) -> None:
    """The development server restarts when the inlined stylesheet changes: its hash, allowed by
    the Content-Security-Policy, is computed once at start (settings.INLINE_CSS_HASH)."""
    sender.watch_dir(Path(__file__).resolve().parent.parent / "static" / "css", "*.css")


class SitesConfig(AppConfig):
    name = "sites"
    verbose_name = _("Content")

    def ready(self) -> None:
        from sites import models, signals

        autoreload_started.connect(watch_inlined_css, dispatch_uid="watch-inlined-css")
        # Everything of the content a public page or a scan shows (the page of a place lists its
        # people, photos, sources, recorded narration, former names and neighbours; an old
        # address redirects): a change to any of it is announced
        # (sites.signals.content_changed). Plates declare themselves in qrplates.apps.
        signals.shown_to_visitors(
            models.AdminUnit,
            models.Person,
            models.Place,
            models.PersonLink,
            models.FormerName,
            models.RecordAttachment,
            models.Narration,
            models.OldSlug,
            models.Route,
            models.RouteStop,
        )
        post_save.connect(
            models.forget_unit_boundaries, sender=models.AdminUnit, dispatch_uid="unit-saved"
        )
        post_delete.connect(
            models.forget_unit_boundaries, sender=models.AdminUnit, dispatch_uid="unit-deleted"
        )
        post_save.connect(signals.saved_or_deleted, dispatch_uid="content-save")
        post_delete.connect(signals.saved_or_deleted, dispatch_uid="content-delete")
        connection_created.connect(
            models.near_spelling_threshold, dispatch_uid="near-spelling-threshold"
        )
