from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    """The admin as the Department works in it, composed from the other apps' pieces, and the
    `load_demo` command, which loads each app's demo (content, then its plates)."""

    name = "backoffice"
    verbose_name = _("Administration")
