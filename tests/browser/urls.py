"""The project's addresses plus uploaded files, which the live test server does not serve
otherwise (tests run with DEBUG off; production serves /media/ from the web server)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import re_path
from django.views.static import serve

from streetinfo.urls import urlpatterns as project_urlpatterns


def media(request: HttpRequest, path: str) -> HttpResponse:
    # Read per request: each test points MEDIA_ROOT at its own temporary folder.
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [re_path(r"^media/(?P<path>.*)$", media), *project_urlpatterns]
