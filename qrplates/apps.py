from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QrplatesConfig(AppConfig):
    name = "qrplates"
    verbose_name = _("QR plates")
