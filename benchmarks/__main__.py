"""The one command: run every benchmark and print one table.

    .venv/bin/python -m benchmarks            # full sizes (about 10 minutes on 2 cores)
    .venv/bin/python -m benchmarks --quick    # smoke run: small sizes, nothing enforced
    .venv/bin/python -m benchmarks --only sso_inprocess,http_load

Each benchmark runs in its own subprocess (`python -m benchmarks.<name> --json`), so
Tessera's settings and the stock djangosaml2idp project's never share a process, and its
figures come back as one JSON line. Every target is a multiple of F (two RSA-2048
signatures, measured in the same subprocess) or of a baseline measured in the same run.
Full mode exits 1 if any target FAILs; --quick exits 1 only if a benchmark failed to run
or did not produce every figure it should.
"""

import argparse
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.harness.databases import (
    STOCK_TEMPLATE_ENV,
    TEMPLATE_ENV,
    ThrowawayDatabase,
    database_url,
    postgres_database_drop,
)
from benchmarks.harness.report import Figure, parse_figures, table
from benchmarks.harness.timing import rsa_floor_ms

# name -> how many figures it must produce (the --quick check). The slowest come first,
# so that --quick, which runs several at once, starts them first.
BENCHMARKS = {
    "sso_inprocess": 10,
    "http_load": 6,
    "admin_lists": 5,
    "sign_in": 4,
    "saml_signing": 2,
    "saml_verify": 2,
    "console_home": 2,
    "catalog_search": 2,
    "bulk_delete": 1,
}
# Table order: the Targets table.
TABLE_ORDER = [
    "saml_signing",
    "saml_verify",
    "sso_inprocess",
    "http_load",
    "sign_in",
    "console_home",
    "admin_lists",
    "catalog_search",
    "bulk_delete",
]


def _run_one(name: str, *, quick: bool, timeout: int) -> tuple[list[Figure], str, float]:
    """Run one benchmark module; return its figures, an error ("" if none), its CPU seconds.

    The CPU time is the subprocess's and every process it waited for (its servers), from
    wait4: on a shared machine it says what a benchmark costs better than wall time.
    """
    command = [sys.executable, "-m", f"benchmarks.{name}", "--json"]
    if quick:
        command.append("--quick")
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=err,
            text=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    cpu = usage.ru_utime + usage.ru_stime
    figures = parse_figures(stdout)
    if process.returncode == -signal.SIGKILL and not figures:
        return [], f"timed out after {timeout} s", cpu
    if process.returncode != 0:
        return figures, f"exit {process.returncode}: " + stderr.strip()[-1500:], cpu
    return figures, "", cpu


def _timed_run(name: str, *, quick: bool, timeout: int) -> tuple[list[Figure], str]:
    started = time.monotonic()
    print(f"… {name}", file=sys.stderr, flush=True)
    figures, error, cpu = _run_one(name, quick=quick, timeout=timeout)
    print(
        f"✓ {name} ({time.monotonic() - started:.0f} s, {cpu:.0f} s CPU)",
        file=sys.stderr,
        flush=True,
    )
    return figures, error, cpu


def _template(name: str, *, code: str, env: dict) -> str:
    """Create database `name`, migrate it by running `code`; return its URL ("" on SQLite)."""
    url = database_url(name)
    if not url.startswith("postgres"):
        return ""
    ThrowawayDatabase(url).__enter__()
    subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore", **env},
    )
    return url


def _templates() -> list[str]:
    """Migrate the Tessera and the stock project's databases the benchmarks copy, at once.

    Return their URLs, and name them in the environment every benchmark inherits.
    """
    from benchmarks.baseline.stock_seed import stock_environment
    from benchmarks.harness.keys import key_pair_files

    key_dir = tempfile.mkdtemp(prefix="tessera-bench-stock-")
    key_pair_files(Path(key_dir), common_name="stock.bench.test")
    stock_url = database_url("tessera_bench_stock_template")
    jobs = {
        TEMPLATE_ENV: (
            "tessera_bench_template",
            "from benchmarks.harness.databases import django_setup as s;"
            f" s(url={database_url('tessera_bench_template')!r})",
            {},
        ),
        STOCK_TEMPLATE_ENV: (
            "tessera_bench_stock_template",
            "import django; from django.core.management import call_command;"
            " django.setup(); call_command('migrate', verbosity=0)",
            stock_environment(database_url=stock_url, key_dir=key_dir, base_url="http://x"),
        ),
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        made = {
            variable: pool.submit(_template, name, code=code, env=env)
            for variable, (name, code, env) in jobs.items()
        }
    urls = []
    for variable, future in made.items():
        url = future.result()
        if url:
            os.environ[variable] = url.rsplit("/", 1)[1]
            urls.append(url)
    return urls


def main() -> int:
    parser = argparse.ArgumentParser(description="Run every Tessera benchmark; print one table.")
    parser.add_argument("--quick", action="store_true", help="small sizes, no timing enforced")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args()
    names = [n for n in args.only.split(",") if n] or list(BENCHMARKS)
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    started = time.monotonic()
    floor = rsa_floor_ms(runs=50 if args.quick else 500)
    figures = [
        Figure(
            "F: two RSA-2048 PKCS#1 v1.5 SHA-256 signatures (cryptography)",
            floor,
            "ms",
            note=f"{2000 / floor:,.0f} signatures/s on one core",
        )
    ]
    problems = []
    templates = _templates()
    # NOTE: --quick times nothing that is enforced, so it runs four benchmarks at a time
    # (each on its own databases and ports) to stay within CI's two minutes; a full run
    # runs them one after another so they never compete for the cores they measure.
    workers = 4 if args.quick else 1
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            runs = {
                name: pool.submit(
                    _timed_run, name, quick=args.quick, timeout=900 if args.quick else 1800
                )
                for name in names
            }
        for name in sorted(names, key=TABLE_ORDER.index):
            produced, error, _ = runs[name].result()
            figures += produced
            if error:
                problems.append(f"{name}: {error}")
            missing = BENCHMARKS[name] - len([f for f in produced if f.is_finite])
            if missing > 0:
                problems.append(f"{name}: {missing} figure(s) missing or not a number")
    finally:
        for template in templates:
            postgres_database_drop(template)

    print(
        f"Tessera benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores,"
        f" {'quick (sizes cut, targets not enforced)' if args.quick else 'full'}"
    )
    print(table(figures, markdown=args.markdown))
    notes = [f"- {f.name}: {f.note}" for f in figures if f.note]
    if notes:
        print("\nnotes:\n" + "\n".join(notes))
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"\ntotal: {time.monotonic() - started:.0f} s wall time,"
        f" {children.ru_utime + children.ru_stime:.0f} s CPU in the benchmarks' processes"
    )
    for problem in problems:
        print(f"PROBLEM {problem}", file=sys.stderr)
    if problems:
        return 1
    if not args.quick and any(f.passed is False for f in figures):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
