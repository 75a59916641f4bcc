from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    """The visitor site: public pages, the scan path, search, sitemaps, offline reading."""

    name = "public"
    verbose_name = _("Public site")
