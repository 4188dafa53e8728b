"""Requests the app answers before, or instead of, a page: an address no page can take, and a
write the database could not take just now."""

import logging

from django.http import Http404
from django.shortcuts import render

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
