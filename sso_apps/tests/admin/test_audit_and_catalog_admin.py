import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sso_apps.models import AuditEvent, ConnectorTemplate
from sso_apps.services.audit import audit_record

AUDIT_URL = reverse("admin:sso_apps_auditevent_changelist")
CATALOG_URL = reverse("admin:sso_apps_connectortemplate_changelist")


def _labels(response):
    return [event.target_label for event in response.context["cl"].result_list]


@pytest.fixture
def events(administrator, user_factory, saml_app):
    other = user_factory(email="other.admin@example.com")
    audit_record(action="application.update", actor=administrator, target=saml_app)
    audit_record(
        action="sso.login",
        actor=other,
        target_label="Payroll",
        sp_entity_id="https://payroll.acme.test/sp",
        outcome=AuditEvent.Outcome.FAILURE,
    )
    return AuditEvent.objects.all()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("other.admin", ["Payroll"]),
        ("payroll.acme.test", ["Payroll"]),
        # Its creation, its first key pair and the update.
        ("GoToAssist", ["GoToAssist", "GoToAssist", "GoToAssist"]),
    ],
)
def test_audit_events_search_by_actor_target_and_sp_entity(admin_client, events, term, expected):
    assert _labels(admin_client.get(AUDIT_URL, {"q": term})) == expected


@pytest.mark.django_db
def test_audit_events_filter_by_action_and_outcome(admin_client, events):
    assert _labels(admin_client.get(AUDIT_URL, {"outcome__exact": "failure"})) == ["Payroll"]
    assert _labels(admin_client.get(AUDIT_URL, {"action__exact": "application.update"})) == [
        "GoToAssist"
    ]
    page = admin_client.get(AUDIT_URL).text
    assert "sso-badge--warn" in page
    assert 'class="toplinks"' in page


@pytest.mark.django_db
def test_audit_events_are_read_only_for_everyone(admin_client, events, user_factory, client):
    event = events.first()
    superuser = user_factory(is_staff=True, is_superuser=True)
    client.force_login(superuser)

    for browser in (admin_client, client):
        assert browser.get(reverse("admin:sso_apps_auditevent_add")).status_code == 403
        change = reverse("admin:sso_apps_auditevent_change", args=[event.pk])
        assert browser.get(change).status_code == 200
        assert browser.post(change, {"action": "tampered"}).status_code == 403
        delete = reverse("admin:sso_apps_auditevent_delete", args=[event.pk])
        assert browser.post(delete, {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.action != "tampered"
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_audit_list_query_count_does_not_grow_with_events(admin_client, administrator, saml_app):
    def count():
        with CaptureQueriesContext(connection) as queries:
            admin_client.get(AUDIT_URL)
        return len(queries)

    audit_record(action="a", actor=administrator, target=saml_app, application=saml_app)
    few = count()
    for _ in range(15):
        audit_record(action="a", actor=administrator, target=saml_app, application=saml_app)
    assert count() == few


@pytest.mark.django_db
def test_read_only_admin_reads_the_audit_trail(read_only_client, events):
    assert len(read_only_client.get(AUDIT_URL).context["cl"].result_list) >= 2


@pytest.mark.django_db
def test_connector_catalog_is_listed_read_only_with_filters(admin_client, connector_factory):
    connector_factory(name="Slack", slug="slack", verified=True, category="collaboration")
    connector_factory(name="Payroll", slug="payroll", verified=False, category="finance")
    connector_factory(bookmark=True, name="Bookmark", slug="bookmark")

    page = admin_client.get(CATALOG_URL).text
    assert "Verified" in page and "Unverified" in page

    def names(params):
        return [row.name for row in admin_client.get(CATALOG_URL, params).context["cl"].result_list]

    assert names({"verified__exact": "0"}) == ["Payroll"]
    assert names({"type__exact": "bookmark"}) == ["Bookmark"]
    assert names({"category": "finance"}) == ["Payroll"]
    assert names({"q": "slack"}) == ["Slack"]

    template = ConnectorTemplate.objects.get(slug="slack")
    change = reverse("admin:sso_apps_connectortemplate_change", args=[template.pk])
    assert admin_client.get(change).status_code == 200
    assert admin_client.post(change, {"name": "Renamed"}).status_code == 403
    assert admin_client.get(reverse("admin:sso_apps_connectortemplate_add")).status_code == 403
    template.refresh_from_db()
    assert template.name == "Slack"
