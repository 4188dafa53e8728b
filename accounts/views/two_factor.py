"""The second step of signing in: setting up an authenticator app, and giving its code."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import second_factor
from accounts.forms import CodeForm, EnrolmentForm
from assessments import access


def next_page(request):
    """Where the user was going before the second factor (a page of this site only)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url("home")


@require_http_methods(["GET", "POST"])
def enrol(request):
    """Set up the app: scan the QR code (or type the secret), type the first code; then the ten
    backup codes are shown, this once."""
    user = request.user
    step = second_factor.owed(request)
    if step == second_factor.VERIFY:
        return redirect_to_login(next_page(request), resolve_url("second_factor_verify"))
    if step is None and second_factor.has_second_factor(user):
        messages.info(request, _("You already have a second factor. Remove it first to set up another app."))
        return redirect("account")
    form = EnrolmentForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        codes = second_factor.enrol(request, form.cleaned_data["secret"])
        return render(request, "accounts/backup_codes.html", {"codes": codes, "next": next_page(request)})
    signed = request.POST.get("secret", "")
    key = second_factor.secret_key(user, signed) if signed else None
    if key is None:
        signed = second_factor.new_secret(user)
        key = second_factor.secret_key(user, signed)
    form.initial["secret"] = signed
    if form.is_bound:
        form.data = form.data.copy()
        form.data["secret"] = signed
    context = {
        "form": form,
        "qr_code": second_factor.qr_code_svg(user, key),
        "secret": second_factor.base32(key),
        "required": step == second_factor.ENROL,
        "next": next_page(request),
    }
    return render(request, "accounts/enrol.html", context)


@require_http_methods(["GET", "POST"])
def verify(request):
    """Give the code of the app (or a backup code); too many wrong codes sign the session out."""
    if second_factor.owed(request) != second_factor.VERIFY:
        return redirect(next_page(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor.verify(request.user, form.cleaned_data["code"])
        except second_factor.Throttled:
            form.add_error("code", _("Too many wrong codes in a row. Wait a minute, then try the newest code."))
        else:
            if device is not None:
                second_factor.passed(request, device)
                return redirect(next_page(request))
            if second_factor.count_failure(request):
                logout(request)
                messages.error(request, _("You were signed out after too many wrong codes. Please sign in again."))
                return redirect("login")
            form.add_error("code", _("That code is not right. Type the newest code from the app, or a backup code."))
    return render(request, "accounts/verify.html", {"form": form, "next": next_page(request)})


@require_POST
def remove(request):
    """Take away one's own second factor, where it is optional."""
    if access.needs_second_factor(request.user):
        messages.error(request, _("Administrators must keep their second factor. An administrator can reset it."))
        return redirect("account")
    second_factor.remove(request.user)
    request.session.pop("otp_device_id", None)
    messages.success(request, _("Your second factor was removed. You sign in with your password only."))
    return redirect("account")
