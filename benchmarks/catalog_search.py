"""Time the Add New Application catalog search with 2,000 extra templates.

Prints the median server time of the catalog page (`/admin/sso_apps/application/add/?q=`)
and of the search query alone, against a baseline measured in the same run: the same
search written as OR-ed icontains lookups over name, slug, category and keywords.
Run: .venv/bin/python benchmarks/catalog_search.py (BENCH_DATABASE_URL for PostgreSQL).
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import django_on_temporary_database, median_ms  # noqa: E402

EXTRA = int(os.environ.get("BENCH_TEMPLATES", "2000"))


def main():
    django_on_temporary_database()
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
            for n in range(EXTRA)
        ],
        batch_size=500,
    )
    print(f"{ConnectorTemplate.objects.count()} templates")
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
        median_ms(page, runs=30),
        median_ms(ours, runs=30),
        median_ms(baseline, runs=30),
    )
    print(f"catalog page, server time:          {page_ms:8.2f} ms median")
    print(f"search query (search_text):         {ours_ms:8.2f} ms median")
    print(f"search query (OR-ed icontains):     {base_ms:8.2f} ms median")
    print(f"ratio baseline/ours (query): {base_ms / ours_ms:5.1f}x")


if __name__ == "__main__":
    main()
