"""Time the Add New Application catalog search with 2,000 extra templates.

Prints the median server time of the catalog page (`/admin/sso_apps/application/add/?q=`)
and of the search query alone, against a baseline measured in the same run: the same
search written as OR-ed icontains lookups over name, slug, category and keywords.
Run: .venv/bin/python -m benchmarks.catalog_search [--quick]
"""

from benchmarks.harness.databases import ThrowawayDatabase, database_url, django_setup
from benchmarks.harness.report import Figure, module_main, speedup
from benchmarks.harness.timing import median_ms


def run(*, quick: bool) -> list[Figure]:
    with ThrowawayDatabase(database_url("tessera_bench_catalog"), tessera=True) as url:
        django_setup(url=url)
        return _measure(extra=2000, runs=10 if quick else 50)


def _measure(*, extra: int, runs: int) -> list[Figure]:
    from django.db.models import Q
    from django.test import Client

    from accounts.tests.factories import ROLES, admin_with_role
    from sso_apps.models import ConnectorTemplate
    from sso_apps.selectors import connector_search
    from sso_apps.services.catalog import catalog_load

    catalog_load()
    ConnectorTemplate.objects.bulk_create(
        [
            ConnectorTemplate(
                slug=f"synthetic-{n:05d}",
                name=f"Synthetic App {n}",
                type="saml",
                category=["collaboration", "dev_tools", "hr", "finance"][n % 4],
                keywords=[f"keyword{n}", "synthetic"],
                search_text=f"synthetic app {n} synthetic-{n:05d} keyword{n} synthetic",
            )
            for n in range(extra)
        ],
        batch_size=500,
    )
    templates = ConnectorTemplate.objects.count()
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(admin_with_role(ROLES["administrator"], email="bench@example.com"))

    def page():
        response = client.get("/admin/sso_apps/application/add/", {"q": "slack"})
        assert response.status_code == 200, response.status_code
        assert b"Slack" in response.content

    def ours():
        return list(connector_search(query="slack"))

    def baseline():
        term = "slack"
        return list(
            ConnectorTemplate.objects.filter(
                Q(name__icontains=term)
                | Q(slug__icontains=term)
                | Q(category__icontains=term)
                | Q(keywords__icontains=term)
            ).order_by("name")
        )

    assert {t.slug for t in ours()} <= {t.slug for t in baseline()}
    page_ms, ours_ms, base_ms = (
        median_ms(page, runs=runs),
        median_ms(ours, runs=runs),
        median_ms(baseline, runs=runs),
    )
    return [
        Figure(
            f"catalog page with {templates:,} templates (search)",
            page_ms,
            "ms",
            target="≤ 15 ms",
            passed=page_ms <= 15,
        ),
        Figure(
            "catalog search query (search_text)",
            ours_ms,
            "ms",
            baseline=base_ms,
            ratio=speedup(ours_ms, base_ms),
            note="baseline: OR-ed icontains over name, slug, category, keywords",
        ),
    ]


if __name__ == "__main__":
    module_main(run)
