"""What the SSO tab shows about an application, as saved."""

from django.utils.translation import gettext as _

from sso_apps.models import Application, IdpKeyPair, SpMetadataUrl
from sso_apps.models.applications import SignatureAlgorithm
from sso_apps.selectors.activation import activation_problems
from sso_apps.selectors.placeholders import placeholders_remaining


def sso_tab_context(*, application_id: int) -> dict:
    """Return the SSO tab's saved state: config, IdP values, key pairs and what is missing.

    Read afresh from the database: after a failed POST the in-memory config holds the
    rejected values, and the tab must describe what is really saved.
    """
    application = Application.objects.select_related("connector", "saml").get(pk=application_id)
    config = application.saml
    key_pairs = list(application.key_pairs.all())
    remaining = placeholders_remaining(config)
    return {
        "config": config,
        "idp_values": [
            ("idp-sso-url", _("IdP URL"), application.idp_sso_url),
            ("idp-entity-id", _("IdP Entity ID"), config.idp_entity_id),
            ("idp-slo-url", _("IdP SLO URL"), application.idp_slo_url),
            ("idp-metadata-url", _("IdP metadata URL"), application.idp_metadata_url),
        ],
        "key_pairs": key_pairs,
        "active_key_pair": next(
            (pair for pair in key_pairs if pair.status == IdpKeyPair.Status.ACTIVE), None
        ),
        "placeholders_remaining": remaining,
        "activation_problems": (
            [] if application.sso_active else activation_problems(application, remaining=remaining)
        ),
        "sso_active": application.sso_active,
        "sha1_in_use": config.signature_algorithm == SignatureAlgorithm.RSA_SHA1,
        "sha1_requests_accepted": config.accept_sha1_requests,
        "http_sp_urls_allowed": config.allow_http_sp_urls,
        "metadata_url": SpMetadataUrl.objects.filter(config=config).first(),
    }
