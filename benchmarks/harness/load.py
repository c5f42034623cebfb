"""A small load generator: threads, one keep-alive http.client connection each, cookie jars.

Python threads share the GIL and the machine's cores with the servers under test, so the
generator does as little as possible per request (string-built AuthnRequests, a regex for
the form); sampled Responses are validated after the run, not during it.
"""

import http.client
import re
import threading
import time
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urlencode, urlsplit

from benchmarks.harness.timing import Samples
from benchmarks.sso_flow import saml_form

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Cookies(dict):
    """One browser's cookies for one host."""

    def header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.items())

    def take(self, response: http.client.HTTPResponse) -> None:
        for value in response.headers.get_all("Set-Cookie") or []:
            pair = value.split(";", 1)[0]
            name, _, content = pair.partition("=")
            if content in ("", '""'):
                self.pop(name.strip(), None)
            else:
                self[name.strip()] = content


class Connection:
    """A keep-alive connection to one server (http.client reconnects when it must)."""

    def __init__(self, port: int):
        self.port = port
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def send(self, method: str, path: str, cookies: Cookies, body: dict | None = None):
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if cookies:
            headers["Cookie"] = cookies.header()
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.http.request(method, path, body=data, headers=headers)
                response = self.http.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A sync gunicorn worker closed a kept-alive connection: reopen once.
                self.http.close()
                if attempt == 2:
                    raise
        cookies.take(response)
        return response.status, response.headers, content

    def follow(self, method: str, path: str, cookies: Cookies, body: dict | None = None):
        """Send, then follow redirects on this host; return (requests, status, body)."""
        status, headers, content = self.send(method, path, cookies, body)
        requests = 1
        while status in (301, 302, 303) and requests < 6:
            location = urlsplit(headers["Location"])
            if location.netloc and location.netloc != f"127.0.0.1:{self.port}":
                return requests, status, headers["Location"].encode()
            target = f"{location.path}?{location.query}" if location.query else location.path
            status, headers, content = self.send("GET", target, cookies)
            requests += 1
        return requests, status, content


def sign_in(connection: Connection, *, login_path: str, fields: dict) -> Cookies:
    """Sign in through a Django login form; return the signed-in browser's cookies."""
    cookies = Cookies()
    status, _, page = connection.send("GET", login_path, cookies)
    token = CSRF.search(page.decode())
    if status != 200 or not token:
        raise RuntimeError(f"no login form at {login_path}: {status}")
    status, headers, _ = connection.send(
        "POST", login_path, cookies, {"csrfmiddlewaretoken": unescape(token[1]), **fields}
    )
    if status != 302:
        raise RuntimeError(f"sign-in refused at {login_path}: {status}")
    return cookies


@dataclass
class LoadResult:
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    samples: list[tuple[int, dict, str]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds

    @property
    def samples_ms(self) -> Samples:
        return Samples(tuple(self.latencies_ms or [float("nan")]))


def sso_load(
    *,
    port: int,
    sessions: list[Cookies],
    sps: list,
    concurrency: int,
    seconds: float,
    sample_every: int = 50,
) -> LoadResult:
    """Run SP-initiated Redirect SSOs for `seconds` from `concurrency` threads.

    Thread i drives browsers i, i + concurrency, ... in turn and cycles through the SPs.
    Every `sample_every`-th SSO keeps its form for validation after the run.
    """
    result = LoadResult(seconds=seconds)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        connection = Connection(port)
        mine = sessions[index::concurrency] or sessions[:1]
        count = 0
        while time.monotonic() < deadline:
            cookies = mine[count % len(mine)]
            sp_index = (index + count) % len(sps)
            url, request_id = sps[sp_index].login_url()
            parts = urlsplit(url)
            started = time.perf_counter()
            try:
                requests, status, content = connection.follow(
                    "GET", f"{parts.path}?{parts.query}", cookies
                )
                elapsed = (time.perf_counter() - started) * 1000
                form = saml_form(content.decode()) if status == 200 else None
                error = None if form else f"status {status}: {content[:200]!r}"
            except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the run
                error, requests, elapsed, form = repr(exc), 1, 0.0, None
                connection = Connection(port)
            with lock:
                result.requests += requests
                if error:
                    result.errors.append(error)
                else:
                    result.latencies_ms.append(elapsed)
                    if len(result.latencies_ms) % sample_every == 1:
                        result.samples.append((sp_index, form, request_id))
            count += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    return result


def sign_in_load(
    *, port: int, login_path: str, credentials: list[dict], concurrency: int, seconds: float
) -> LoadResult:
    """Sign in over and over (fresh browser each time) from `concurrency` threads."""
    result = LoadResult(seconds=seconds)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        connection = Connection(port)
        count = 0
        while time.monotonic() < deadline:
            fields = credentials[(index + count * concurrency) % len(credentials)]
            started = time.perf_counter()
            try:
                sign_in(connection, login_path=login_path, fields=fields)
                error = None
            except Exception as exc:  # noqa: BLE001 - counted
                error = repr(exc)
                connection = Connection(port)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                result.requests += 2
                if error:
                    result.errors.append(error)
                else:
                    result.latencies_ms.append(elapsed)
            count += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    return result
