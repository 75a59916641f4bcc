from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation

from sites.models import PublishableModel

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context: template.Context) -> list[dict]:
    """The current page in every language, for the one-tap switch."""
    request: HttpRequest = context["request"]
    current = translation.get_language()
    return [
        {
            "code": code,
            "name": name,
            "url": translate_url(request.get_full_path(), code),
            "current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]


@register.filter
def translation_missing(record: PublishableModel) -> bool:
    """True when the page's language has no text of its own for this record yet."""
    return translation.get_language() in record.missing_languages()
