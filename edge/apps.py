from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EdgeConfig(AppConfig):
    """What stands between visitors and the apps: the page cache, static mode's files, and the
    scan counts read from the web server's log."""

    name = "edge"
    verbose_name = _("Edge")
