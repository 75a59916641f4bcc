"""The short addresses plates bring, outside the language prefixes on purpose: a plate cannot
know its reader's language, and every character of the address makes the QR code bigger. The
language-prefixed "type the code" page (`plate-code`) is in `streetinfo/urls.py`.

The namespace stays `qrplates`, the name these addresses have always had (`Plate.get_absolute_url`
reverses `qrplates:scan`); the print shop's download link, a plate address without an account,
shares it."""

from django.urls import path, re_path

from public import scan
from qrplates import batch_views

# What a plate's QR code says after the host: any letter case and any junk reach the view, which
# answers 200 or its own 404 page. The page cache reads scans with the same pattern.
SCAN_PATH = r"[Qq]/(?P<code>[^/]+)/?$"

app_name = "qrplates"
urlpatterns = [
    re_path(r"^[Qq]/?$", scan.enter_short, name="enter"),
    re_path(rf"^{SCAN_PATH}", scan.scan, name="scan"),
    # A print batch's signed, expiring download link (for a print shop without an account).
    path("artwork/<str:token>/", batch_views.batch_download, name="batch-download"),
]
