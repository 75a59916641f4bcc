from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The open-data and staff API (/api/v1/) over the content and plates."""

    name = "api"
    verbose_name = _("Open data API")

    def ready(self) -> None:
        from api import bulk
        from sites.signals import content_changed

        # The bulk files follow what visitors see: rebuilt (a task) after each commit of it.
        content_changed.connect(bulk.content_changed, dispatch_uid="api-rebuild-bulk-files")
