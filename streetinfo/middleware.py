from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class StreetinfoLocaleMiddleware(LocaleMiddleware):
    """Public pages follow the URL prefix, cookie and Accept-Language; the admin does not.

    The Department's staff work in Vietnamese: their browsers often send English first, so the
    admin ignores Accept-Language and speaks Vietnamese unless the staff member chose English
    with the language switch (stored in the language cookie).
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith("/admin/"):
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            supported = {code for code, _name in settings.LANGUAGES}
            language = chosen if chosen in supported else settings.LANGUAGE_CODE
            translation.activate(language)
            request.LANGUAGE_CODE = language
            return
        super().process_request(request)

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if request.path_info.startswith("/admin/"):
            response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
            return response
        return super().process_response(request, response)
