"""The SAML vocabulary is spelled once, and correctly, in sso_apps.saml.constants."""

import ast
from pathlib import Path

import pytest
import xmlsec
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, md, samlp, xmldsig, xmlenc
from saml2 import saml as saml2_saml

from sso_apps.catalog import schema
from sso_apps.models.applications import (
    Binding,
    DataEncryption,
    NameIdFormat,
    SignatureAlgorithm,
)
from sso_apps.saml import algorithms, constants
from sso_apps.saml.xmlsec_backend import ENCRYPTION_METHODS

SSO_APPS = Path(constants.__file__).resolve().parents[1]
URI_PREFIXES = ("urn:oasis:names:tc:SAML:", "http://www.w3.org/20")


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (constants.PROTOCOL_NS, samlp.NAMESPACE),
        (constants.ASSERTION_NS, saml2_saml.NAMESPACE),
        (constants.METADATA_NS, md.NAMESPACE),
        (constants.DSIG_NS, xmldsig.NAMESPACE),
        (constants.XENC_NS, xmlenc.NAMESPACE),
        (constants.HTTP_POST, BINDING_HTTP_POST),
        (constants.HTTP_REDIRECT, BINDING_HTTP_REDIRECT),
        (constants.NAMEID_EMAIL_ADDRESS, saml2_saml.NAMEID_FORMAT_EMAILADDRESS),
        (constants.NAMEID_UNSPECIFIED, saml2_saml.NAMEID_FORMAT_UNSPECIFIED),
        (constants.NAMEID_PERSISTENT, saml2_saml.NAMEID_FORMAT_PERSISTENT),
        (constants.NAMEID_TRANSIENT, saml2_saml.NAMEID_FORMAT_TRANSIENT),
    ],
)
def test_each_saml_uri_is_the_one_pysaml2_uses(ours, theirs):
    assert ours == theirs


@pytest.mark.parametrize(
    ("ours", "transform"),
    [
        (constants.RSA_SHA1, xmlsec.Transform.RSA_SHA1),
        (constants.RSA_SHA256, xmlsec.Transform.RSA_SHA256),
        (constants.RSA_SHA384, xmlsec.Transform.RSA_SHA384),
        (constants.RSA_SHA512, xmlsec.Transform.RSA_SHA512),
        (constants.SHA1, xmlsec.Transform.SHA1),
        (constants.SHA256, xmlsec.Transform.SHA256),
        (constants.SHA384, xmlsec.Transform.SHA384),
        (constants.SHA512, xmlsec.Transform.SHA512),
        (constants.EXC_C14N, xmlsec.Transform.EXCL_C14N),
        (constants.EXC_C14N_WITH_COMMENTS, xmlsec.Transform.EXCL_C14N_COMMENTS),
        (constants.ENVELOPED, xmlsec.Transform.ENVELOPED),
        (constants.AES256_CBC, xmlsec.Transform.AES256),
        (constants.AES256_GCM, xmlsec.Transform.AES256_GCM),
        (constants.RSA_OAEP_MGF1P, xmlsec.Transform.RSA_OAEP),
    ],
)
def test_each_algorithm_uri_is_the_one_libxmlsec_implements(ours, transform):
    assert ours == transform.href


def test_every_accepted_method_maps_to_the_transform_of_that_uri():
    tables = (algorithms.C14N_METHODS, algorithms.SIGNATURE_METHODS, algorithms.DIGEST_METHODS)
    for table in tables:
        assert {uri: transform.href for uri, transform in table.items()} == {u: u for u in table}


def test_each_data_encryption_name_maps_to_the_transform_the_backend_uses():
    assert {name: transform.href for name, transform in ENCRYPTION_METHODS.items()} == (
        constants.DATA_ENCRYPTION_URIS
    )
    assert {
        uri: name for name, uri in constants.DATA_ENCRYPTION_URIS.items()
    } == constants.DATA_ENCRYPTION_NAMES


def test_the_one_key_transport_is_rsa_oaep_never_rsa_1_5():
    assert xmlsec.Transform.RSA_OAEP.href == constants.KEY_TRANSPORT
    assert xmlsec.Transform.RSA_PKCS1.href != constants.KEY_TRANSPORT


def test_short_names_and_uris_map_both_ways():
    assert constants.BINDING_URIS == {
        "redirect": constants.HTTP_REDIRECT,
        "post": constants.HTTP_POST,
    }
    assert {uri: name for name, uri in constants.BINDING_URIS.items()} == constants.BINDING_NAMES
    assert list(constants.NAMEID_FORMAT_URIS) == [
        "emailAddress",
        "unspecified",
        "persistent",
        "transient",
    ]
    assert {
        uri: name for name, uri in constants.NAMEID_FORMAT_URIS.items()
    } == constants.NAMEID_FORMAT_NAMES


def test_models_and_catalog_offer_exactly_the_saml_layers_short_names():
    assert set(Binding.values) == set(constants.BINDING_URIS) == schema.BINDINGS
    assert set(NameIdFormat.values) == set(constants.NAMEID_FORMAT_URIS) == schema.NAMEID_FORMATS
    assert set(SignatureAlgorithm.values) == set(constants.SIGNATURE_ALGORITHMS)
    assert set(DataEncryption.values) == set(constants.DATA_ENCRYPTION_URIS)


def uri_literals_outside_constants(root: Path) -> list[str]:
    """Return "path:line: uri" for each SAML/W3C URI string literal in product code."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] in ("tests", "migrations") or relative == Path("saml/constants.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            value = node.value if isinstance(node, ast.Constant) else None
            if isinstance(value, str) and any(prefix in value for prefix in URI_PREFIXES):
                found.append(f"{relative}:{node.lineno}: {value}")
    return found


def test_no_product_module_spells_a_saml_uri_itself():
    assert uri_literals_outside_constants(SSO_APPS) == []
