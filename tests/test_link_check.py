"""The link checker against a server of our own on 127.0.0.1: each way an agency's link can be
good, moved or broken, and that the checker asks each address once, a few at a time."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest

from oit.linkcheck import USER_AGENT, LinkResult, check_links

SLOW = 2.0  # the slow page's wait, well beyond the timeout the tests give
TIMEOUT = 0.5


class Server(ThreadingHTTPServer):
    block_on_close = False  # the slow page's thread must not hold up the test's end

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server_port}"
        self.requests: list[tuple[str, str]] = []
        self.agents: set[str | None] = set()
        self.lock = threading.Lock()
        self.active = self.most = 0
        self.release = threading.Event()  # set at the end so the slow page stops waiting

    def handle_error(self, request, client_address) -> None:
        pass  # the slow page writes to a client that has given up on it


class Handler(BaseHTTPRequestHandler):
    server: Server

    def do_HEAD(self) -> None:
        self.answer()

    def do_GET(self) -> None:
        self.answer()

    def log_message(self, format, *args) -> None:
        pass

    def answer(self) -> None:
        server, path = self.server, self.path
        with server.lock:
            server.requests.append((self.command, path))
            server.agents.add(self.headers.get("User-Agent"))
        if path == "/slow":
            server.release.wait(SLOW)
        if path.startswith("/count"):
            with server.lock:
                server.active += 1
                server.most = max(server.most, server.active)
            time.sleep(0.3)
            with server.lock:
                server.active -= 1
        if path == "/moved":
            return self.send(301, location="/good")
        if path == "/found":
            return self.send(302, location=f"{server.base}/good")
        if path == "/loop":
            return self.send(302, location="/loop")
        if path.startswith("/chain/") and path != "/chain/0":
            return self.send(301, location=f"/chain/{int(path.removeprefix('/chain/')) - 1}")
        if path == "/head-refused" and self.command == "HEAD":
            return self.send(405)
        if path == "/server-error":
            return self.send(500)
        if path in ("/good", "/slow", "/head-refused", "/chain/0") or path.startswith(("/count", "/good/")):
            return self.send(200)
        self.send(404)

    def send(self, status: int, location: str | None = None) -> None:
        body = b"x" * 10_000  # more than the checker reads
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)


@pytest.fixture(autouse=True)
def only_this_machine(monkeypatch):
    """No name is looked up but 127.0.0.1, and no proxy is used: nothing leaves the machine."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host not in ("127.0.0.1", b"127.0.0.1"):
            raise socket.gaierror(socket.EAI_NONAME, f"{host!r} is not looked up in tests")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def server():
    httpd = Server()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield httpd
    httpd.release.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def check(url: str, **options) -> LinkResult:
    return check_links([url], timeout=options.pop("timeout", 2.0), **options)[url]


def test_a_good_page_is_ok_where_it_is(server):
    url = f"{server.base}/good"
    result = check(url)
    assert result == LinkResult(url, 200, url, "")
    assert result.ok and not result.moved
    assert server.requests == [("HEAD", "/good")]
    assert server.agents == {USER_AGENT}


def test_a_page_with_thai_in_its_address_is_asked_percent_encoded_and_not_moved(server):
    url = f"{server.base}/good/ข่าว ประจำปี?ปี=2568"
    result = check(url)
    assert result == LinkResult(url, 200, url, "")
    assert result.ok and not result.moved
    assert server.requests == [("HEAD", f"/good/{quote('ข่าว ประจำปี')}?{quote('ปี')}=2568")]


@pytest.mark.parametrize(("path", "status"), [("/missing", 404), ("/server-error", 500)])
def test_a_page_answered_with_an_error_is_not_ok(server, path, status):
    url = server.base + path
    result = check(url)
    assert result == LinkResult(url, status, url, "")
    assert not result.ok and not result.moved


@pytest.mark.parametrize("path", ["/moved", "/found"])
def test_a_redirected_page_is_ok_and_moved_to_where_it_ended(server, path):
    url = server.base + path
    result = check(url)
    assert result == LinkResult(url, 200, f"{server.base}/good", "")
    assert result.ok and result.moved
    assert server.requests == [("HEAD", path), ("HEAD", "/good")]


def test_a_redirect_loop_is_too_many_redirects(server):
    url = f"{server.base}/loop"
    result = check(url)
    assert result == LinkResult(url, 302, url, "too many redirects")
    assert not result.ok and not result.moved
    assert server.requests == [("HEAD", "/loop")]


def test_redirects_are_followed_up_to_the_limit(server):
    results = check_links([f"{server.base}/chain/2", f"{server.base}/chain/3"], timeout=2.0, max_redirects=2)
    assert results[f"{server.base}/chain/2"] == LinkResult(f"{server.base}/chain/2", 200, f"{server.base}/chain/0", "")
    assert results[f"{server.base}/chain/3"] == LinkResult(
        f"{server.base}/chain/3", 301, f"{server.base}/chain/1", "too many redirects"
    )
    assert not results[f"{server.base}/chain/3"].ok


def test_a_page_that_refuses_head_is_asked_with_get(server):
    url = f"{server.base}/head-refused"
    result = check(url)
    assert result == LinkResult(url, 200, url, "")
    assert result.ok and not result.moved
    assert server.requests == [("HEAD", "/head-refused"), ("GET", "/head-refused")]


def test_a_page_slower_than_the_timeout_is_a_timeout(server):
    url = f"{server.base}/slow"
    started = time.monotonic()
    result = check(url, timeout=TIMEOUT)
    assert time.monotonic() - started < SLOW - 0.5
    assert result == LinkResult(url, None, "", "timeout")
    assert not result.ok and not result.moved


def test_a_closed_port_is_refused():
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    url = f"http://127.0.0.1:{port}/good"
    result = check(url)
    assert result == LinkResult(url, None, "", "refused")
    assert not result.ok


def test_a_host_with_no_address_is_not_found_host():
    url = "http://no-such-agency.invalid/oit"  # refused by only_this_machine as a resolver would
    assert check(url) == LinkResult(url, None, "", "not found host")


def test_addresses_that_are_not_web_pages_are_invalid_and_never_asked(server):
    port = server.server_port
    urls = ["javascript:alert(1)", "ftp://x", f"ftp://127.0.0.1:{port}/good", "mailto:a@b.go.th", "", "http://"]
    results = check_links(urls, timeout=2.0)
    assert list(results) == urls
    for url in urls:
        assert results[url] == LinkResult(url, None, "", "invalid address")
        assert not results[url].ok
    assert server.requests == []


def test_each_distinct_address_is_asked_once(server):
    good, missing = f"{server.base}/good", f"{server.base}/missing"
    results = check_links([good, missing, good, good, missing], timeout=2.0)
    assert list(results) == [good, missing]
    assert results[good].ok and not results[missing].ok
    assert sorted(server.requests) == [("HEAD", "/good"), ("HEAD", "/missing")]


def test_no_more_addresses_are_asked_at_once_than_there_are_workers(server):
    urls = [f"{server.base}/count?{n}" for n in range(6)]
    results = check_links(urls, timeout=2.0, workers=2)
    assert all(results[url] == LinkResult(url, 200, url, "") for url in urls)
    assert len(server.requests) == 6
    assert server.most == 2
