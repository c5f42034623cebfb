"""SP metadata's EncryptionMethod list preselects a data encryption we offer, never a downgrade."""

import pytest

from sso_apps.saml.sp_metadata import parse_sp_metadata

GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm"
CBC = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"
AES128_CBC = "http://www.w3.org/2001/04/xmlenc#aes128-cbc"
TRIPLEDES = "http://www.w3.org/2001/04/xmlenc#tripledes-cbc"
OAEP = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"


def _metadata(*key_descriptors: tuple[str | None, list[str]]) -> str:
    keys = []
    for use, methods in key_descriptors:
        use_attribute = f' use="{use}"' if use else ""
        keys.append(
            f"<md:KeyDescriptor{use_attribute}>"
            + "".join(f'<md:EncryptionMethod Algorithm="{uri}"/>' for uri in methods)
            + "</md:KeyDescriptor>"
        )
    return (
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"'
        ' entityID="https://sp.example.test/saml">'
        '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        + "".join(keys)
        + '<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"'
        ' Location="https://sp.example.test/acs" index="0"/>'
        "</md:SPSSODescriptor></md:EntityDescriptor>"
    )


@pytest.mark.parametrize(
    ("key_descriptors", "expected"),
    [
        # An SP that can only read CBC (older Shibboleth) gets CBC.
        ([("encryption", [TRIPLEDES, CBC, OAEP])], "aes256-cbc"),
        # Listing both, in either order, keeps the stronger GCM.
        ([("encryption", [CBC, GCM])], "aes256-gcm"),
        ([("encryption", [GCM, CBC])], "aes256-gcm"),
        # A KeyDescriptor without use serves encryption too (metadata spec 2.4.1.1).
        ([(None, [CBC])], "aes256-cbc"),
        # A signing key's methods say nothing about decryption.
        ([("signing", [CBC]), ("encryption", [])], None),
        # Nothing we offer, or no list at all: the app keeps its choice.
        ([("encryption", [TRIPLEDES, AES128_CBC])], None),
        ([("encryption", [])], None),
        ([], None),
        # Algorithm values are matched exactly, not by substring or case.
        ([("encryption", [CBC.upper(), f"{CBC}x", f" {GCM}x"])], None),
    ],
)
def test_the_preselected_data_encryption(key_descriptors, expected):
    assert parse_sp_metadata(_metadata(*key_descriptors)).data_encryption == expected
