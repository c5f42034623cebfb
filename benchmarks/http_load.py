"""SSO and password sign-in over HTTP: gunicorn, 2 workers, PostgreSQL, Redis; stock alongside.

Both servers run gunicorn as portal/gunicorn.conf.py runs Tessera in production (gthread
workers with its thread count, preload for Tessera). Starts Tessera on a spare port (its
own database tessera_bench_http, Redis from TESSERA_TEST_REDIS_URL), signs in 50 users
through the console form, runs SP-initiated Redirect SSOs across 20 apps from 8
keep-alive threads for 20 s, samples Responses and validates them with python3-saml,
reads the workers' RSS, then measures password sign-ins (c=4). Then the stock
djangosaml2idp project runs the same SSO load on its own database and port. Every server
is stopped on the way out, also on failure or Ctrl-C.
Run: .venv/bin/python -m benchmarks.http_load [--quick]
"""

import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.harness.databases import ThrowawayDatabase, database_url, django_setup
from benchmarks.harness.keys import key_pair_files
from benchmarks.harness.load import Connection, Cookies, sign_in, sign_in_load, sso_load
from benchmarks.harness.report import Figure, module_main, say
from benchmarks.harness.servers import Gunicorn, spare_port
from benchmarks.harness.sp import BenchSp

CONCURRENCY = 8
SIGN_IN_CONCURRENCY = 4


def production_server_settings() -> dict:
    """Threads per worker and preload as portal/gunicorn.conf.py sets them (and the env)."""
    import runpy
    from pathlib import Path

    conf = runpy.run_path(str(Path(__file__).resolve().parent.parent / "portal/gunicorn.conf.py"))
    return {"threads": conf["threads"], "preload_app": conf["preload_app"]}


def _sizes(quick: bool) -> dict:
    if quick:
        return {"users": 8, "apps": 3, "seconds": 3.0, "warmup": 1.0, "sign_in_seconds": 2.0}
    return {"users": 50, "apps": 20, "seconds": 20.0, "warmup": 3.0, "sign_in_seconds": 10.0}


def _validate(result, sps: list[BenchSp]) -> tuple[int, list[str]]:
    problems = []
    for sp_index, form, request_id in result.samples:
        errors = sps[sp_index].errors(form, request_id)
        if errors:
            problems.append(f"sp{sp_index}: {errors}")
    return len(result.samples), problems


def _tessera(sizes: dict) -> dict:
    from benchmarks.tessera_seed import PASSWORD, SP_ACS, SP_METADATA, sp_domain, tessera_seed

    port = spare_port()
    redis_url = os.environ.get("TESSERA_TEST_REDIS_URL", "")
    with ThrowawayDatabase(database_url("tessera_bench_http"), tessera=True) as url:
        env = {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "benchmarks.http_settings",
            "TESSERA_BASE_URL": f"http://127.0.0.1:{port}",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SSO_APPS_KEY_ENCRYPTION_SECRET": secrets.token_urlsafe(32),
            "REDIS_URL": redis_url,
            "DATABASE_CONN_MAX_AGE": "60",
            "TESSERA_TEST_CELERY_EAGER": "1",
        }
        os.environ.update(env)
        say("http_load: seeding Tessera")
        django_setup(url=url, settings="benchmarks.http_settings")
        seeded = tessera_seed(apps=sizes["apps"], users=sizes["users"], password=PASSWORD)
        from django.db import connections

        connections.close_all()
        production = production_server_settings()
        with Gunicorn(
            "portal.wsgi:application",
            port=port,
            env=env,
            threads=production["threads"],
            preload=production["preload_app"],
        ) as server:
            connection = Connection(port)
            sps = []
            for n, application in enumerate(seeded.applications):
                _, status, metadata = connection.follow(
                    "GET", f"/saml2/{application.idp_suffix}/metadata", Cookies()
                )
                assert status == 200, status
                sps.append(
                    BenchSp(
                        idp_metadata_xml=metadata.decode(),
                        entity_id=SP_METADATA.format(domain=sp_domain(n)),
                        acs_url=SP_ACS.format(domain=sp_domain(n)),
                    )
                )
            say("http_load: signing Tessera users in over HTTP")
            sessions = [
                sign_in(
                    connection,
                    login_path="/userconsole/login/",
                    fields={"email": user.email, "password": PASSWORD},
                )
                for user in seeded.users
            ]
            credentials = [{"email": u.email, "password": PASSWORD} for u in seeded.users]
            sso_load(
                port=port,
                sessions=sessions,
                sps=sps,
                concurrency=CONCURRENCY,
                seconds=sizes["warmup"],
            )
            say("http_load: Tessera SSO load")
            load = sso_load(
                port=port,
                sessions=sessions,
                sps=sps,
                concurrency=CONCURRENCY,
                seconds=sizes["seconds"],
            )
            rss = server.worker_rss_mb()
            memory = max(server.worker_memory(), key=lambda m: m["rss"])
            say("http_load: Tessera password sign-ins")
            sign_ins = sign_in_load(
                port=port,
                login_path="/userconsole/login/",
                credentials=credentials,
                concurrency=SIGN_IN_CONCURRENCY,
                seconds=sizes["sign_in_seconds"],
            )
    sampled, invalid = _validate(load, sps)
    return {
        "load": load,
        "rss": rss,
        "memory": memory,
        "preload": production["preload_app"],
        "threads": production["threads"],
        "sign_ins": sign_ins,
        "sampled": sampled,
        "invalid": invalid,
    }


def _stock(sizes: dict) -> dict:
    from benchmarks.baseline.stock_seed import SP_ACS, stock_environment

    port = spare_port()
    key_dir = tempfile.mkdtemp(prefix="tessera-bench-stock-")
    key_pair_files(Path(key_dir), common_name="stock.bench.test")
    with ThrowawayDatabase(database_url("tessera_bench_stock_http"), stock=True) as url:
        env = {
            **stock_environment(
                database_url=url, key_dir=key_dir, base_url=f"http://127.0.0.1:{port}"
            ),
            "BASELINE_CONN_MAX_AGE": "60",
        }
        say("http_load: seeding stock djangosaml2idp")
        seeded = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.baseline.http_seed",
                str(sizes["apps"]),
                str(sizes["users"]),
            ],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=False,
        )
        if seeded.returncode != 0:
            raise RuntimeError(f"stock seed failed: {seeded.stderr[-2000:]}")
        data = json.loads(seeded.stdout.strip().splitlines()[-1])
        app = "benchmarks.baseline.project.wsgi:application"
        # The same server as Tessera's (gthread, production's thread count), so that only
        # the IdP differs; its xmlsec1 subprocesses leave the CPU idle as I/O does.
        with Gunicorn(
            app, port=port, env=env, threads=production_server_settings()["threads"]
        ) as server:
            connection = Connection(port)
            _, status, metadata = connection.follow("GET", "/idp/metadata/", Cookies())
            assert status == 200, status
            sps = [
                BenchSp(
                    idp_metadata_xml=metadata.decode(),
                    entity_id=entity_id,
                    acs_url=SP_ACS.format(domain=f"sp{n}"),
                )
                for n, entity_id in enumerate(data["entity_ids"])
            ]
            sessions = [Cookies(sessionid=value) for value in data["sessions"]]
            sso_load(
                port=port,
                sessions=sessions,
                sps=sps,
                concurrency=CONCURRENCY,
                seconds=sizes["warmup"],
            )
            say("http_load: stock SSO load")
            load = sso_load(
                port=port,
                sessions=sessions,
                sps=sps,
                concurrency=CONCURRENCY,
                seconds=sizes["seconds"],
            )
            rss = server.worker_rss_mb()
    sampled, invalid = _validate(load, sps)
    return {"load": load, "rss": rss, "sampled": sampled, "invalid": invalid}


def _argon2_parameters() -> str:
    from django.contrib.auth.hashers import get_hasher

    hasher = get_hasher()
    if hasher.algorithm != "argon2":
        return f"hasher {hasher.algorithm}"
    return (
        f"Argon2 m={hasher.memory_cost // 1024} MiB, t={hasher.time_cost}, p={hasher.parallelism}"
    )


def run(*, quick: bool) -> list[Figure]:
    sizes = _sizes(quick)
    ours = _tessera(sizes)
    argon2 = _argon2_parameters()
    stock = _stock(sizes)
    load, base = ours["load"], stock["load"]
    ratio = load.rate / base.rate if base.rate else None
    cores = os.cpu_count() or 1
    sign_in_rate = ours["sign_ins"].rate / cores
    per_sso = load.requests / max(1, len(load.latencies_ms) + len(load.errors))
    setup = (
        f"{sizes['users']} users, {sizes['apps']} apps, c={CONCURRENCY}, {sizes['seconds']:.0f} s,"
        f" {per_sso:.1f} requests per SSO; both servers "
        + (f"gthread, {ours['threads']} threads per worker" if ours["threads"] > 1 else "sync")
        + " (as portal/gunicorn.conf.py)"
    )
    errors = len(load.errors)
    first_error = f"; first error: {load.errors[0][:160]}" if load.errors else ""
    return [
        Figure(
            "SSO over HTTP (gunicorn 2 workers, PostgreSQL, Redis)",
            load.rate,
            "SSO/s",
            target="≥ 250 SSO/s and ≥ 10× stock",
            passed=load.rate >= 250 and (ratio or 0) >= 10,
            baseline=base.rate,
            ratio=ratio,
            note=setup,
        ),
        Figure(
            "SSO over HTTP: p99 latency",
            load.samples_ms.p99,
            "ms",
            target="≤ 50 ms",
            passed=load.samples_ms.p99 <= 50,
            baseline=base.samples_ms.p99,
            note=f"p50 {load.samples_ms.median:.1f} ms, stock p50 {base.samples_ms.median:.1f} ms",
        ),
        Figure(
            "SSO over HTTP: errors",
            errors,
            "",
            target="0",
            passed=errors == 0,
            baseline=len(base.errors),
            note=f"{len(load.latencies_ms)} SSOs{first_error}",
        ),
        Figure(
            "SSO over HTTP: sampled Responses python3-saml refused",
            len(ours["invalid"]),
            "",
            target="0",
            passed=not ours["invalid"] and ours["sampled"] > 0,
            baseline=len(stock["invalid"]),
            note=f"{ours['sampled']} sampled (stock {stock['sampled']})"
            + (f"; {ours['invalid'][0][:200]}" if ours["invalid"] else ""),
        ),
        Figure(
            "worker RSS under SSO load (largest worker)",
            ours["rss"],
            "MB",
            target="≤ 150 MB",
            passed=ours["rss"] <= 150,
            baseline=stock["rss"],
            note=f"that worker's PSS {ours['memory']['pss']:.0f} MB, USS"
            f" {ours['memory']['uss']:.0f} MB; gunicorn"
            f" {'--preload' if ours['preload'] else 'without --preload'}",
        ),
        Figure(
            "password sign-ins over HTTP, per core (c=4)",
            sign_in_rate,
            "/s",
            target="≥ 15/s per core, Argon2id ≥ m=19 MiB t=2 p=1",
            passed=sign_in_rate >= 15 and not ours["sign_ins"].errors,
            note=f"{argon2}; {ours['sign_ins'].rate:.1f}/s on {cores} cores,"
            f" {len(ours['sign_ins'].errors)} errors",
        ),
    ]


if __name__ == "__main__":
    module_main(run)
