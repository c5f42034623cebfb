"""Read an application's IdP metadata values from the database and build the document."""

from sso_apps.models import Application, IdpKeyPair
from sso_apps.saml.metadata import IdpMetadata

# The signing certificate first; during a rotation the next one follows it.
_PUBLISHED = (IdpKeyPair.Status.ACTIVE, IdpKeyPair.Status.NEXT)


def idp_metadata_for(application: Application) -> IdpMetadata:
    """Describe an application's IdP: active certificate, then any "next" one."""
    pairs = sorted(
        (pair for pair in application.key_pairs.all() if pair.status in _PUBLISHED),
        key=lambda pair: pair.status != IdpKeyPair.Status.ACTIVE,
    )
    return IdpMetadata(
        entity_id=application.saml.idp_entity_id,
        sso_url=application.idp_sso_url,
        slo_url=application.idp_slo_url,
        certificates_pem=tuple(pair.certificate_pem for pair in pairs),
        want_authn_requests_signed=application.saml.require_signed_requests,
    )


def idp_metadata_xml(application: Application) -> str:
    """Return the application's IdP metadata document as text."""
    return idp_metadata_for(application).to_xml().decode("utf-8")
