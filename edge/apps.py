from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from edge import pagecache
from sites.signals import content_changed


def invalidate_copies(sender, instance, **kwargs) -> None:
    """A row public pages or scans show changed (`sites.signals.content_changed`): the cached
    pages go stale, and static mode's files that show it are rendered again after the commit
    (static mode listens to the page cache).

    A module-level function, hence strongly referenced: a receiver defined inside ready() would
    be collected once ready() returned, and never run (tests/test_signals.py)."""
    pagecache.invalidate(instance)


class EdgeConfig(AppConfig):
    """What stands between visitors and the apps: the page cache, static mode's files, and the
    scan counts read from the web server's log."""

    name = "edge"
    verbose_name = _("Edge")

    def ready(self) -> None:
        from edge import static_mode

        content_changed.connect(invalidate_copies, dispatch_uid="edge-invalidate-copies")
        # Static mode's files (STATIC_MODE_DIR) follow the same changes, once per commit.
        pagecache.on_invalidate(static_mode.refresh_for)
