"""Factories for SAML tests: key pairs, SP metadata, pysaml2 IdP servers and python3-saml SPs."""

import base64
import functools
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import saml2.sigver
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server

from sso_apps.saml.keys import KeyPair, certificate_body, generate_key_pair
from sso_apps.saml.xmlsec_backend import PythonXmlsecBackend, install_backend

IDP_ENTITY_ID = "https://idp.tessera.test/saml/metadata/"
SP_ENTITY_ID = "https://sp.example.test/saml/metadata/"
SP_ACS_URL = "https://sp.example.test/saml/acs/"
SP_SLO_URL = "https://sp.example.test/saml/sls/"
REQUEST_ID = "_4f1c0a9e7b2d4c6e8a0b1c2d3e4f5a6b"
PASSWORD_PROTECTED = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


@functools.cache
def _cached_key_pair(common_name: str, key_size: int) -> KeyPair:
    # RSA generation dominates test time; tests that need distinct keys ask for distinct names.
    return generate_key_pair(common_name=common_name, key_size=key_size)


@pytest.fixture
def key_pair_factory() -> Callable[..., KeyPair]:
    """Return a function giving a (cached) RSA key pair per common name and size."""

    def make(common_name: str = "idp.tessera.test", key_size: int = 2048) -> KeyPair:
        return _cached_key_pair(common_name, key_size)

    return make


@pytest.fixture
def pem_files_factory(tmp_path: Path) -> Callable[[KeyPair], tuple[Path, Path]]:
    """Return a function writing a key pair to key.pem/cert.pem files, as pysaml2 expects."""
    counter = iter(range(1_000_000))

    def write(pair: KeyPair) -> tuple[Path, Path]:
        folder = tmp_path / f"keys{next(counter)}"
        folder.mkdir()
        key_path = folder / "key.pem"
        cert_path = folder / "cert.pem"
        key_path.write_text(pair.private_key_pem)
        cert_path.write_text(pair.certificate_pem)
        return key_path, cert_path

    return write


@pytest.fixture
def sp_metadata_factory() -> Callable[..., str]:
    """Return a function rendering SP metadata XML with the given endpoints and certificates."""

    def render(
        *,
        entity_id: str = SP_ENTITY_ID,
        acs: list[tuple[str, str, int, bool]] | None = None,
        slo: list[tuple[str, str]] | None = None,
        signing_cert_pem: str | None = None,
        encryption_cert_pem: str | None = None,
        both_use_cert_pem: str | None = None,
        nameid_formats: list[str] | None = None,
        authn_requests_signed: bool = False,
        want_assertions_signed: bool = True,
    ) -> str:
        if acs is None:
            acs = [(SP_ACS_URL, BINDING_HTTP_POST, 0, True)]
        parts = [
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"'
            ' xmlns:ds="http://www.w3.org/2000/09/xmldsig#"'
            f' entityID="{entity_id}">',
            "<md:SPSSODescriptor"
            f' AuthnRequestsSigned="{str(authn_requests_signed).lower()}"'
            f' WantAssertionsSigned="{str(want_assertions_signed).lower()}"'
            ' protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">',
        ]
        for use, pem in (
            ("signing", signing_cert_pem),
            ("encryption", encryption_cert_pem),
            (None, both_use_cert_pem),
        ):
            if pem is None:
                continue
            use_attribute = f' use="{use}"' if use else ""
            parts.append(
                f"<md:KeyDescriptor{use_attribute}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>"
                f"{certificate_body(pem)}"
                "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
            )
        for location, binding in slo or []:
            parts.append(f'<md:SingleLogoutService Binding="{binding}" Location="{location}"/>')
        for name_format in nameid_formats or []:
            parts.append(f"<md:NameIDFormat>{name_format}</md:NameIDFormat>")
        for location, binding, index, is_default in acs:
            default = ' isDefault="true"' if is_default else ""
            parts.append(
                f'<md:AssertionConsumerService Binding="{binding}" Location="{location}"'
                f' index="{index}"{default}/>'
            )
        parts.append("</md:SPSSODescriptor></md:EntityDescriptor>")
        return "".join(parts)

    return render


@pytest.fixture
def idp_server_factory(
    key_pair_factory, pem_files_factory, sp_metadata_factory
) -> Callable[..., Server]:
    """Return a function building a pysaml2 IdP Server wired to PythonXmlsecBackend."""

    def build(
        *,
        idp_pair: KeyPair | None = None,
        sp_metadata: str | None = None,
        key_in_memory: bool = False,
        backend: PythonXmlsecBackend | None = None,
        idp_options: dict | None = None,
    ) -> Server:
        idp_pair = idp_pair or key_pair_factory()
        if sp_metadata is None:
            sp_pair = key_pair_factory("sp.example.test")
            sp_metadata = sp_metadata_factory(
                signing_cert_pem=sp_pair.certificate_pem,
                encryption_cert_pem=sp_pair.certificate_pem,
                slo=[(SP_SLO_URL, BINDING_HTTP_REDIRECT)],
                nameid_formats=[NAMEID_FORMAT_EMAILADDRESS],
            )
        key_path, cert_path = pem_files_factory(idp_pair)
        config = {
            "entityid": IDP_ENTITY_ID,
            # Placeholder so Server() does not look for the xmlsec1 binary; install_backend
            # replaces it.
            "crypto_backend": "XMLSecurity",
            "key_file": idp_pair.private_key_pem if key_in_memory else str(key_path),
            "cert_file": str(cert_path),
            "metadata": {"inline": [sp_metadata]},
            "service": {
                "idp": {
                    "name": "Tessera test IdP",
                    "endpoints": {
                        "single_sign_on_service": [
                            ("https://idp.tessera.test/saml/sso/redirect/", BINDING_HTTP_REDIRECT),
                            ("https://idp.tessera.test/saml/sso/post/", BINDING_HTTP_POST),
                        ],
                    },
                    "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                    "sign_response": True,
                    "sign_assertion": True,
                },
            },
        }
        config["service"]["idp"].update(idp_options or {})
        idp_config = IdPConfig()
        idp_config.load(config)
        server = Server(config=idp_config)
        install_backend(server, backend=backend)
        return server

    return build


@pytest.fixture
def authn_response_factory() -> Callable[..., str]:
    """Return a function making a signed (optionally encrypted) authn response XML string."""

    def make(
        server: Server,
        *,
        email: str = "alice@example.test",
        sign_response: bool = True,
        sign_assertion: bool = True,
        encrypt_assertion: bool = False,
        **kwargs,
    ) -> str:
        response = server.create_authn_response(
            identity={"mail": [email], "givenName": ["Alice"]},
            in_response_to=REQUEST_ID,
            destination=SP_ACS_URL,
            sp_entity_id=SP_ENTITY_ID,
            userid=email,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
            authn={"class_ref": PASSWORD_PROTECTED, "authn_auth": IDP_ENTITY_ID},
            sign_response=sign_response,
            sign_assertion=sign_assertion,
            encrypt_assertion=encrypt_assertion,
            **kwargs,
        )
        return str(response)

    return make


@pytest.fixture
def onelogin_sp_factory() -> Callable[..., Callable[[str], OneLogin_Saml2_Response]]:
    """Return a function configuring a strict python3-saml SP; it returns a validator."""

    def configure(
        *,
        idp_pair: KeyPair,
        sp_pair: KeyPair,
        want_assertions_encrypted: bool = False,
    ) -> Callable[[str], OneLogin_Saml2_Response]:
        settings = OneLogin_Saml2_Settings(
            {
                "strict": True,
                "debug": False,
                "sp": {
                    "entityId": SP_ENTITY_ID,
                    "assertionConsumerService": {"url": SP_ACS_URL, "binding": BINDING_HTTP_POST},
                    "NameIDFormat": NAMEID_FORMAT_EMAILADDRESS,
                    "x509cert": certificate_body(sp_pair.certificate_pem),
                    "privateKey": sp_pair.private_key_pem,
                },
                "idp": {
                    "entityId": IDP_ENTITY_ID,
                    "singleSignOnService": {
                        "url": "https://idp.tessera.test/saml/sso/redirect/",
                        "binding": BINDING_HTTP_REDIRECT,
                    },
                    "x509cert": certificate_body(idp_pair.certificate_pem),
                },
                "security": {
                    "wantMessagesSigned": True,
                    "wantAssertionsSigned": True,
                    "wantAssertionsEncrypted": want_assertions_encrypted,
                    "rejectDeprecatedAlgorithm": True,
                },
            },
            sp_validation_only=True,
        )

        def validate(xml: str) -> OneLogin_Saml2_Response:
            response = OneLogin_Saml2_Response(
                settings, base64.b64encode(xml.encode("utf-8")).decode("ascii")
            )
            request_data = {
                "https": "on",
                "http_host": "sp.example.test",
                "script_name": "/saml/acs/",
                "get_data": {},
                "post_data": {},
            }
            response.is_valid(request_data, request_id=REQUEST_ID, raise_exceptions=True)
            return response

        return validate

    return configure


@pytest.fixture
def idp_pair(key_pair_factory):
    return key_pair_factory("idp.tessera.test")


@pytest.fixture
def sp_pair(key_pair_factory):
    return key_pair_factory("sp.example.test")


@pytest.fixture
def forbid_subprocess(monkeypatch):
    """Fail loudly if anything tries to start a process (i.e. the xmlsec1 binary)."""
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError(f"a subprocess was started: {args!r}")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(saml2.sigver, "Popen", refuse)
    monkeypatch.setattr(saml2.sigver.CryptoBackendXmlSec1, "_run_xmlsec", refuse)
    return calls
