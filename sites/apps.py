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
