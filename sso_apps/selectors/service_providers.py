"""Reads of an application's service provider: its descriptor and whether its entity is free."""

from djangosaml2idp.models import ServiceProvider

from sso_apps.models import SamlConfig
from sso_apps.saml.sp_descriptor import SpDescriptor


def sp_descriptor_for(config: SamlConfig, acs_urls: list[str]) -> SpDescriptor:
    """Return the SP as our IdP sees it, from the admin's SSO tab."""
    return SpDescriptor(
        entity_id=config.sp_entity_id,
        acs_urls=acs_urls,
        slo_url=config.sp_logout_url,
        slo_binding=config.sp_logout_binding,
        certificate_pem=config.sp_certificate,
        nameid_format=config.nameid_format,
        authn_requests_signed=config.require_signed_requests,
        want_assertions_signed=config.sign_assertion,
    )


def sp_entity_id_taken(config: SamlConfig) -> bool:
    """Return whether another application's SP row already claims this SP Entity ID."""
    return (
        ServiceProvider.objects.filter(entity_id=config.sp_entity_id)
        .exclude(pk=config.service_provider_id)
        .exists()
    )
