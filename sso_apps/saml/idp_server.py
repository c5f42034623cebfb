"""Build a pysaml2 IdP Server for one application, from plain values.

djangosaml2idp keeps one Server per process, built from settings and SP metadata files in
/tmp (upstream defects: one IdP object per process that goes stale across workers, and
metadata cached under /tmp). Here every application gets its own Server, built from its
own config and key pair, with SP metadata passed inline; callers cache it by config version.
"""

from dataclasses import dataclass

from saml2 import saml
from saml2.attribute_converter import AttributeConverterNOOP, do_ava
from saml2.config import IdPConfig
from saml2.s_utils import factory
from saml2.saml import NAME_FORMAT_UNSPECIFIED
from saml2.server import Server

from sso_apps.saml.certificate_files import certificate_file
from sso_apps.saml.constants import (
    HTTP_POST,
    HTTP_REDIRECT,
    NAMEID_FORMAT_URIS,
    SIGNATURE_ALGORITHMS,
    DataEncryptionName,
)
from sso_apps.saml.sp_descriptor import SpDescriptor
from sso_apps.saml.status import SamlStatus
from sso_apps.saml.xmlsec_backend import PythonXmlsecBackend, install_backend

# Assertions are valid for a short window only; SPs consume them within seconds.
ASSERTION_LIFETIME_MINUTES = 5


@dataclass(frozen=True)
class IdpSettings:
    """Everything one application's IdP endpoint needs, as plain values."""

    entity_id: str
    sso_url: str
    slo_url: str
    certificate_pem: str
    private_key_pem: str
    sp: SpDescriptor
    signature_algorithm: str = "rsa-sha256"
    # How encrypted assertions are encrypted (used only when the SP wants them encrypted).
    data_encryption: str = DataEncryptionName.AES256_GCM


class ExactNameAttributeConverter(AttributeConverterNOOP):
    """Send attribute names exactly as the admin typed them.

    pysaml2's NOOP converter lower-cases names, and its URI converters rename known ones
    to OIDs; SPs match names case-sensitively, so neither will do.
    """

    def to_(self, attrvals):
        return [
            factory(
                saml.Attribute,
                name=name,
                name_format=self.name_format,
                attribute_value=do_ava(value),
            )
            for name, value in attrvals.items()
        ]


class TesseraServer(Server):
    """pysaml2's IdP Server, letting the caller give a complete AuthnStatement."""

    def gather_authn_response_args(self, sp_entity_id, name_id_policy, userid, **kwargs):
        # pysaml2 defect: create_authn_response accepts authn_statement but this method
        # drops it, so the SessionIndex is always a random sid() nobody can read back
        # (from an encrypted assertion least of all). Single Logout needs to know it.
        args = super().gather_authn_response_args(sp_entity_id, name_id_policy, userid, **kwargs)
        if kwargs.get("authn_statement") is not None:
            args["authn_statement"] = kwargs["authn_statement"]
        return args

    def create_status_response(
        self,
        *,
        status: SamlStatus,
        in_response_to: str | None,
        destination: str,
        sign_alg: str,
        digest_alg: str,
    ):
        """Return a signed Response carrying only this non-success status.

        pysaml2 defect: create_error_response builds its Status with error_status_factory,
        which always puts Responder at the top level, so a Requester error such as
        InvalidNameIDPolicy cannot be said; the same private _response does the rest.
        """
        return self._response(
            in_response_to,
            destination,
            status.to_element(),
            sign=True,
            sign_alg=sign_alg,
            digest_alg=digest_alg,
        )


def build_idp_server(settings: IdpSettings) -> Server:
    """Return a Server that signs in-process with this application's key."""
    sign_alg, digest_alg = SIGNATURE_ALGORITHMS[settings.signature_algorithm]
    config = IdPConfig()
    config.load(
        {
            "entityid": settings.entity_id,
            # Only stops pysaml2 looking for the xmlsec1 binary: install_backend replaces it.
            "crypto_backend": "XMLSecurity",
            "key_file": settings.private_key_pem,
            "cert_file": certificate_file(settings.certificate_pem),
            "metadata": {"inline": [settings.sp.to_xml()]},
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [
                            (settings.sso_url, HTTP_REDIRECT),
                            (settings.sso_url, HTTP_POST),
                        ],
                        "single_logout_service": [
                            (settings.slo_url, HTTP_REDIRECT),
                            (settings.slo_url, HTTP_POST),
                        ],
                    },
                    "name_id_format": list(NAMEID_FORMAT_URIS.values()),
                    "signing_algorithm": sign_alg,
                    "digest_algorithm": digest_alg,
                    # We verify request signatures ourselves, for both bindings.
                    "want_authn_requests_signed": False,
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": ASSERTION_LIFETIME_MINUTES},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_UNSPECIFIED,
                            "entity_categories": [],
                        }
                    },
                }
            },
            "allow_unknown_attributes": True,
            "delete_tmpfiles": True,
        }
    )
    config.attribute_converters = [ExactNameAttributeConverter(NAME_FORMAT_UNSPECIFIED)]
    server = TesseraServer(config=config)
    install_backend(server, backend=PythonXmlsecBackend(encryption=settings.data_encryption))
    return server
