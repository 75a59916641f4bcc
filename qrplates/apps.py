from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QrplatesConfig(AppConfig):
    name = "qrplates"
    verbose_name = _("QR plates")

    def ready(self) -> None:
        from qrplates import checks  # noqa: F401  (registers the system checks)
        from qrplates.models import Plate
        from sites.signals import shown_to_visitors

        # A scan shows what its plate leads to: a plate retargeted is content that changed.
        shown_to_visitors(Plate)
