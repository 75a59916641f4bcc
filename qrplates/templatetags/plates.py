from django import template
from django.conf import settings
from django.utils import translation

register = template.Library()


@register.simple_tag
def page_languages() -> list[str]:
    """Every language of the site, the page's own first: pages reached through a plate speak
    to a visitor whose language is a guess, so they say the essential in all of them."""
    current = translation.get_language()
    return [current, *(code for code, _name in settings.LANGUAGES if code != current)]
