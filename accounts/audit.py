"""Recording the audit of access: one row per sign-in, sign-out or opened file.

Each event is one INSERT made in the request that caused it, so the row exists once the response
is sent, and a page that opens a file costs one query more, whatever it opens.
"""

from axes.helpers import get_client_ip_address

from accounts.models import AccessEvent

Kind = AccessEvent.Kind


def record(request, kind, *, user=None, username="", agency=None, what=""):
    """Adds an access event. `user` defaults to the request's signed-in user unless a `username` is
    given (a failed sign-in names the account typed, whoever is signed in); `what` names the file
    or document (cut to fit); `agency` is the agency whose file it is. The address is the one axes
    reads (REMOTE_ADDR unless a proxy is configured for it), so both name the same client."""
    if user is None and not username and request is not None and request.user.is_authenticated:
        user = request.user
    meta = request.META if request is not None else {}
    return AccessEvent.objects.create(
        kind=kind,
        user=user,
        username=(user.get_username() if user is not None else username or "")[:150],
        agency=agency,
        what=what[:300],
        address=(get_client_ip_address(request) if request is not None else None) or None,
        user_agent=meta.get("HTTP_USER_AGENT", "")[:300],
    )
