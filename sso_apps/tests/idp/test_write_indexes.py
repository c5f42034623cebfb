"""The tables every SSO inserts into carry only indexes some query needs (issue 13).

Each index is one more write in the SSO's one statement; the audit list's filters still
have theirs.
"""

import pytest
from django.db import connection

from sso_apps.models import AuditEvent, SeenSamlRequest, SpSession

SSO_WRITTEN = [AuditEvent, SeenSamlRequest, SpSession]


def _indexes(model) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    # Unique constraints are indexes too (PostgreSQL reports them as constraints only).
    return {
        name: info["columns"]
        for name, info in constraints.items()
        if info["index"] or info["unique"]
    }


@pytest.mark.django_db
@pytest.mark.parametrize("model", SSO_WRITTEN, ids=lambda m: m.__name__)
def test_no_index_on_an_sso_written_table_repeats_the_start_of_another(model):
    # Such an index answers nothing the longer one cannot (PostgreSQL's varchar_pattern_ops
    # twins of db_index=True included: same columns, and only LIKE 'prefix%' uses them).
    indexes = _indexes(model)
    redundant = [
        (name, other)
        for name, columns in indexes.items()
        for other, longer in indexes.items()
        if other != name and longer[: len(columns)] == columns
    ]
    assert redundant == []


@pytest.mark.django_db
def test_audit_texts_the_list_searches_with_icontains_have_no_index():
    indexed = {column for columns in _indexes(AuditEvent).values() for column in columns}
    assert {"actor_email", "target_label", "sp_entity_id"}.isdisjoint(indexed)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plan")
@pytest.mark.parametrize(
    ("field", "value", "index"),
    [
        ("action", "sso.login", "sso_apps_audit_action_time"),
        ("outcome", AuditEvent.Outcome.DENIED, "sso_apps_audit_outcome_time"),
    ],
)
def test_audit_list_filters_are_answered_newest_first_from_their_index(field, value, index):
    AuditEvent.objects.create(action="sso.login", outcome=AuditEvent.Outcome.DENIED)
    # The admin list's query: one filter, the model's ordering, one page.
    page = AuditEvent.objects.filter(**{field: value}).order_by("-created_at", "-pk")[:100]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = page.explain()
    assert index in plan
    assert "Sort Key: sso_apps_auditevent.created_at" not in plan
