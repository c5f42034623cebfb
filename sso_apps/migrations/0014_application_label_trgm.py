"""Index the SSO Applications search by label: pg_trgm (PostgreSQL only)."""

from django.db import migrations
from django.db.models.functions import Lower

from tessera.search import AddTrigramIndex


class Migration(migrations.Migration):
    dependencies = [
        ("sso_apps", "0013_saml_encryption_algorithms"),
        # Creates the pg_trgm extension this index needs.
        ("accounts", "0007_user_search_trgm"),
    ]

    operations = [
        # The same expression as sso_apps.selectors.application_search filters on.
        AddTrigramIndex(
            model_name="application", name="sso_apps_app_label_trgm", expression=Lower("display_label")
        ),
    ]
