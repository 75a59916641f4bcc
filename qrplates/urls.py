"""The short addresses printed in QR codes. Outside the language prefixes on purpose: a plate
cannot know its reader's language, and every character of the address makes the QR code bigger.
The language-prefixed "type the code" page (`plate-code`) is in `streetinfo/urls.py`."""

from django.urls import path, re_path

from qrplates import batch_views, views

# What a plate's QR code says after the host: any letter case and any junk reach the view, which
# answers 200 or its own 404 page. The page cache reads scans with the same pattern.
SCAN_PATH = r"[Qq]/(?P<code>[^/]+)/?$"

app_name = "qrplates"
urlpatterns = [
    re_path(r"^[Qq]/?$", views.enter_short, name="enter"),
    re_path(rf"^{SCAN_PATH}", views.scan, name="scan"),
    # A print batch's signed, expiring download link (for a print shop without an account).
    path("artwork/<str:token>/", batch_views.batch_download, name="batch-download"),
]
