"""Requests the app answers before, or instead of, a page: an address no page can take, and a
write the database could not take just now; and the language of every page."""

import logging

from django.conf import settings
from django.http import Http404
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation

from ita_tracker.database import is_transient

logger = logging.getLogger(__name__)


class NullBytesNotFound:
    """An address or query string holding a null byte is "not found": no page takes one, and
    PostgreSQL refuses to store or compare text with one (the admin's search answered 500).
    The app's own path converters refuse them already; this covers every query string and the
    admin's and Django's own patterns in one place."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            raise Http404
        return self.get_response(request)


class BusyDatabaseMiddleware:
    """A write the database could not take answers "try again" (503), not a server error.

    Pages whose forms can keep the user's text catch these errors themselves (the progress
    report, the measure form); for every other request this says, in the user's language, that
    nothing was saved and to try again, instead of an English error page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_transient(exception):
            return None
        logger.warning("Database busy on %s %s: %s", request.method, request.path, exception)
        # A page of its own, without the menu: the database may still be out of reach.
        response = render(request, "busy.html", status=503)
        response["Retry-After"] = "10"
        return response


# A view or a sign-in receiver that learns the user's language puts it here; the response then
# carries the language cookie, so the next pages follow without reading anything.
KEEP_LANGUAGE = "language_to_keep"


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Thai unless the user chose English: the language switch's cookie decides, never the
    browser's Accept-Language (most offices' browsers are set to English, their users read Thai)."""

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        language = getattr(request, KEEP_LANGUAGE, None)
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
