"""The User Console home for a user who may use 300 apps: server time and queries.

Run: .venv/bin/python -m benchmarks.console_home [--quick] [--profile]
(--profile prints a pyinstrument profile of the page instead of the figures.)
"""

import sys

from benchmarks.harness.databases import ThrowawayDatabase, database_url, django_setup
from benchmarks.harness.queries import counting_queries
from benchmarks.harness.report import Figure, module_main
from benchmarks.harness.timing import time_samples


def _seed(apps: int):
    from accounts.services import group_create, group_members_add, user_create
    from benchmarks.tessera_seed import saml_apps_bulk_seed
    from sso_apps.models import ConnectorTemplate
    from sso_apps.saml.keys import generate_key_pair

    user = user_create(email="tiles@example.com", username="tiles", first_name="Tile")
    group = group_create(name="Everything")
    group_members_add(group=group, users=[user])
    connector = ConnectorTemplate.objects.create(
        slug="bench-tiles", name="Bench Tiles", type="saml", category="it_ops", color="#3355aa"
    )
    saml_apps_bulk_seed(
        "Tile",
        apps,
        connector=connector,
        groups=[group],
        key_pair=generate_key_pair(common_name="tiles.bench.test"),
        sso_active=True,
    )
    return user


def _page(client, apps: int):
    response = client.get("/userconsole/")
    assert response.status_code == 200, response.status_code
    assert response.content.count(b'class="tile-item"') == apps
    return response


def run(*, quick: bool) -> list[Figure]:
    apps = 300
    with ThrowawayDatabase(database_url("tessera_bench_console"), tessera=True) as url:
        django_setup(url=url)
        from django.test import Client

        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(_seed(apps))
        if "--profile" in sys.argv:
            from pyinstrument import Profiler

            with Profiler() as profiler:
                for _ in range(30):
                    _page(client, apps)
            print(profiler.output_text(unicode=True, color=False, show_all=False))
            raise SystemExit(0)
        samples = time_samples(lambda: _page(client, apps), runs=10 if quick else 100)
        with counting_queries() as count:
            _page(client, apps)
    return [
        Figure(
            f"console home, user with {apps} apps",
            samples.median,
            "ms",
            target="≤ 40 ms",
            passed=samples.median <= 40,
            note=f"p99 {samples.p99:.1f} ms",
        ),
        Figure(
            f"console home, user with {apps} apps: queries",
            count.queries,
            "",
            target="≤ 4",
            passed=count.queries <= 4,
        ),
    ]


if __name__ == "__main__":
    if "--profile" in sys.argv:
        run(quick=False)
    else:
        module_main(run)
