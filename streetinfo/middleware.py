from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from lib import languages


class StreetinfoLocaleMiddleware(LocaleMiddleware):
    """Public pages follow the URL prefix, else the visitor's choice (the language cookie) and
    Accept-Language as the language registry weighs them; the admin does not.

    An address without a language (`/`, a record's address without its prefix, the API) gets
    the language `lib.languages.negotiate` picks, the same rule as a scan and static mode's
    nginx, so one visitor gets one language everywhere: Django's own LocaleMiddleware would
    also take a language the browser marks q=0 ("not this one").

    The Department's staff work in Vietnamese: their browsers often send English first, so the
    admin ignores Accept-Language and speaks Vietnamese unless the staff member chose another
    language with the language switch (stored in the language cookie).
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith("/admin/"):
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            language = chosen if chosen in languages.codes() else languages.DEFAULT
        else:
            # The public addresses are i18n_patterns with prefix_default_language=True: a
            # language in the path is the page's; any other address negotiates.
            language = translation.get_language_from_path(
                request.path_info
            ) or languages.of_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if request.path_info.startswith("/admin/"):
            response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
            return response
        return super().process_response(request, response)
