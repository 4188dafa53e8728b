"""Recording the audit of access: one row per sign-in, sign-out or opened file."""

from axes.helpers import get_client_ip_address

from accounts.models import AccessEvent

Kind = AccessEvent.Kind


def record(request, kind, *, user=None, username="", agency=None, what=""):
    """Adds an access event. `user` defaults to the request's signed-in user; `what` names the
    file or document (cut to fit); `agency` is the agency whose file it is."""
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    meta = request.META if request is not None else {}
    return AccessEvent.objects.create(
        kind=kind,
        user=user,
        username=(user.get_username() if user is not None else username)[:150],
        agency=agency,
        what=what[:300],
        address=(get_client_ip_address(request) if request is not None else None) or None,
        user_agent=meta.get("HTTP_USER_AGENT", "")[:300],
    )
