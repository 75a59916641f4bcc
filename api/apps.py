from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The open-data and staff API (/api/v1/) over the content and plates."""

    name = "api"
    verbose_name = _("Open data API")
