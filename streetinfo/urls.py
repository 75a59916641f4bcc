from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from public import scan
from streetinfo.security import logout_clearing_site_data
from workflow.dashboard import dashboard_view
from workflow.report import report_view

admin.site.site_header = _("Streetinfo Lạng Sơn — content administration")
admin.site.site_title = _("Streetinfo admin")
admin.site.index_title = _("Streets, relics, scenic spots and people")

urlpatterns = [
    path("admin/dashboard/", dashboard_view, name="dashboard"),
    path("admin/dashboard/report.pdf", report_view, name="dashboard-report"),
    # Signing out also clears what the browser holds for the site (shared phones).
    path("admin/logout/", logout_clearing_site_data),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    # /Q/<code>: what the plates' QR codes say (non-prefixed: the scan picks the language).
    path("", include("public.plate_urls")),
    # The open-data API: one address for every language (?lang= or Accept-Language).
    path("api/", include("api.urls")),
    path("", include("public.root_urls")),
]

urlpatterns += i18n_patterns(
    path("", include("public.urls")),
    path("code/", scan.enter, name="plate-code"),
    path("", include("public.feedback_urls")),
    prefix_default_language=True,
)

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler500 = "streetinfo.errors.server_error"
