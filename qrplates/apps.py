from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QrplatesConfig(AppConfig):
    name = "qrplates"
    verbose_name = _("QR plates")

    def ready(self) -> None:
        from qrplates import checks  # noqa: F401  (registers the system checks)
