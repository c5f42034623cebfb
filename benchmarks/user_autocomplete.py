"""Time the group-members autocomplete with 100,000 users against Django's default search.

Builds a throwaway database (SQLite file by default; set BENCH_DATABASE_URL for
PostgreSQL), generates the users with seed_demo's generator, then prints median times
for our prefix lookup and for the stock admin search (icontains on the same fields)
measured in the same run. Run: .venv/bin/python benchmarks/user_autocomplete.py
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import django_on_temporary_database, median_ms  # noqa: E402

USERS = int(os.environ.get("BENCH_USERS", "100000"))


def main():
    django_on_temporary_database()
    from django.db import connection
    from django.db.models import Q

    from accounts.demo import demo_users_generate
    from accounts.models import User
    from accounts.selectors import user_autocomplete

    if User.objects.count() < USERS:
        demo_users_generate(count=USERS, password="bench", out=open(os.devnull, "w"))  # noqa: SIM115
    print(f"{User.objects.count()} users on {connection.vendor}")

    def ours():
        return list(user_autocomplete(term="scale00421").order_by("email")[:20])

    def stock():
        term = "scale00421"
        return list(
            User.objects.filter(
                Q(email__icontains=term)
                | Q(username__icontains=term)
                | Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
            ).order_by("email")[:20]
        )

    assert {u.pk for u in ours()} == {u.pk for u in stock()}
    mine, baseline = median_ms(ours, runs=30), median_ms(stock, runs=30)
    print(f"prefix autocomplete (ours):       {mine:8.2f} ms median")
    print(f"icontains admin search (stock):   {baseline:8.2f} ms median")
    print(f"ratio stock/ours: {baseline / mine:5.1f}x")


if __name__ == "__main__":
    main()
