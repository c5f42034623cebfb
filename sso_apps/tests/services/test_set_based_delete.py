"""tessera.deletion on the real application graph: the outcome of QuerySet.delete()."""

import pytest
from django.apps import apps as django_apps
from django.db import models
from django.db.models.signals import post_delete
from djangosaml2idp.models import ServiceProvider

from sso_apps.models import Application, AuditEvent, IdpKeyPair, SamlConfig
from sso_apps.services.applications import application_groups_set
from sso_apps.services.audit import audit_record
from sso_apps.services.saml_configs import SamlConfigInput, saml_config_update
from sso_apps.tests.notifications.helpers import application_make, fast_key_pairs
from tessera.deletion import queryset_delete_set_based

pytestmark = pytest.mark.django_db


@pytest.fixture
def saml_apps(group_factory):
    """Two complete SAML apps: config, ACS URL, attributes, SP row, key pair, group link."""
    group = group_factory(name="Engineering")
    made = []
    with fast_key_pairs():
        for n in (1, 2):
            app = application_make(label=f"SAML {n}")
            saml_config_update(
                application=app,
                changes=SamlConfigInput(sp_entity_id=f"https://sp{n}.example/"),
            )
            application_groups_set(application=app, groups=[group])
            audit_record(action="application.test", target=app, details={})
            made.append(app)
    return made


def _rows_pointing_at(pk: int) -> dict[str, int]:
    """Count, for every model with a foreign key to Application, the rows naming pk."""
    counts = {}
    for model in django_apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is Application:
                rows = model._base_manager.filter(**{field.attname: pk}).count()
                counts[f"{model._meta.label}.{field.name}"] = rows
    return counts


def test_deletes_the_apps_and_every_dependent_row_and_keeps_the_others(saml_apps):
    gone, kept = saml_apps
    kept_before = _rows_pointing_at(kept.pk)
    assert _rows_pointing_at(gone.pk)["sso_apps.IdpKeyPair.application"] == 1

    assert queryset_delete_set_based(Application.objects.filter(pk=gone.pk)) == 1

    assert not any(_rows_pointing_at(gone.pk).values())
    assert not SamlConfig.objects.filter(pk=gone.pk).exists()
    assert _rows_pointing_at(kept.pk) == kept_before
    assert Application.objects.filter(pk=kept.pk).exists()
    assert IdpKeyPair.objects.filter(application=kept).count() == 1


def test_the_audit_trail_of_a_deleted_app_stays_with_the_link_cleared(saml_apps):
    gone, _kept = saml_apps
    trail = list(AuditEvent.objects.filter(application=gone).values_list("pk", flat=True))
    assert trail

    queryset_delete_set_based(Application.objects.filter(pk=gone.pk))

    assert AuditEvent.objects.filter(pk__in=trail, application__isnull=True).count() == len(trail)


def test_service_providers_go_with_their_rows(saml_apps):
    gone, kept = saml_apps
    provider = SamlConfig.objects.get(pk=gone.pk).service_provider_id

    assert queryset_delete_set_based(ServiceProvider.objects.filter(pk=provider)) == 1

    assert ServiceProvider.objects.count() == 1
    assert SamlConfig.objects.get(pk=gone.pk).service_provider_id is None
    assert SamlConfig.objects.get(pk=kept.pk).service_provider_id is not None


def test_a_model_with_delete_receivers_is_left_to_djangos_collector(saml_apps):
    gone, _kept = saml_apps
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.application_id)

    post_delete.connect(receiver, sender=IdpKeyPair, dispatch_uid="test-set-based")
    try:
        assert queryset_delete_set_based(Application.objects.filter(pk=gone.pk)) == 1
    finally:
        post_delete.disconnect(dispatch_uid="test-set-based", sender=IdpKeyPair)

    assert seen == [gone.pk]
    assert not any(_rows_pointing_at(gone.pk).values())


def test_nothing_selected_deletes_nothing(saml_apps):
    assert queryset_delete_set_based(Application.objects.none()) == 0
    assert Application.objects.count() == 2
