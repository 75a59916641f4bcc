"""Public addresses outside the language prefix: the sitemap, robots.txt, the service worker
(it must sit at the root to serve every page), the web app manifest, the language switch and
recorded narration."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.decorators.cache import cache_control

from public import views
from public.sitemaps import SITEMAPS

urlpatterns = [
    path(
        "sitemap.xml",
        cache_control(public=True, max_age=3600)(sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.web_manifest, name="web_manifest"),
    path("lang/<str:code>/", views.switch_language, name="switch_language"),
    # A record's recorded narration: one address for every page language.
    path("narration/<int:pk>-<slug:digest>.<slug:ext>", views.narration, name="narration"),
]
