"""What the project answers itself, whatever the apps: the health check a load balancer or
container runtime asks, and the error pages, in the site's layout and the user's language."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix
from django.utils.html import escape
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@login_not_required
@require_GET
def health(request):
    """ "ok" while the database answers. It reads neither the session nor the user, so a probe every
    few seconds creates no session rows and its answer does not vary with cookies."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: the database did not answer")
        return plain_text("database unavailable", status=503)
    return plain_text("ok")


def plain_text(text, status=200):
    response = HttpResponse(text, content_type="text/plain; charset=utf-8", status=status)
    response["Cache-Control"] = "no-store"
    return response


def bad_request(request, exception):
    return error_page(request, "400.html", 400)


def permission_denied(request, exception):
    return error_page(request, "403.html", 403)


def page_not_found(request, exception):
    return error_page(request, "404.html", 404)


def server_error(request):
    return error_page(request, "500.html", 500)


def csrf_failure(request, reason=""):
    """A form sent with an expired or missing CSRF token: most often a page left open across a
    sign-out or a sign-in in another tab. Django's reason is for the log, not for the user."""
    logger.warning("CSRF failure on %s %s: %s", request.method, request.path, reason)
    return error_page(request, "403_csrf.html", 403)


def error_page(request, template, status):
    """The error page with the site's header, or a plain one when that cannot be drawn.

    The header asks the database about the user (their session, their agencies): while the
    database is down, or after the failure that led here, drawing it may fail again. A failure
    here must not end in Django's handler for failures, so the plain page needs nothing at all."""
    try:
        return render(request, template, status=status)
    except Exception:
        logger.exception("The %s page could not be drawn; sent a plain one instead", status)
        return HttpResponse(plain_page(status), status=status)


def plain_page(status):
    title = {
        400: gettext("The request could not be understood"),
        403: gettext("You do not have access to this page"),
        404: gettext("Page not found"),
    }.get(status, gettext("Something went wrong"))
    lines = [
        gettext("The system could not show the page just now. Please try again in a few minutes."),
        gettext("If this keeps happening, tell the system administrator the time it happened."),
    ]
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in lines)
    return (
        f'<!DOCTYPE html><html lang="{escape(get_language() or "th")}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>{paragraphs}"
        f'<p><a href="{escape(get_script_prefix())}">{escape(gettext("Home"))}</a></p></body></html>'
    )
