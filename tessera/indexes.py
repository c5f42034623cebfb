"""AddIndex that does not block writes on PostgreSQL: CREATE INDEX CONCURRENTLY there.

Every SSO inserts into the audit and SP-session tables, so a plain CREATE INDEX on them,
which holds a lock that blocks inserts until the build ends, stops sign-ins for as long as
a large table takes to index. Elsewhere (SQLite) it is Django's AddIndex.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db.migrations import AddIndex


class AddIndexOnline(AddIndexConcurrently):
    """AddIndexConcurrently on PostgreSQL, AddIndex elsewhere; needs `atomic = False`."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)
