"""Stock djangosaml2idp through the same in-process SSO flows as Tessera's benchmark.

Run by benchmarks.sso_inprocess in a subprocess of its own (stock settings, own database):
    python -m benchmarks.baseline.sso_inprocess --json [--quick]
"""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.harness.databases import ThrowawayDatabase, database_url
from benchmarks.harness.keys import key_pair_files
from benchmarks.harness.report import Figure, module_main
from benchmarks.harness.sp import BenchSp

BASE_URL = "http://127.0.0.1"


def flow_figures(prefix: str, flow) -> list[Figure]:
    return [
        Figure(f"{prefix} requests", flow.requests, ""),
        Figure(f"{prefix} median", flow.samples.median, "ms"),
        Figure(f"{prefix} p99", flow.samples.p99, "ms"),
        Figure(f"{prefix} queries", flow.queries, ""),
        Figure(f"{prefix} write transactions", flow.write_transactions, ""),
    ]


def run(*, quick: bool) -> list[Figure]:
    runs = 10 if quick else 60
    key_dir = tempfile.mkdtemp(prefix="tessera-bench-stock-")
    key_pair_files(Path(key_dir), common_name="stock.bench.test")
    with ThrowawayDatabase(database_url("tessera_bench_stock_inproc"), stock=True) as url:
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "benchmarks.baseline.project.settings",
                "BASELINE_DATABASE_URL": url,
                "BASELINE_KEY_DIR": key_dir,
                "BASELINE_BASE_URL": BASE_URL,
            }
        )
        import django
        from django.core.management import call_command
        from django.test import Client

        django.setup()
        call_command("migrate", verbosity=0)
        from django.contrib.auth import get_user_model

        from benchmarks.baseline.stock_seed import SP_ACS, stock_seed
        from benchmarks.sso_flow import sso_measure

        entity_ids = stock_seed(sps=1, users=1, password=None)
        client = Client(SERVER_NAME="127.0.0.1")
        metadata = client.get("/idp/metadata/").content.decode()
        sp = BenchSp(
            idp_metadata_xml=metadata, entity_id=entity_ids[0], acs_url=SP_ACS.format(domain="sp0")
        )
        client.force_login(get_user_model().objects.get())

        def sp_initiated(url):
            parts = urlsplit(url)
            return lambda c: c.get(f"{parts.path}?{parts.query}")

        warm = [sp.login_url() for _ in range(3)]
        sso_measure(client, [sp_initiated(u) for u, _ in warm])
        urls = [sp.login_url() for _ in range(runs)]
        sp_flow = sso_measure(client, [sp_initiated(u) for u, _ in urls])
        problems = sp.errors(sp_flow.last_form, urls[-1][1])
        if problems:
            raise AssertionError(f"python3-saml refused the stock Response: {problems}")

        def idp_initiated(c):
            return c.post("/idp/sso/init/", {"sp": entity_ids[0], "RelayState": "/"})

        init_flow = sso_measure(client, [idp_initiated] * runs)
        problems = sp.errors(init_flow.last_form, None)
        if problems:
            raise AssertionError(f"python3-saml refused the stock IdP-initiated one: {problems}")
        from django.db import connections

        connections.close_all()
    return flow_figures("sp", sp_flow) + flow_figures("init", init_flow)


if __name__ == "__main__":
    module_main(run)
