"""One SSO through Django's test client, counted the way the targets count it.

Shared by Tessera's and the stock project's in-process benchmarks: both hand in the first
request; this follows same-site redirects (each one is another request the browser makes)
until the page with the SAML POST form, and returns that form.
"""

import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import urlsplit

from benchmarks.harness.queries import counting_queries
from benchmarks.harness.timing import Samples

FIELD = re.compile(
    r'<input[^>]*name="(?P<name>SAMLResponse|RelayState)"[^>]*value="(?P<value>[^"]*)"'
)
ACTION = re.compile(r'<form[^>]*action="(?P<action>[^"]+)"')


@dataclass
class Flow:
    """What a batch of SSOs cost: timings, and the counts of the last one (they repeat)."""

    samples: Samples
    requests: int
    queries: int
    write_transactions: int
    last_form: dict


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def saml_form(html: str) -> dict:
    """Return the auto-POST form's action and fields (SAMLResponse, RelayState)."""
    action = ACTION.search(html)
    fields = {m["name"]: unescape(m["value"]) for m in FIELD.finditer(html)}
    if not action or "SAMLResponse" not in fields:
        raise AssertionError(f"no SAML POST form in the page: {html[:300]!r}")
    return {"action": unescape(action["action"]), **fields}


def sso_once(client, first) -> tuple[int, dict]:
    """Run `first(client)` and follow redirects on our host; return (requests, form)."""
    response = first(client)
    requests = 1
    while response.status_code in (301, 302, 303):
        location = response["Location"]
        if urlsplit(location).netloc not in ("", "127.0.0.1", "testserver"):
            raise AssertionError(f"redirected off the IdP: {location}")
        response = client.get(_path(location))
        requests += 1
    if response.status_code != 200:
        raise AssertionError(f"SSO ended with {response.status_code}: {response.content[:300]!r}")
    return requests, saml_form(response.content.decode())


def sso_measure(client, firsts: list) -> Flow:
    """Time one SSO per entry of `firsts` (each a callable making the first request)."""
    import time

    times = []
    requests = queries = writes = 0
    form = {}
    for first in firsts:
        with counting_queries() as count:
            started = time.perf_counter()
            requests, form = sso_once(client, first)
            times.append((time.perf_counter() - started) * 1000)
        queries, writes = count.queries, count.write_transactions
    return Flow(Samples(tuple(times)), requests, queries, writes, form)
