import pytest
from cryptography import x509
from saml2 import BINDING_HTTP_ARTIFACT, BINDING_HTTP_POST, BINDING_HTTP_REDIRECT

from sso_apps.saml.errors import SpMetadataError
from sso_apps.saml.sp_metadata import parse_sp_metadata

EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
IDP_ENTITY = (
    '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"'
    ' entityID="https://idp.other.test/">'
    '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
    '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"'
    ' Location="https://idp.other.test/sso"/>'
    "</md:IDPSSODescriptor></md:EntityDescriptor>"
)


def _same_certificate(pem_a: str, pem_b: str) -> bool:
    return x509.load_pem_x509_certificate(pem_a.encode()) == x509.load_pem_x509_certificate(
        pem_b.encode()
    )


def test_full_sp_metadata_is_imported(sp_metadata_factory, key_pair_factory):
    signing = key_pair_factory("sp-signing.example.test")
    encryption = key_pair_factory("sp-encryption.example.test")
    xml = sp_metadata_factory(
        entity_id="https://wiki.example.test/saml",
        acs=[
            ("https://wiki.example.test/acs/artifact", BINDING_HTTP_ARTIFACT, 0, False),
            ("https://wiki.example.test/acs/3", BINDING_HTTP_POST, 3, False),
            ("https://wiki.example.test/acs/1", BINDING_HTTP_POST, 1, False),
            ("https://wiki.example.test/acs/default", BINDING_HTTP_POST, 7, True),
        ],
        slo=[
            ("https://wiki.example.test/slo/redirect", BINDING_HTTP_REDIRECT),
            ("https://wiki.example.test/slo/post", BINDING_HTTP_POST),
        ],
        signing_cert_pem=signing.certificate_pem,
        encryption_cert_pem=encryption.certificate_pem,
        nameid_formats=["urn:example:custom", PERSISTENT, EMAIL],
        authn_requests_signed=True,
    )

    metadata = parse_sp_metadata(xml)

    assert metadata.entity_id == "https://wiki.example.test/saml"
    assert metadata.acs_urls == [
        "https://wiki.example.test/acs/default",
        "https://wiki.example.test/acs/1",
        "https://wiki.example.test/acs/3",
    ]
    assert metadata.slo_url == "https://wiki.example.test/slo/redirect"
    assert metadata.slo_binding == "redirect"
    assert _same_certificate(metadata.signing_certificate_pem, signing.certificate_pem)
    assert _same_certificate(metadata.encryption_certificate_pem, encryption.certificate_pem)
    assert metadata.nameid_format == "persistent"
    assert metadata.authn_requests_signed is True
    assert metadata.want_assertions_signed is True


def test_minimal_sp_metadata_has_empty_optionals(sp_metadata_factory):
    metadata = parse_sp_metadata(sp_metadata_factory(want_assertions_signed=False).encode())

    assert metadata.acs_urls == ["https://sp.example.test/saml/acs/"]
    assert metadata.slo_url is None and metadata.slo_binding is None
    assert metadata.signing_certificate_pem is None
    assert metadata.encryption_certificate_pem is None
    assert metadata.nameid_format is None
    assert metadata.authn_requests_signed is False
    assert metadata.want_assertions_signed is False


def test_key_descriptor_without_use_serves_signing_and_encryption(
    sp_metadata_factory, key_pair_factory
):
    pair = key_pair_factory("sp.example.test")

    metadata = parse_sp_metadata(sp_metadata_factory(both_use_cert_pem=pair.certificate_pem))

    assert _same_certificate(metadata.signing_certificate_pem, pair.certificate_pem)
    assert _same_certificate(metadata.encryption_certificate_pem, pair.certificate_pem)


def test_post_slo_binding_is_reported(sp_metadata_factory):
    xml = sp_metadata_factory(slo=[("https://sp.example.test/slo", BINDING_HTTP_POST)])

    metadata = parse_sp_metadata(xml)

    assert (metadata.slo_url, metadata.slo_binding) == ("https://sp.example.test/slo", "post")


def test_entities_descriptor_with_one_sp_is_accepted(sp_metadata_factory):
    sp_entity = sp_metadata_factory(nameid_formats=[EMAIL]).replace(
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"',
        "<md:EntityDescriptor",
    )
    xml = (
        '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"'
        ' xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
        f"{IDP_ENTITY}{sp_entity}</md:EntitiesDescriptor>"
    )

    metadata = parse_sp_metadata(xml)

    assert metadata.entity_id == "https://sp.example.test/saml/metadata/"
    assert metadata.nameid_format == "emailAddress"


def test_entities_descriptor_with_two_sps_is_refused(sp_metadata_factory):
    first = sp_metadata_factory(entity_id="https://a.example.test/")
    second = sp_metadata_factory(entity_id="https://b.example.test/")
    xml = (
        '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">'
        f"{first}{second}</md:EntitiesDescriptor>"
    )

    with pytest.raises(SpMetadataError, match="2 service providers"):
        parse_sp_metadata(xml)


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ("this is not xml", "not usable XML"),
        ("<md:EntityDescriptor", "not usable XML"),
        ('<!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>', "DTD"),
        ('<html xmlns="http://www.w3.org/1999/xhtml"/>', "html, not a SAML EntityDescriptor"),
        (IDP_ENTITY, "no SPSSODescriptor"),
        (
            '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">'
            f"{IDP_ENTITY}</md:EntitiesDescriptor>",
            "no SPSSODescriptor",
        ),
    ],
)
def test_malformed_metadata_is_refused_with_a_clear_reason(xml, message):
    with pytest.raises(SpMetadataError, match=message):
        parse_sp_metadata(xml)


def test_sp_without_post_acs_is_refused(sp_metadata_factory):
    xml = sp_metadata_factory(acs=[("https://sp.example.test/acs", BINDING_HTTP_ARTIFACT, 0, True)])

    with pytest.raises(SpMetadataError, match="no AssertionConsumerService with the HTTP-POST"):
        parse_sp_metadata(xml)


def test_missing_entity_id_is_refused(sp_metadata_factory):
    xml = sp_metadata_factory().replace(' entityID="https://sp.example.test/saml/metadata/"', "")

    with pytest.raises(SpMetadataError, match="no entityID"):
        parse_sp_metadata(xml)


def test_saml1_only_sp_is_refused(sp_metadata_factory):
    xml = sp_metadata_factory().replace(
        "urn:oasis:names:tc:SAML:2.0:protocol", "urn:oasis:names:tc:SAML:1.1:protocol"
    )

    with pytest.raises(SpMetadataError, match="SAML 2.0"):
        parse_sp_metadata(xml)


def test_corrupt_certificate_is_refused(sp_metadata_factory, key_pair_factory):
    xml = sp_metadata_factory(signing_cert_pem=key_pair_factory("sp.example.test").certificate_pem)
    start = xml.index("<ds:X509Certificate>") + len("<ds:X509Certificate>")
    # Valid base64 but no longer DER, so only X.509 parsing can object.
    corrupted = xml[:start] + "AAAA" + xml[start + 4 :]
    assert corrupted != xml

    with pytest.raises(SpMetadataError, match="signing certificate is not a valid X.509"):
        parse_sp_metadata(corrupted)


def test_certificate_with_bad_base64_is_refused(sp_metadata_factory, key_pair_factory):
    xml = sp_metadata_factory(
        encryption_cert_pem=key_pair_factory("sp.example.test").certificate_pem
    ).replace("<ds:X509Certificate>", "<ds:X509Certificate>***")

    with pytest.raises(SpMetadataError, match="encryption certificate is not valid base64"):
        parse_sp_metadata(xml)


def test_each_acs_keeps_its_index_binding_and_the_spec_default(sp_metadata_factory):
    xml = sp_metadata_factory(
        acs=[
            ("https://sp.example.test/acs/a", BINDING_HTTP_POST, 5, False),
            ("https://sp.example.test/acs/b", BINDING_HTTP_POST, 2, False),
        ]
    )

    endpoints = parse_sp_metadata(xml).acs_endpoints

    # No isDefault="true": the first endpoint in document order is the default (md 2.2.3).
    assert [(e.url, e.index, e.is_default, e.binding) for e in endpoints] == [
        ("https://sp.example.test/acs/a", 5, True, "post"),
        ("https://sp.example.test/acs/b", 2, False, "post"),
    ]


def test_acs_marked_is_default_false_is_not_picked_as_default():
    xml = (
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"'
        ' entityID="https://sp.example.test/">'
        '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        f'<md:AssertionConsumerService Binding="{BINDING_HTTP_POST}"'
        ' Location="https://sp.example.test/no" index="0" isDefault="false"/>'
        f'<md:AssertionConsumerService Binding="{BINDING_HTTP_POST}"'
        ' Location="https://sp.example.test/yes"/>'
        "</md:SPSSODescriptor></md:EntityDescriptor>"
    )

    endpoints = parse_sp_metadata(xml).acs_endpoints

    # The one without an index gets the next number after the others.
    assert [(e.url, e.index, e.is_default) for e in endpoints] == [
        ("https://sp.example.test/yes", 1, True),
        ("https://sp.example.test/no", 0, False),
    ]


@pytest.mark.parametrize(
    ("indexes", "message"),
    [
        ((3, 3), "share the index 3"),
        ((-1, 0), "is not a number from 0 to 65535"),
        ((65536, 0), "is not a number from 0 to 65535"),
    ],
)
def test_duplicate_or_out_of_range_acs_indexes_are_refused(sp_metadata_factory, indexes, message):
    xml = sp_metadata_factory(
        acs=[
            ("https://sp.example.test/acs/a", BINDING_HTTP_POST, indexes[0], True),
            ("https://sp.example.test/acs/b", BINDING_HTTP_POST, indexes[1], False),
        ]
    )
    with pytest.raises(SpMetadataError, match=message):
        parse_sp_metadata(xml)
