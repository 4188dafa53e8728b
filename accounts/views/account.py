"""The account page: the user's name, second factor, password and sessions."""

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import audit, second_factor
from accounts.models import Session
from accounts.sessions import end_sessions_of
from assessments import access


@require_GET
def account(request):
    user = request.user
    context = {
        "has_second_factor": second_factor.has_second_factor(user),
        "second_factor_required": access.needs_second_factor(user),
        "sessions": Session.objects.filter(user=user, expire_date__gt=timezone.now()).count(),
    }
    return render(request, "accounts/account.html", context)


@require_POST
def sign_out_everywhere(request):
    """Ends every session of the user, this one too: a lost phone or a shared computer."""
    audit.record(request, audit.Kind.SIGNED_OUT_EVERYWHERE)
    end_sessions_of(request.user)
    logout(request)
    messages.success(request, _("You were signed out on every computer and phone. Please sign in again."))
    return redirect("login")
