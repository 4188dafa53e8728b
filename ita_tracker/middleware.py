"""A write the database could not take just now answers "try again" (503), not a server error."""

import logging

from django.shortcuts import render

from ita_tracker.database import is_transient

logger = logging.getLogger(__name__)


class BusyDatabaseMiddleware:
    """Pages whose forms can keep the user's text catch these errors themselves (the progress
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
