"""Two checks on every signed-in request, each reading only the session: the session's time
limits, and a second factor still owed."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _, ngettext

from accounts import second_factor
from accounts.sign_in import SEEN_AT, SIGNED_IN_AT, start_clocks

# The last-seen stamp is written at most this often, so that reading pages does not write the
# session on every request; the idle limit is kept to within this much.
SEEN_PRECISION = 60
SESSION_USER_KEY = "_auth_user_id"
SESSIONLESS_VIEWS = {"health"}


class SessionLimitsMiddleware(MiddlewareMixin):
    """Signs out a session idle for SESSION_IDLE_MINUTES, or SESSION_MAX_HOURS after its sign-in."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Only for a page: an address no page answers gets its 404 without reading the session
        # (the database may be down), and the health check reads nothing but the database.
        if request.resolver_match.view_name in SESSIONLESS_VIEWS:
            return None
        session = request.session
        if SESSION_USER_KEY in session:
            now = int(time.time())
            if SIGNED_IN_AT not in session:  # a session from before the limits: they start now
                start_clocks(session, now)
            idle = now - session[SEEN_AT] > settings.SESSION_IDLE_MINUTES * 60
            if idle or now - session[SIGNED_IN_AT] > settings.SESSION_MAX_HOURS * 3600:
                logout(request)
                messages.info(request, self.reason(idle))
                return redirect_to_login(request.get_full_path())
            if now - session[SEEN_AT] >= SEEN_PRECISION:
                session[SEEN_AT] = now
        return None

    @staticmethod
    def reason(idle):
        if idle:
            minutes = settings.SESSION_IDLE_MINUTES
            return ngettext(
                "You were signed out after %(minutes)d minute without activity. Please sign in again.",
                "You were signed out after %(minutes)d minutes without activity. Please sign in again.",
                minutes,
            ) % {"minutes": minutes}
        hours = settings.SESSION_MAX_HOURS
        return ngettext(
            "You were signed out %(hours)d hour after signing in. Please sign in again.",
            "You were signed out %(hours)d hours after signing in. Please sign in again.",
            hours,
        ) % {"hours": hours}


# Pages a session that owes its second factor may still open.
OPEN_WITHOUT_SECOND_FACTOR = {
    "second_factor_enrol",
    "second_factor_verify",
    "login",
    "logout",
    "admin:logout",
    "set_language",
    "health",
}
STEP_URLS = {second_factor.ENROL: "second_factor_enrol", second_factor.VERIFY: "second_factor_verify"}


class SecondFactorMiddleware(MiddlewareMixin):
    """Until a signed-in session that owes a second factor has given it, every page sends it to
    the step it owes (enrol or verify); a request for JSON gets 403."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.resolver_match.view_name in SESSIONLESS_VIEWS:
            return None
        if SESSION_USER_KEY not in request.session or not request.user.is_authenticated:
            return None
        if request.resolver_match.view_name in OPEN_WITHOUT_SECOND_FACTOR:
            return None
        step = second_factor.owed(request)
        if step is None:
            return None
        if wants_json(request):
            return JsonResponse({"error": _("Sign-in is not finished: give your second factor first.")}, status=403)
        url = reverse(STEP_URLS[step])
        if request.method == "GET":
            return redirect_to_login(request.get_full_path(), url)
        return redirect(url)


def wants_json(request):
    return request.headers.get("x-requested-with") == "XMLHttpRequest" or "application/json" in request.headers.get(
        "accept", ""
    )
