import pytest
from django.core.exceptions import ValidationError

from sso_apps.models import Application, AuditEvent, ConnectorTemplate, Notification
from sso_apps.selectors import placeholders
from sso_apps.services import applications as services
from sso_apps.services import saml_configs


@pytest.fixture
def connector(db):
    return ConnectorTemplate.objects.create(
        slug="acme",
        name="Acme",
        type="saml",
        category="it_ops",
        placeholders=["YOURDOMAIN", "ORG_ID"],
        saml_defaults={
            "sp_entity_id": "https://YOURDOMAIN.acme.example/saml/ORG_ID",
            "acs_urls": ["https://YOURDOMAIN.acme.example/acs"],
            "sp_logout_url": "https://YOURDOMAIN.acme.example/slo",
            "attributes": [{"name": "tenant", "value": "YOURDOMAIN"}],
        },
    )


@pytest.mark.django_db
def test_create_copies_the_template_and_suggests_a_free_suffix(connector):
    first = services.application_create(connector=connector, display_label="Acme Cloud")
    second = services.application_create(connector=connector, display_label="Acme Cloud")
    assert (first.idp_suffix, second.idp_suffix) == ("acme-cloud", "acme-cloud-2")
    assert first.saml.sp_entity_id == "https://YOURDOMAIN.acme.example/saml/ORG_ID"
    assert first.saml.idp_entity_id.endswith("/saml2/acme-cloud")
    assert not first.sso_active
    assert AuditEvent.objects.filter(action="application.create").count() == 2


@pytest.mark.django_db
def test_domain_and_named_placeholders_are_replaced_everywhere(connector):
    application = services.application_create(connector=connector, display_label="Acme")
    assert set(placeholders.placeholders_remaining(application.saml)) == {
        "SP Entity ID",
        "SP Logout URL",
        "ACS URL",
        "Attribute tenant",
    }
    saml_configs.saml_config_update(
        application=application, changes=saml_configs.SamlConfigInput(domain="initech")
    )
    application.saml.refresh_from_db()
    remaining = placeholders.placeholders_remaining(application.saml)
    assert remaining == {"SP Entity ID": ["ORG_ID"]}
    saml_configs.saml_config_update(application=application, placeholder_values={"ORG_ID": "42"})
    application.saml.refresh_from_db()
    assert application.saml.sp_entity_id == "https://initech.acme.example/saml/42"
    assert application.saml.acs_urls.get(is_default=True).url == "https://initech.acme.example/acs"
    assert application.saml.attributes.get().value == "initech"
    assert placeholders.placeholders_remaining(application.saml) == {}


@pytest.mark.django_db
def test_activation_is_refused_while_a_placeholder_remains_and_names_the_field(connector):
    application = services.application_create(connector=connector, display_label="Acme")
    with pytest.raises(ValidationError) as refused:
        services.application_sso_activate(application=application)
    assert any("SP Entity ID still contains" in m for m in refused.value.messages)
    application.refresh_from_db()
    assert not application.sso_active
    event = AuditEvent.objects.get(action="application.activate", outcome="failure")
    assert "SP Entity ID still contains" in event.reason
    saml_configs.saml_config_update(
        application=application,
        changes=saml_configs.SamlConfigInput(domain="initech"),
        placeholder_values={"ORG_ID": "42"},
    )
    services.application_sso_activate(application=application)
    application.refresh_from_db()
    assert application.sso_active


@pytest.mark.django_db
def test_two_apps_cannot_claim_the_same_sp_entity_id(connector):
    first = services.application_create(connector=connector, display_label="One")
    second = services.application_create(connector=connector, display_label="Two")
    saml_configs.saml_config_update(
        application=first,
        changes=saml_configs.SamlConfigInput(sp_entity_id="https://same.example/sp"),
    )
    with pytest.raises(ValidationError, match="already uses this SP Entity ID"):
        saml_configs.saml_config_update(
            application=second,
            changes=saml_configs.SamlConfigInput(sp_entity_id="https://same.example/sp"),
        )


@pytest.mark.django_db
def test_suffix_cannot_change_after_creation(connector):
    application = services.application_create(connector=connector, display_label="Acme")
    with pytest.raises(ValidationError):
        services.application_update_details(application=application, idp_suffix="other")
    application.refresh_from_db()
    assert application.idp_suffix == "acme"


@pytest.mark.django_db
def test_deactivate_keeps_settings_and_notifies_once_per_recipient(
    connector, admin_factory, django_capture_on_commit_callbacks, mailoutbox
):
    actor = admin_factory(email="actor@example.com")
    admin_factory(email="colleague@example.com")
    application = services.application_create(connector=connector, display_label="Acme")
    saml_configs.saml_config_update(
        application=application,
        changes=saml_configs.SamlConfigInput(domain="initech"),
        placeholder_values={"ORG_ID": "42"},
    )
    services.application_sso_activate(application=application)
    Notification.objects.all().delete()
    mailoutbox.clear()
    request = type("Request", (), {"user": actor, "META": {"REMOTE_ADDR": "10.0.0.5"}})()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.application_sso_deactivate(application=application, request=request)
    application.refresh_from_db()
    assert not application.sso_active
    assert application.saml.sp_entity_id == "https://initech.acme.example/saml/42"
    recipients = sorted(Notification.objects.values_list("recipient__email", flat=True))
    assert recipients == ["actor@example.com", "colleague@example.com"]
    assert len(callbacks) == len(recipients)
    event = AuditEvent.objects.get(action="application.deactivate")
    assert (event.actor_email, event.ip_address) == ("actor@example.com", "10.0.0.5")


@pytest.mark.django_db
def test_delete_needs_the_exact_count_and_removes_keys_and_links(connector, group_factory):
    apps = [
        services.application_create(connector=connector, display_label=f"A{n}") for n in range(3)
    ]
    group = group_factory()
    for application in apps:
        application.authorized_groups.add(group)
    with pytest.raises(ValidationError, match="enter 2"):
        services.applications_delete(applications=apps[:2], confirmation_count=3)
    assert Application.objects.count() == 3
    assert services.applications_delete(applications=apps[:2], confirmation_count=2) == 2
    assert list(Application.objects.all()) == [apps[2]]
    assert group.applications.count() == 1
    from sso_apps.models import IdpKeyPair

    assert set(IdpKeyPair.objects.values_list("application_id", flat=True)) == {apps[2].pk}


@pytest.mark.django_db
def test_groups_set_from_either_side_writes_the_same_relation(connector, group_factory):
    application = services.application_create(connector=connector, display_label="Acme")
    ops, sales = group_factory(name="Ops"), group_factory(name="Sales")
    services.application_groups_set(application=application, groups=[ops])
    assert list(sales.applications.all()) == []
    services.group_applications_set(group=sales, applications=[application])
    assert set(application.authorized_groups.all()) == {ops, sales}


@pytest.mark.django_db
def test_sso_turns_on_once_the_configuration_is_complete_unless_an_admin_turned_it_off(connector):
    application = services.application_create(connector=connector, display_label="Acme")
    assert not application.sso_active
    saml_configs.saml_config_update(
        application=application,
        changes=saml_configs.SamlConfigInput(domain="initech"),
        placeholder_values={"ORG_ID": "42"},
    )
    application.refresh_from_db()
    assert application.sso_active
    services.application_sso_deactivate(application=application)
    saml_configs.saml_config_update(
        application=application, changes=saml_configs.SamlConfigInput(default_relay_state="/home")
    )
    application.refresh_from_db()
    assert not application.sso_active
    services.application_sso_activate(application=application)
    application.refresh_from_db()
    assert application.sso_active and application.sso_deactivated_at is None


@pytest.mark.django_db
def test_a_connector_with_complete_values_is_live_once_saved(db):
    connector = ConnectorTemplate.objects.create(
        slug="complete",
        name="Complete",
        type="saml",
        category="it_ops",
        saml_defaults={
            "sp_entity_id": "https://complete.example/sp",
            "acs_urls": ["https://complete.example/acs"],
        },
    )
    assert services.application_create(connector=connector, display_label="C").sso_active


@pytest.mark.django_db
def test_the_connector_default_relay_state_is_copied_to_the_new_app(db):
    connector = ConnectorTemplate.objects.create(
        slug="relay",
        name="Relay",
        type="saml",
        category="support",
        saml_defaults={
            "sp_entity_id": "https://relay.example/sp",
            "acs_urls": ["https://relay.example/acs"],
            "default_relay_state": "https://app.relay.example",
        },
    )
    application = services.application_create(connector=connector, display_label="R")
    assert application.saml.default_relay_state == "https://app.relay.example"
