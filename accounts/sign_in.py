"""What happens at sign-in: the session's clocks start and its second factor is decided; and
the page a throttled sign-in gets."""

import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import render

from accounts import second_factor

SIGNED_IN_AT = "accounts.signed_in_at"
SEEN_AT = "accounts.seen_at"


def start_clocks(session, now=None):
    now = int(time.time() if now is None else now)
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


@receiver(user_logged_in, dispatch_uid="accounts.sign_in.signed_in")
def signed_in(sender, request, user, **kwargs):
    start_clocks(request.session)
    request.session.pop(second_factor.FAILURES_KEY, None)
    request.session[second_factor.STEP_KEY] = second_factor.step_after_password(user)


def locked_out(request, original_response=None, credentials=None):
    """Axes' answer to a sign-in refused for too many failures: 429, in the site's layout,
    saying how long to wait."""
    context = {"minutes": settings.LOGIN_LOCKOUT_MINUTES, "limit": settings.LOGIN_FAILURE_LIMIT}
    return render(request, "registration/locked_out.html", context, status=429)
