"""The account page: the user's name, preferences (language, e-mail notifications), second
factor, password and sessions."""

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import audit, second_factor
from accounts.forms import PreferencesForm
from accounts.models import Preferences, Session
from accounts.sessions import end_sessions_of
from assessments import access
from ita_tracker.middleware import KEEP_LANGUAGE


def _preferences(user):
    # Unsaved until the user saves the form: opening the page writes nothing.
    return Preferences.objects.filter(user=user).first() or Preferences(user=user)


def _account_page(request, preferences_form, status=200):
    user = request.user
    context = {
        "preferences_form": preferences_form,
        "has_second_factor": second_factor.has_second_factor(user),
        "second_factor_required": access.needs_second_factor(user),
        "sessions": Session.objects.filter(user=user, expire_date__gt=timezone.now()).count(),
    }
    return render(request, "accounts/account.html", context, status=status)


@require_GET
def account(request):
    return _account_page(request, PreferencesForm(instance=_preferences(request.user)))


@require_POST
def save_preferences(request):
    form = PreferencesForm(request.POST, instance=_preferences(request.user))
    if not form.is_valid():
        return _account_page(request, form, status=400)
    form.save()
    # The pages follow the language chosen here at once, as they do the header's switch.
    setattr(request, KEEP_LANGUAGE, form.cleaned_data["language"])
    messages.success(request, _("Your preferences were saved."))
    return redirect("account")


@require_POST
def sign_out_everywhere(request):
    """Ends every session of the user, this one too: a lost phone or a shared computer."""
    audit.record(request, audit.Kind.SIGNED_OUT_EVERYWHERE)
    end_sessions_of(request.user)
    logout(request)
    messages.success(request, _("You were signed out on every computer and phone. Please sign in again."))
    return redirect("login")
