"""What every page's template may use."""

from django.conf import settings
from django.http import HttpRequest


def data_licence(request: HttpRequest) -> dict:
    """The licence the content is published under (settings.DATA_LICENCE), for the footer."""
    return {"data_licence": settings.DATA_LICENCE}
