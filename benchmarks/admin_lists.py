"""Admin Portal lists at scale: SSO Applications (10,000 apps) and Users (100,000 users).

For each list the first page and a search are timed through Django's test client as an
administrator, and its queries are counted at a small size and at full size: the count
must not grow with the data. The group-members autocomplete (prefix lookup) is timed
against the stock icontains admin search in the same run.
Run: .venv/bin/python -m benchmarks.admin_lists [--quick]
"""

from benchmarks.harness.databases import ThrowawayDatabase, database_url, django_setup
from benchmarks.harness.queries import counting_queries
from benchmarks.harness.report import Figure, module_main, say, speedup
from benchmarks.harness.timing import time_samples


def _get(client, path: str, params: dict, expect: bytes):
    response = client.get(path, params)
    assert response.status_code == 200, (path, response.status_code)
    assert expect in response.content, (path, expect)
    return response


def _queries(client, path, params, expect) -> int:
    with counting_queries() as count:
        _get(client, path, params, expect)
    return count.queries


def _seed_apps(count: int, prefix: str):
    from accounts.models import UserGroup
    from benchmarks.tessera_seed import saml_apps_bulk_seed
    from sso_apps.models import ConnectorTemplate
    from sso_apps.saml.keys import generate_key_pair

    connector, _ = ConnectorTemplate.objects.get_or_create(
        slug="bench-list", defaults={"name": "Bench List", "type": "saml", "category": "it_ops"}
    )
    groups = [UserGroup.objects.get_or_create(name=f"List group {n}")[0] for n in range(2)]
    saml_apps_bulk_seed(
        prefix,
        count,
        connector=connector,
        groups=groups,
        key_pair=generate_key_pair(common_name="list.bench.test"),
        sso_active=True,
    )


def run(*, quick: bool) -> list[Figure]:
    apps, users = (500, 5_000) if quick else (10_000, 100_000)
    runs = 10 if quick else 40
    with ThrowawayDatabase(database_url("tessera_bench_admin_lists"), tessera=True) as url:
        django_setup(url=url)
        from django.db import connection
        from django.db.models import Q
        from django.test import Client

        from accounts.demo import demo_users_generate
        from accounts.models import User
        from accounts.selectors import user_autocomplete
        from accounts.tests.factories import ROLES, admin_with_role

        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(admin_with_role(ROLES["administrator"], email="lists@example.com"))
        cases = {
            "SSO Applications list": ("/admin/sso_apps/application/", {}, b"Alpha 1"),
            "SSO Applications search": (
                "/admin/sso_apps/application/",
                {"q": "Alpha 21"},
                b"Alpha 21",
            ),
            "Users list": ("/admin/accounts/user/", {}, b"lists@example.com"),
            "Users search": ("/admin/accounts/user/", {"q": "scale0000021"}, b"scale0000021"),
        }
        # Small data first: the query counts every page must keep at full size. The
        # searches match rows that exist at both sizes, so both render a result page.
        _seed_apps(30, "Alpha")
        demo_users_generate(count=30, password="bench")
        small = {name: _queries(client, *case) for name, case in cases.items()}
        say(f"admin_lists: seeding {apps:,} apps and {users:,} users")
        _seed_apps(apps // 2, "Bravo")
        _seed_apps(apps - apps // 2 - 30, "Charlie")
        demo_users_generate(count=users, password="bench")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE") if connection.vendor == "postgresql" else None
        figures = []
        for name, case in cases.items():
            samples = time_samples(lambda case=case: _get(client, *case), runs=runs)
            full = _queries(client, *case)
            size = f"{apps:,} apps" if name.startswith("SSO") else f"{users:,} users"
            figures.append(
                Figure(
                    f"{name} at {size}",
                    samples.median,
                    "ms",
                    target="≤ 100 ms, constant queries",
                    passed=samples.median <= 100 and full == small[name],
                    note=f"{full} queries at full size, {small[name]} with 30 rows;"
                    f" p99 {samples.p99:.1f} ms",
                )
            )

        term = "scale00421"

        def ours():
            return list(user_autocomplete(term=term).order_by("email")[:20])

        def stock():
            return list(
                User.objects.filter(
                    Q(email__icontains=term)
                    | Q(username__icontains=term)
                    | Q(first_name__icontains=term)
                    | Q(last_name__icontains=term)
                ).order_by("email")[:20]
            )

        assert {u.pk for u in ours()} == {u.pk for u in stock()}
        mine, baseline = time_samples(ours, runs=runs), time_samples(stock, runs=runs)
        figures.append(
            Figure(
                f"group-members autocomplete at {users:,} users (query)",
                mine.median,
                "ms",
                baseline=baseline.median,
                ratio=speedup(mine.median, baseline.median),
                note="baseline: the stock admin search, OR-ed icontains",
            )
        )
    return figures


if __name__ == "__main__":
    module_main(run)
