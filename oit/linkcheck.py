"""Checks the links that agencies publish as OIT evidence, for the daily link-check command.

Standard library only, so the cron job brings in nothing new. Redirects are followed here rather
than by urllib so that the chain is bounded, a loop is caught and the final address is kept: an
office whose evidence has moved should update its link before an assessor finds it by accident.
A bad link is a result, never an exception, so one dead site cannot stop the night's run.
"""

import socket
import urllib.error
import urllib.request
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

USER_AGENT = "ITA-Tracker-link-check/1.0"
SCHEMES = frozenset({"http", "https"})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Servers that cannot answer HEAD say so with these; any other answer to HEAD stands for the page.
HEAD_REFUSED = frozenset({405, 501})
# Enough to see the server really serves the page; the rest may be a large PDF.
BODY_LIMIT = 4096
# Kept as they are when an address is sent: an office's pasted link may hold Thai text or spaces,
# which HTTP needs percent-encoded, but its own escapes and delimiters must survive.
SAFE = "!#$%&'()*+,/:;=?@[]~"


@dataclass(frozen=True)
class LinkResult:
    url: str
    status: int | None
    final_url: str
    error: str

    @property
    def ok(self) -> bool:
        return not self.error and self.status is not None and 200 <= self.status < 400

    @property
    def moved(self) -> bool:
        return self.ok and self.final_url != self.url


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # Every 3xx then reaches us as an answer, with its Location, instead of being followed.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def check_links(
    urls: Iterable[str], *, timeout: float = 10.0, workers: int = 8, max_redirects: int = 5
) -> dict[str, LinkResult]:
    distinct = list(dict.fromkeys(urls))
    # Built per run so that the proxy settings of the environment at the time apply.
    opener = urllib.request.build_opener(_NoRedirect)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = pool.map(lambda url: _check(opener, url, timeout, max_redirects), distinct)
        return dict(zip(distinct, results, strict=True))


def _check(opener: urllib.request.OpenerDirector, url: str, timeout: float, max_redirects: int) -> LinkResult:
    # At most max_redirects + 1 addresses are asked, and one of them twice when HEAD is refused, so
    # with a per-request timeout a link cannot hold its worker much beyond (max_redirects + 2) * timeout.
    current, method, seen = url, "HEAD", {url}
    status: int | None = None
    answered = ""
    try:
        for _ in range(max_redirects + 1):
            if not _checkable(current):
                return LinkResult(url, status, answered, "invalid address")
            status, location = _ask(opener, current, method, timeout)
            if method == "HEAD" and status in HEAD_REFUSED:
                method = "GET"  # and for the rest of the chain: the same site will refuse again
                status, location = _ask(opener, current, method, timeout)
            answered = current
            if status not in REDIRECTS or location is None:
                return LinkResult(url, status, answered, "")
            current = urljoin(current, location)
            if current in seen:
                break
            seen.add(current)
        return LinkResult(url, status, answered, "too many redirects")
    except Exception as exc:
        return LinkResult(url, None, "", _reason(exc))


def _checkable(url: str) -> bool:
    try:
        parts = urlsplit(url)
        port = parts.port  # raises for a port that is not a number
    except ValueError:
        return False
    return parts.scheme in SCHEMES and bool(parts.hostname) and port != 0


def _ask(opener: urllib.request.OpenerDirector, url: str, method: str, timeout: float) -> tuple[int, str | None]:
    parts = urlsplit(url)
    sendable = urlunsplit((parts.scheme, parts.netloc, quote(parts.path, SAFE), quote(parts.query, SAFE), ""))
    request = urllib.request.Request(sendable, method=method, headers={"User-Agent": USER_AGENT})
    try:
        response = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as answer:
        # urllib raises for every status but 2xx; here they are all answers.
        try:
            return answer.code, answer.headers.get("Location")
        finally:
            answer.close()
    with response:
        if method == "GET":
            response.read(BODY_LIMIT)
        return response.status, response.headers.get("Location")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.URLError):
        if not isinstance(exc.reason, BaseException):
            return "invalid address"  # urllib's own complaint about the address, such as "no host given"
        exc = exc.reason
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, socket.gaierror):
        return "not found host"
    # Not OSError: a certificate that does not match is a ValueError too, and should be named as such.
    if isinstance(exc, ValueError) and not isinstance(exc, OSError):
        return "invalid address"
    return type(exc).__name__
