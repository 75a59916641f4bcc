"""What a request asks for: the format (`?format=` before the Accept header) and the language
(`?lang=` before Accept-Language, or `all` for every translation at once)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

from api.serializers import LANGUAGE_CODES

ALL_LANGUAGES = "all"


class FormatNegotiation(DefaultContentNegotiation):
    """An explicit `?format=` wins over the Accept header (a link to a CSV export must give a
    CSV whatever the browser sends); an unknown format is a 400 that names the known ones."""

    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        wanted = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if wanted is not None:
            for renderer in renderers:
                if renderer.format == wanted:
                    return renderer, renderer.media_type
            known = ", ".join(renderer.format for renderer in renderers)
            raise exceptions.ValidationError(
                {
                    "format": _("Unknown format “%(format)s”: use %(known)s.")
                    % {"format": wanted, "known": known}
                }
            )
        return super().select_renderer(request, renderers, format_suffix)


def requested_language(request: Request) -> str:
    """`?lang=` if given (and activated), else what LocaleMiddleware read from Accept-Language."""
    wanted = request.query_params.get("lang")
    if wanted is None:
        return translation.get_language() or settings.LANGUAGE_CODE
    if wanted == ALL_LANGUAGES:
        return ALL_LANGUAGES
    if wanted not in LANGUAGE_CODES:
        raise exceptions.ValidationError(
            {
                "lang": _("Unknown language “%(lang)s”: use %(known)s.")
                % {"lang": wanted, "known": ", ".join([*LANGUAGE_CODES, ALL_LANGUAGES])}
            }
        )
    translation.activate(wanted)
    return wanted
