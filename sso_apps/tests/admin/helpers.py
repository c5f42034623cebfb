"""Request builders for the SSO tab tests."""

from django.urls import reverse

from sso_apps.models import Application
from sso_apps.saml.keys import KeyPair, certificate_body

HTTP_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
HTTP_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
CONFIG_FIELDS = (
    "domain",
    "idp_entity_id",
    "sp_entity_id",
    "sp_login_url",
    "sp_logout_url",
    "sp_logout_binding",
    "nameid_format",
    "nameid_source",
    "signature_algorithm",
    "data_encryption",
    "mfa_context",
    "sp_certificate",
    "default_relay_state",
    "group_attribute_name",
)
CONFIG_FLAGS = (
    "sign_response",
    "sign_assertion",
    "require_signed_requests",
    "accept_sha1_requests",
    "encrypt_assertions",
    "include_group_attribute",
    "mfa_required",
)


def app_url(name: str, application: Application) -> str:
    return reverse(f"admin:sso_apps_application_{name}", args=[application.pk])


def sso_post(
    application: Application,
    *,
    acs: list[str] | None = None,
    default: int = 0,
    delete_acs: tuple[int, ...] = (),
    attributes: list[tuple[str, str, str]] | None = None,
    **overrides,
) -> dict:
    """Return the SSO tab's POST data as the page would send it, with changes on top."""
    config = type(application.saml).objects.get(pk=application.pk)
    data = {name: getattr(config, name) for name in CONFIG_FIELDS}
    for flag in CONFIG_FLAGS:
        if getattr(config, flag):
            data[flag] = "on"
    if acs is None:
        acs = [row.url for row in config.acs_urls.order_by("-is_default", "pk")]
    if attributes is None:
        attributes = [(row.name, row.source, row.value) for row in config.attributes.all()]
    data.update({"acs-TOTAL_FORMS": len(acs), "acs-INITIAL_FORMS": 0, "acs-default": default})
    for index, url in enumerate(acs):
        data[f"acs-{index}-url"] = url
        if index in delete_acs:
            data[f"acs-{index}-DELETE"] = "on"
    data.update({"attr-TOTAL_FORMS": len(attributes), "attr-INITIAL_FORMS": 0})
    for index, (name, source, value) in enumerate(attributes):
        data.update(
            {
                f"attr-{index}-name": name,
                f"attr-{index}-source": source,
                f"attr-{index}-value": value,
            }
        )
    for name, value in overrides.items():
        if value is None or value is False:
            data.pop(name, None)
        elif value is True:
            data[name] = "on"
        else:
            data[name] = value
    return data


def sp_metadata_xml(
    *,
    entity_id: str = "https://sp.acme.test/saml/metadata",
    acs: tuple[str, ...] = ("https://sp.acme.test/saml/acs",),
    slo: tuple[str, str] | None = ("https://sp.acme.test/saml/slo", HTTP_REDIRECT),
    certificate: KeyPair | None = None,
    nameid_format: str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    authn_requests_signed: bool = False,
) -> str:
    """Return SP metadata as a service provider would publish it."""
    parts = [
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"'
        ' xmlns:ds="http://www.w3.org/2000/09/xmldsig#"'
        f' entityID="{entity_id}">',
        f'<md:SPSSODescriptor AuthnRequestsSigned="{str(authn_requests_signed).lower()}"'
        ' protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">',
    ]
    if certificate is not None:
        parts.append(
            '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
            f"{certificate_body(certificate.certificate_pem)}"
            "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        )
    if slo:
        parts.append(f'<md:SingleLogoutService Binding="{slo[1]}" Location="{slo[0]}"/>')
    parts.append(f"<md:NameIDFormat>{nameid_format}</md:NameIDFormat>")
    for index, url in enumerate(acs):
        parts.append(
            f'<md:AssertionConsumerService Binding="{HTTP_POST}" Location="{url}" index="{index}"/>'
        )
    parts.append("</md:SPSSODescriptor></md:EntityDescriptor>")
    return "".join(parts)
