"""SP-initiated Redirect SSO and the IdP-initiated tile launch, in process, against stock.

A signed-in user, DEBUG off, production's settings (benchmarks.http_settings) with the
Redis of TESSERA_TEST_REDIS_URL as REDIS_URL: `cached_db` sessions, single-use request
IDs in Redis (without it: database sessions and request IDs). PostgreSQL when DATABASE_URL
names it. The stock project has database sessions, as its README sets it up. Each SSO is every
request a browser makes from the AuthnRequest to the page that posts the Response
(redirects followed). The stock djangosaml2idp project runs the same flows in its own
subprocess and database in the same run. Sampled Responses must satisfy python3-saml.
Run: .venv/bin/python -m benchmarks.sso_inprocess [--quick]
"""

import subprocess
import sys
from urllib.parse import urlsplit

from benchmarks.harness.databases import ThrowawayDatabase, database_url, django_setup
from benchmarks.harness.report import Figure, module_main, parse_figures, say, speedup
from benchmarks.harness.sp import BenchSp
from benchmarks.harness.timing import rsa_floor_ms


def _stock_start(*, quick: bool) -> subprocess.Popen:
    command = [sys.executable, "-m", "benchmarks.baseline.sso_inprocess", "--json"]
    return subprocess.Popen(
        command + (["--quick"] if quick else []),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stock_figures(process: subprocess.Popen) -> dict[str, float]:
    stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"stock baseline failed: {stderr[-2000:]}")
    return {f.name: f.value for f in parse_figures(stdout)}


def _tessera(*, quick: bool):
    from django.test import Client
    from django.urls import reverse

    from benchmarks.sso_flow import sso_measure
    from benchmarks.tessera_seed import SP_ACS, SP_METADATA, tessera_seed

    runs = 10 if quick else 300
    seeded = tessera_seed(apps=1, users=1, password=None)
    application = seeded.applications[0]
    client = Client(SERVER_NAME="127.0.0.1")
    metadata = client.get(reverse("saml:metadata", args=[application.idp_suffix]))
    sp = BenchSp(
        idp_metadata_xml=metadata.content.decode(),
        entity_id=SP_METADATA.format(domain="sp0"),
        acs_url=SP_ACS.format(domain="sp0"),
    )
    client.force_login(seeded.users[0])

    def sp_initiated(url):
        parts = urlsplit(url)
        return lambda c: c.get(f"{parts.path}?{parts.query}")

    sso_measure(client, [sp_initiated(sp.login_url()[0]) for _ in range(5)])
    urls = [sp.login_url() for _ in range(runs)]
    sp_flow = sso_measure(client, [sp_initiated(u) for u, _ in urls])
    problems = sp.errors(sp_flow.last_form, urls[-1][1])
    if problems:
        raise AssertionError(f"python3-saml refused Tessera's Response: {problems}")

    init_url = reverse("saml:init", args=[application.idp_suffix])

    def idp_initiated(c):
        return c.post(init_url)

    sso_measure(client, [idp_initiated] * 5)
    init_flow = sso_measure(client, [idp_initiated] * runs)
    problems = sp.errors(init_flow.last_form, None)
    if problems:
        raise AssertionError(f"python3-saml refused Tessera's IdP-initiated Response: {problems}")
    return sp_flow, init_flow


def _figures(title: str, prefix: str, flow, stock: dict, floor: float) -> list[Figure]:
    median, p99 = flow.samples.median, flow.samples.p99
    ratio = speedup(median, stock.get(f"{prefix} median"))
    return [
        Figure(
            f"{title}: requests per SSO",
            flow.requests,
            "",
            target="1",
            passed=flow.requests == 1,
            baseline=stock.get(f"{prefix} requests"),
        ),
        Figure(
            f"{title}: median",
            median,
            "ms",
            target=f"≤ 4 F = {4 * floor:.2f} ms and ≥ 10× stock",
            passed=median <= 4 * floor and (ratio or 0) >= 10,
            baseline=stock.get(f"{prefix} median"),
            ratio=ratio,
        ),
        Figure(
            f"{title}: p99",
            p99,
            "ms",
            target=f"≤ 8 F = {8 * floor:.2f} ms",
            passed=p99 <= 8 * floor,
            baseline=stock.get(f"{prefix} p99"),
            ratio=speedup(p99, stock.get(f"{prefix} p99")),
        ),
        Figure(
            f"{title}: queries",
            flow.queries,
            "",
            target="≤ 4",
            passed=flow.queries <= 4,
            baseline=stock.get(f"{prefix} queries"),
        ),
        Figure(
            f"{title}: write transactions",
            flow.write_transactions,
            "",
            target="≤ 1",
            passed=flow.write_transactions <= 1,
            baseline=stock.get(f"{prefix} write transactions"),
        ),
    ]


def _production_settings(url: str) -> None:
    # As production with REDIS_URL: Redis cache, cached_db sessions, request IDs in Redis.
    import os

    os.environ["REDIS_URL"] = os.environ.get("TESSERA_TEST_REDIS_URL", "")
    django_setup(url=url, settings="benchmarks.http_settings")


def run(*, quick: bool) -> list[Figure]:
    say("sso_inprocess: stock djangosaml2idp baseline (subprocess)")
    stock_process = _stock_start(quick=quick)
    # NOTE: a full run waits for stock before measuring Tessera so the two never share the
    # cores; --quick enforces no timing, so it runs them side by side to save time.
    stock = None if quick else _stock_figures(stock_process)
    say("sso_inprocess: Tessera")
    with ThrowawayDatabase(database_url("tessera_bench_sso_inproc"), tessera=True) as url:
        _production_settings(url)
        floor = rsa_floor_ms(runs=50 if quick else 300)
        sp_flow, init_flow = _tessera(quick=quick)
    if stock is None:
        stock = _stock_figures(stock_process)
    return _figures("SP-initiated Redirect SSO, in process", "sp", sp_flow, stock, floor) + (
        _figures("IdP-initiated tile launch, in process", "init", init_flow, stock, floor)
    )


if __name__ == "__main__":
    module_main(run)
