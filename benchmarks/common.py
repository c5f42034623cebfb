"""What every benchmark script needs: a median timer and a throwaway Django database."""

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def median_ms(action: Callable[[], object], *, runs: int) -> float:
    """Return the median wall time of `action` in milliseconds, after one warm-up call."""
    action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def django_on_temporary_database() -> None:
    """Set Django up on a fresh migrated database: SQLite in a temp folder by default,
    or BENCH_DATABASE_URL (e.g. PostgreSQL) when set."""
    folder = tempfile.mkdtemp(prefix="tessera-bench-")
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3"
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
