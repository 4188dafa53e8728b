"""The address a request comes from, for the throttle of sign-ins and the audit of access."""

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    """REMOTE_ADDR; behind TRUSTED_PROXY_COUNT reverse proxies, the address the outermost of them
    saw. Each proxy appends the address it was reached from to X-Forwarded-For, so that one is
    the count-th from the right of the chain (X-Forwarded-For, then REMOTE_ADDR); entries further
    left were written by the client and could be anything."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    chain = [*forwarded, remote] if remote else forwarded
    if len(chain) <= count:
        return remote  # fewer hops than proxies: not through all of them
    candidate = chain[-(count + 1)]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
