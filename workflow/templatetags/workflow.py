from django import template
from django.conf import settings
from django.http import HttpRequest

from sites import roles
from sites.models import Person, Place

register = template.Library()


@register.inclusion_tag("sites/_feedback_links.html", takes_context=True)
def feedback_links(context: template.Context, record: Place | Person) -> dict:
    """ "Report a problem" and "suggest a correction or a photo" for a record's page, and
    "confirm installation" for an installer who has just scanned one of its plates.

    The user is looked at only when the request carries a session cookie: for anonymous
    visitors the page stays free of `Vary: Cookie` and cacheable."""
    request: HttpRequest | None = context.get("request")
    plate = getattr(request, "scanned_plate", None)
    kind = "person" if isinstance(record, Person) else "place"
    installer = (
        plate is not None
        and settings.SESSION_COOKIE_NAME in request.COOKIES
        and roles.can_install(request.user)
    )
    return {
        "report": (kind, record.pk),
        "suggest": (kind, record.pk),
        "install_code": plate.code if installer else None,
    }
