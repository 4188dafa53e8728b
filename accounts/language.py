"""The language a user chose, kept with the user: the switch saves it, and signing in on another
browser brings it back (ita_tracker.middleware.ChosenLanguageMiddleware reads only the cookie)."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.views.i18n import set_language

from accounts.models import Preferences
from ita_tracker.middleware import KEEP_LANGUAGE


@login_not_required
def choose_language(request):
    """Django's language switch (the cookie), and for a signed-in user the choice kept."""
    response = set_language(request)
    language = request.POST.get("language")
    if request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES):
        Preferences.objects.update_or_create(user=request.user, defaults={"language": language})
    return response


@receiver(user_logged_in, dispatch_uid="accounts.language.signed_in")
def bring_back_language(sender, request, user, **kwargs):
    if request is None:
        return
    chosen = Preferences.objects.filter(user=user).values_list("language", flat=True).first()
    if chosen and chosen != request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        setattr(request, KEEP_LANGUAGE, chosen)
