import pytest
from django.urls import reverse
from lxml import etree

from sso_apps.models import IdpKeyPair
from sso_apps.saml.constants import METADATA_NS as MD_NS
from sso_apps.saml.keys import certificate_body, generate_key_pair

NS = {"md": MD_NS, "ds": "http://www.w3.org/2000/09/xmldsig#"}


def _metadata(client, application):
    response = client.get(reverse("saml:metadata", args=[application.idp_suffix]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/samlmetadata+xml"
    return etree.fromstring(response.content)


@pytest.mark.django_db
def test_metadata_names_this_apps_entity_certificate_and_endpoints(client, saml_app):
    root = _metadata(client, saml_app)
    assert root.get("entityID") == saml_app.saml.idp_entity_id
    certificates = root.xpath("//ds:X509Certificate/text()", namespaces=NS)
    active = saml_app.key_pairs.get(status="active")
    assert certificates == [certificate_body(active.certificate_pem)]
    sso = root.xpath("//md:SingleSignOnService/@Location", namespaces=NS)
    slo = root.xpath("//md:SingleLogoutService/@Location", namespaces=NS)
    assert set(sso) == {saml_app.idp_sso_url} and len(sso) == 2
    assert set(slo) == {saml_app.idp_slo_url} and len(slo) == 2


@pytest.mark.django_db
def test_metadata_also_publishes_the_next_certificate_during_a_rotation(client, saml_app):
    pair = generate_key_pair(common_name="next")
    from sso_apps.key_vault import private_key_encrypt
    from sso_apps.saml.keys import certificate_info

    info = certificate_info(pair.certificate_pem)
    IdpKeyPair.objects.create(
        application=saml_app,
        status=IdpKeyPair.Status.NEXT,
        origin=IdpKeyPair.Origin.GENERATED,
        certificate_pem=pair.certificate_pem,
        private_key_encrypted=private_key_encrypt(pair.private_key_pem),
        key_size=2048,
        fingerprint_sha256=info.sha256_fingerprint,
        not_before=info.not_before,
        not_after=info.not_after,
    )
    certificates = _metadata(client, saml_app).xpath("//ds:X509Certificate/text()", namespaces=NS)
    active = saml_app.key_pairs.get(status="active")
    assert certificates == [
        certificate_body(active.certificate_pem),
        certificate_body(pair.certificate_pem),
    ]


@pytest.mark.django_db
def test_metadata_never_contains_the_private_key(client, saml_app):
    response = client.get(reverse("saml:metadata", args=[saml_app.idp_suffix]))
    private = saml_app.key_pairs.get(status="active").private_key_pem
    body = "".join(private.strip().splitlines()[1:-1])
    assert body[:40] not in response.text
    assert "PRIVATE KEY" not in response.text
