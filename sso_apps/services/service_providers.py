"""Keep djangosaml2idp's ServiceProvider rows in step with our SAML configurations."""

import datetime
import json

from django.db import transaction
from django.utils import timezone
from djangosaml2idp.models import ServiceProvider

from sso_apps.models import Application, SamlConfig
from sso_apps.selectors.service_providers import sp_descriptor_for, sp_entity_id_taken
from tessera.deletion import queryset_delete_set_based

PROCESSOR_PATH = "sso_apps.idp.processors.TesseraProcessor"


@transaction.atomic
def service_provider_sync(*, application: Application) -> ServiceProvider | None:
    """Create or update the app's ServiceProvider row; None while it has no SP Entity ID.

    NOTE: rows are written with update()/bulk_create() on purpose. djangosaml2idp 0.7.2's
    ServiceProvider.save() reloads its process-global IdP (stale across workers), crashes
    on metadata without validUntil and stores naive datetimes under USE_TZ (upstream
    defects); here every datetime is aware and no global IdP exists.
    """
    config = SamlConfig.objects.select_for_update().get(application=application)
    if not config.sp_entity_id or sp_entity_id_taken(config):
        # Unusable until the admin gives it an SP entity of its own; activation says so.
        if config.service_provider_id:
            ServiceProvider.objects.filter(pk=config.service_provider_id).update(active=False)
        return None
    acs_urls = [acs.url for acs in config.acs_urls.all()]
    descriptor = sp_descriptor_for(config, acs_urls)
    values = {
        "entity_id": config.sp_entity_id,
        "pretty_name": application.display_label[:255],
        "local_metadata": descriptor.to_xml(),
        "metadata_expiration_dt": timezone.now() + datetime.timedelta(days=3650),
        "active": application.sso_active,
        "_processor": PROCESSOR_PATH,
        "_attribute_mapping": json.dumps(
            {a.source: a.name for a in config.attributes.all() if a.source != "constant"}
        ),
        "_nameid_field": config.nameid_source,
        "_sign_response": config.sign_response,
        "_sign_assertion": config.sign_assertion,
        "_encrypt_saml_responses": config.encrypt_assertions,
        "dt_updated": timezone.now(),
    }
    if config.service_provider_id:
        ServiceProvider.objects.filter(pk=config.service_provider_id).update(**values)
        return ServiceProvider.objects.get(pk=config.service_provider_id)
    provider = ServiceProvider.objects.bulk_create([ServiceProvider(**values)])[0]
    if provider.pk is None:  # backends that cannot return ids from bulk_create
        provider = ServiceProvider.objects.get(entity_id=config.sp_entity_id)
    SamlConfig.objects.filter(pk=config.pk).update(service_provider=provider)
    return provider


@transaction.atomic
def service_providers_delete(*, application_ids) -> int:
    """Delete the ServiceProvider rows (and persistent NameIDs) of apps being deleted.

    Return how many ServiceProvider rows went.
    """
    ids = list(
        SamlConfig.objects.filter(
            application_id__in=application_ids, service_provider__isnull=False
        ).values_list("service_provider_id", flat=True)
    )
    return queryset_delete_set_based(ServiceProvider.objects.filter(pk__in=ids))
