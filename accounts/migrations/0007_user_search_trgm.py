"""Index the Users list search: pg_trgm over the searched columns (PostgreSQL only)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.models.functions import Lower

from tessera.search import AddTrigramIndex, SpaceJoined

# A frozen copy of accounts.selectors.user_search_text(): the query must compile to the
# same SQL for PostgreSQL to use the index.
FIELDS = ("email", "username", "first_name", "last_name", "display_name", "department")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_mfa"),
    ]

    operations = [
        # Does nothing on SQLite (CreateExtension checks the vendor).
        TrigramExtension(),
        AddTrigramIndex(
            model_name="user", name="accounts_user_search_trgm", expression=Lower(SpaceJoined(*FIELDS))
        ),
    ]
