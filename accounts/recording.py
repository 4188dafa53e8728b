"""The receivers that write sign-ins, sign-outs, failed sign-ins and lock-outs to the audit of
access, and the files handed over by the apps that may not call `accounts.audit` themselves.
Connected once, from `AccountsConfig.ready`."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.audit import Kind, record
from assessments.downloads import file_downloaded


def account_named(username):
    """The account a typed user name signs in to (as the sign-in form matches it), or None, so
    that a failed sign-in shows under the person it was aimed at."""
    if not username:
        return None
    model = get_user_model()
    try:
        return model._default_manager.get_by_natural_key(username)
    except model.DoesNotExist:
        return None


def typed_username(credentials):
    return str(credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username") or "")


@receiver(user_logged_in, dispatch_uid="accounts.recording.signed_in")
def signed_in(sender, request, user, **kwargs):
    record(request, Kind.LOGIN, user=user)


@receiver(user_logged_out, dispatch_uid="accounts.recording.signed_out")
def signed_out(sender, request, user, **kwargs):
    if user is not None:  # signing out while not signed in is no event
        record(request, Kind.LOGOUT, user=user)


@receiver(user_login_failed, dispatch_uid="accounts.recording.sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    # Django hands over the credentials with the password already masked; only the name is kept.
    username = typed_username(credentials)
    record(request, Kind.LOGIN_FAILED, user=account_named(username), username=username or "–")


@receiver(user_locked_out, dispatch_uid="accounts.recording.locked_out")
def locked_out(sender, request, username=None, **kwargs):
    record(request, Kind.LOCKED_OUT, user=account_named(username), username=username or "–")


@receiver(file_downloaded, dispatch_uid="accounts.recording.file_downloaded")
def downloaded(sender, request, agency, what, **kwargs):
    record(request, Kind.REPORT_DOWNLOAD, agency=agency, what=what)
