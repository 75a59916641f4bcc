"""What other systems take whole: the DCAT catalogue (`api.catalog`) and the bulk files
(`api.bulk`). Neither depends on a language, so each has one copy in shared caches; the bulk
files are not subject to the export throttle (a file is built once, not per request)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from drf_spectacular.utils import extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from api import bulk, catalog
from api.errors import FileUnavailable
from api.generics import ApiViewMixin
from api.throttles import AnonymousThrottle, StaffThrottle


class WholeView(ApiViewMixin, APIView):
    speaks = False
    throttle_classes = [AnonymousThrottle, StaffThrottle]
    renderer_classes = [JSONRenderer]  # for errors


@extend_schema(exclude=True)
class CatalogView(WholeView):
    media_type = ""
    serialize = staticmethod(catalog.as_jsonld)

    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponse(self.serialize(), content_type=f"{self.media_type}; charset=utf-8")


@extend_schema(exclude=True)
class BulkFileView(WholeView):
    """`/api/bulk/<dataset>.zip`: the file with its Content-Length, ETag and Last-Modified (304
    to a matching If-None-Match). A file not built yet is built first (immediate task backend)
    or answered 503 with Retry-After while a worker builds it; a storage that cannot be read is
    a 503 too, never a 500."""

    def get(self, request: Request, name: str) -> HttpResponse:
        try:
            stored = bulk.current(name)
            if stored is None:
                bulk.rebuild_bulk_files.enqueue([name])
                stored = bulk.current(name)
            if stored is None:
                raise FileUnavailable()
            last_modified = int(stored.modified().timestamp())
            response = get_conditional_response(
                request, etag=stored.etag, last_modified=last_modified
            )
            if response is None:
                response = HttpResponse(stored.read(), content_type="application/zip")
                response["Content-Length"] = str(len(response.content))
                response["Content-Disposition"] = f'attachment; filename="streetinfo-{name}.zip"'
        except FileUnavailable:
            raise
        except Exception as exc:
            bulk.logger.exception("The bulk file of %s cannot be served", name)
            raise FileUnavailable() from exc
        response["ETag"] = stored.etag
        response["Last-Modified"] = http_date(last_modified)
        return response
