"""Password sign-in in process: what one sign-in costs beside its one Argon2 check.

Signs a user in through the console form (GET the page, POST email and password) with
Django's test client on the production hashers, DEBUG off, Redis sessions and cache when
TESSERA_TEST_REDIS_URL is set. The baseline, measured in the same process just before, is
one Argon2 check of that user's stored hash: the part a sign-in cannot do without. Also
counts the Argon2 checks per sign-in (exactly one, whether the email exists or not).
Run: .venv/bin/python -m benchmarks.sign_in [--quick] [--profile]
(--profile prints a pyinstrument profile of 30 sign-ins instead of the figures.)
"""

import os
import re
import sys
import time
from html import unescape

from benchmarks.harness.databases import ThrowawayDatabase, database_url, django_setup
from benchmarks.harness.queries import counting_queries
from benchmarks.harness.report import Figure, module_main
from benchmarks.harness.timing import time_samples

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOGIN = "/userconsole/login/"
USERS = 10


_attempts = iter(range(1, 1 << 24))


def _sign_in(client_class, email: str, password: str, *, expect: int = 302) -> None:
    # A fresh browser each time, as in the HTTP benchmark: no session, no CSRF cookie yet.
    # Each from its own address, so the refused ones never reach django-axes' lockout.
    n = next(_attempts)
    client = client_class(
        SERVER_NAME="127.0.0.1",
        REMOTE_ADDR=f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}",
        enforce_csrf_checks=True,
    )
    page = client.get(LOGIN)
    token = CSRF.search(page.content.decode())
    assert page.status_code == 200 and token, page.status_code
    response = client.post(
        LOGIN, {"csrfmiddlewaretoken": unescape(token[1]), "email": email, "password": password}
    )
    assert response.status_code == expect, response.status_code


def _counting_argon2_checks():
    """Count Argon2 verifications and hashings, patched where Django's hasher finds them.

    Django verifies with argon2.PasswordHasher().verify and hashes (a new or upgraded
    hash, the dummy hash for an unknown email) with argon2.low_level.hash_secret.
    """
    import argon2
    import argon2.low_level

    calls = {"n": 0}
    targets = [(argon2.PasswordHasher, "verify"), (argon2.low_level, "hash_secret")]
    originals = [(owner, name, getattr(owner, name)) for owner, name in targets]

    def counted(original):
        def wrapper(*args, **kwargs):
            calls["n"] += 1
            return original(*args, **kwargs)

        return wrapper

    for owner, name, original in originals:
        setattr(owner, name, counted(original))

    def restore():
        for owner, name, original in originals:
            setattr(owner, name, original)

    return calls, restore


def _cpu_ms(action, *, runs: int) -> float:
    """Return the mean CPU time of `action` in this process, in ms, after one warm-up."""
    action()
    started = time.process_time()
    for _ in range(runs):
        action()
    return (time.process_time() - started) * 1000 / runs


def run(*, quick: bool) -> list[Figure]:
    from benchmarks.tessera_seed import PASSWORD

    redis_url = os.environ.get("TESSERA_TEST_REDIS_URL", "")
    with ThrowawayDatabase(database_url("tessera_bench_sign_in"), tessera=True) as url:
        os.environ["REDIS_URL"] = redis_url
        django_setup(url=url, settings="benchmarks.http_settings")
        from django.contrib.auth.hashers import check_password, get_hasher
        from django.test import Client

        from accounts.services import user_create

        # Several users taken in turn, as in the HTTP benchmark: each keeps a few sessions.
        users = [
            user_create(email=f"signin{n}@example.com", username=f"signin{n}", password=PASSWORD)
            for n in range(USERS)
        ]
        turn = iter(range(1 << 30))

        def email() -> str:
            return users[next(turn) % USERS].email

        user = users[0]
        runs = 5 if quick else 40
        if "--profile" in sys.argv:
            from pyinstrument import Profiler

            with Profiler(interval=0.0005) as profiler:
                for _ in range(30):
                    _sign_in(Client, email(), PASSWORD)
            print(profiler.output_text(unicode=True, color=False, show_all=False))
            raise SystemExit(0)
        encoded = user.password
        argon2 = time_samples(lambda: check_password(PASSWORD, encoded), runs=runs * 2)
        sign_in = time_samples(lambda: _sign_in(Client, email(), PASSWORD), runs=runs)
        unknown = time_samples(
            lambda: _sign_in(Client, f"nobody{next(_attempts)}@example.com", PASSWORD, expect=200),
            runs=runs,
        )
        # CPU time of this process (it is the server, the client and the hasher): on a
        # shared machine far steadier than wall time, which includes waiting for a core.
        argon2_cpu = _cpu_ms(lambda: check_password(PASSWORD, encoded), runs=runs * 2)
        sign_in_cpu = _cpu_ms(lambda: _sign_in(Client, email(), PASSWORD), runs=runs)
        calls, restore = _counting_argon2_checks()
        try:
            with counting_queries() as count:
                _sign_in(Client, email(), PASSWORD)
            known_checks = calls["n"]
            calls["n"] = 0
            _sign_in(Client, "nobody-counted@example.com", PASSWORD, expect=200)
            unknown_checks = calls["n"]
        finally:
            restore()
        hasher = get_hasher()
    parameters = (
        f"Argon2 m={hasher.memory_cost // 1024} MiB, t={hasher.time_cost}, p={hasher.parallelism}"
    )
    overhead = sign_in.median - argon2.median
    return [
        Figure(
            "password sign-in in process (form GET + POST)",
            sign_in.median,
            "ms",
            baseline=argon2.median,
            ratio=sign_in.median / argon2.median,
            note=f"baseline: one Argon2 check alone ({parameters}); everything else"
            f" {overhead:.1f} ms; p99 {sign_in.p99:.1f} ms; {count.queries} queries,"
            f" {count.write_transactions} write transactions",
        ),
        Figure(
            "password sign-in in process: CPU time",
            sign_in_cpu,
            "ms",
            baseline=argon2_cpu,
            ratio=sign_in_cpu / argon2_cpu,
            note="this process's CPU per sign-in (PostgreSQL and Redis not included);"
            f" baseline: one Argon2 check's CPU; everything else {sign_in_cpu - argon2_cpu:.1f} ms",
        ),
        Figure(
            "password sign-in in process, unknown email (refused)",
            unknown.median,
            "ms",
            baseline=argon2.median,
            ratio=unknown.median / argon2.median,
            note="costs an Argon2 hash too, so timing does not tell which emails exist",
        ),
        Figure(
            "Argon2 checks per sign-in (known email / unknown email)",
            known_checks,
            "",
            target="1 / 1",
            passed=known_checks == 1 and unknown_checks == 1,
            note=f"unknown email: {unknown_checks}",
        ),
    ]


if __name__ == "__main__":
    if "--profile" in sys.argv:
        run(quick=False)
    else:
        module_main(run)
