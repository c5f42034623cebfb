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
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from benchmarks.harness.databases import (
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
    "sign_in": 3,
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


def _run_one(name: str, *, quick: bool, timeout: int) -> tuple[list[Figure], str]:
    command = [sys.executable, "-m", f"benchmarks.{name}", "--json"]
    if quick:
        command.append("--quick")
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
    except subprocess.TimeoutExpired:
        return [], f"timed out after {timeout} s"
    figures = parse_figures(done.stdout)
    if done.returncode != 0:
        return figures, f"exit {done.returncode}: " + done.stderr.strip()[-1500:]
    return figures, ""


def _timed_run(name: str, *, quick: bool, timeout: int) -> tuple[list[Figure], str]:
    started = time.monotonic()
    print(f"… {name}", file=sys.stderr, flush=True)
    result = _run_one(name, quick=quick, timeout=timeout)
    print(f"✓ {name} ({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True)
    return result


def _tessera_template() -> str:
    """Migrate one Tessera database the benchmarks copy; return its URL ("" on SQLite)."""
    url = database_url("tessera_bench_template")
    if not url.startswith("postgres"):
        return ""
    ThrowawayDatabase(url).__enter__()
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"from benchmarks.harness.databases import django_setup as s; s(url={url!r})",
        ],
        check=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    os.environ[TEMPLATE_ENV] = url.rsplit("/", 1)[1]
    return url


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
    template = _tessera_template()
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
            produced, error = runs[name].result()
            figures += produced
            if error:
                problems.append(f"{name}: {error}")
            missing = BENCHMARKS[name] - len([f for f in produced if f.is_finite])
            if missing > 0:
                problems.append(f"{name}: {missing} figure(s) missing or not a number")
    finally:
        if template:
            postgres_database_drop(template)

    print(
        f"Tessera benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores,"
        f" {'quick (sizes cut, targets not enforced)' if args.quick else 'full'}"
    )
    print(table(figures, markdown=args.markdown))
    notes = [f"- {f.name}: {f.note}" for f in figures if f.note]
    if notes:
        print("\nnotes:\n" + "\n".join(notes))
    print(f"\n{time.monotonic() - started:.0f} s")
    for problem in problems:
        print(f"PROBLEM {problem}", file=sys.stderr)
    if problems:
        return 1
    if not args.quick and any(f.passed is False for f in figures):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
