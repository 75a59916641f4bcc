from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EdgeConfig(AppConfig):
    """What stands between visitors and the apps: the page cache, static mode's files, and the
    scan counts read from the web server's log."""

    name = "edge"
    verbose_name = _("Edge")

    def ready(self) -> None:
        from edge import pagecache, static_mode
        from public import scan
        from sites.signals import content_changed

        # Content announces its changes and knows nothing of the copies kept of it: the page
        # cache listens, and static mode's files (STATIC_MODE_DIR) follow the page cache.
        content_changed.connect(pagecache.content_changed, dispatch_uid="edge-invalidate-copies")
        pagecache.on_invalidate(static_mode.refresh_for)
        # A scan reuses its record's page while that page's copies are valid.
        scan.kept_pages = pagecache.record_pages
