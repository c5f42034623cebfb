"""Measure an encrypted login now against main's backend, in the same run.

Run from the repository root:

    .venv/bin/python benchmarks/saml_encryption.py [--runs 100]

One pysaml2 Server on the in-process backend, one key pair. Figures, taken in turns: a signed
Response with a signed, encrypted Assertion as the backend builds it now (self-contained
Assertion, the recipient's KeysManager cached); the same as main's backend built it (no
namespace rewrite, a new KeysManager per encryption, whose ~90 ms is libxmlsec loading the
system CA store): the baseline; a signed, unencrypted Response for scale; and the namespace
rewrite alone.
"""

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from saml2 import BINDING_HTTP_POST  # noqa: E402
from saml2.config import IdPConfig  # noqa: E402
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID  # noqa: E402
from saml2.server import Server  # noqa: E402
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256  # noqa: E402

from sso_apps.saml import key_cache, xmlsec_backend  # noqa: E402
from sso_apps.saml.keys import certificate_body, generate_key_pair  # noqa: E402
from sso_apps.saml.namespaces import with_conventional_prefixes  # noqa: E402
from sso_apps.saml.parsing import parse_xml  # noqa: E402

IDP = "https://idp.tessera.test/saml/metadata/"
SP = "https://sp.example.test/saml/metadata/"
ACS = "https://sp.example.test/saml/acs/"


def _server(folder: Path, sp_certificate_pem: str) -> Server:
    metadata = (
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"'
        f' xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{SP}">'
        '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        "<md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>"
        f"{certificate_body(sp_certificate_pem)}"
        "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        f'<md:AssertionConsumerService Binding="{BINDING_HTTP_POST}" Location="{ACS}"'
        ' index="0" isDefault="true"/>'
        "</md:SPSSODescriptor></md:EntityDescriptor>"
    )
    config = IdPConfig()
    config.load(
        {
            "entityid": IDP,
            # "XMLSecurity" only stops pysaml2 looking for xmlsec1; install_backend replaces it.
            "crypto_backend": "XMLSecurity",
            "key_file": str(folder / "idp.key"),
            "cert_file": str(folder / "idp.crt"),
            "metadata": {"inline": [metadata]},
            "service": {
                "idp": {
                    "endpoints": {"single_sign_on_service": [(f"{IDP}sso", BINDING_HTTP_POST)]},
                    "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                    "signing_algorithm": SIG_RSA_SHA256,
                    "digest_algorithm": DIGEST_SHA256,
                }
            },
        }
    )
    server = Server(config=config)
    xmlsec_backend.install_backend(server)
    return server


def _response(server: Server, *, encrypt: bool) -> str:
    return str(
        server.create_authn_response(
            identity={"mail": ["alice@example.test"], "givenName": ["Alice"]},
            in_response_to="_bench",
            destination=ACS,
            sp_entity_id=SP,
            userid="alice@example.test",
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text="alice@example.test"),
            authn={
                "class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
            },
            sign_response=True,
            sign_assertion=True,
            encrypt_assertion=encrypt,
            encrypt_assertion_self_contained=encrypt,
        )
    )


def _interleaved_medians(actions: dict[str, Callable[[], object]], *, runs: int) -> dict:
    """Median ms per action, taking turns each run so a load change hits every figure alike."""
    samples: dict[str, list[float]] = {name: [] for name in actions}
    for action in actions.values():
        action()
    for _ in range(runs):
        for name, action in actions.items():
            started = time.perf_counter()
            action()
            samples[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def _as_before(server: Server) -> Callable[[], str]:
    """Return the encrypted login as main's backend ran it (the baseline)."""

    def fresh_manager(pem: bytes) -> key_cache.LockedKeysManager:
        return key_cache._manager_holding(key_cache.xmlsec_certificate_key(pem))

    def run() -> str:
        # No namespace rewrite, and a new KeysManager for every encryption.
        with (
            mock.patch.object(xmlsec_backend, "with_conventional_prefixes", lambda root, **_: root),
            mock.patch.object(key_cache, "xmlsec_encryption_manager", fresh_manager),
        ):
            return _response(server, encrypt=True)

    return run


def main() -> None:
    """Print median times for encrypted Responses now and as before."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()

    pair = generate_key_pair(common_name="idp.tessera.test")
    sp_pair = generate_key_pair(common_name="sp.example.test")
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        (folder / "idp.key").write_text(pair.private_key_pem)
        (folder / "idp.crt").write_text(pair.certificate_pem)
        server = _server(folder, sp_pair.certificate_pem)
        signed = parse_xml(_response(server, encrypt=False))
        figures = _interleaved_medians(
            {
                "now": lambda: _response(server, encrypt=True),
                "before": _as_before(server),
                "plain": lambda: _response(server, encrypt=False),
                "rewrite": lambda: with_conventional_prefixes(signed),
            },
            runs=args.runs,
        )

    print(f"runs per figure: {args.runs}, in turns (RSA-2048, RSA-SHA256, AES-256-GCM, RSA-OAEP)")
    print(f"encrypted login, now:             {figures['now']:8.2f} ms median")
    print(f"encrypted login, main's backend:  {figures['before']:8.2f} ms median (baseline)")
    print(f"signed login, not encrypted:      {figures['plain']:8.2f} ms median (for scale)")
    print(f"namespace rewrite alone:          {figures['rewrite']:8.3f} ms median")
    print(f"speed-up of an encrypted login: {figures['before'] / figures['now']:6.1f}x")


if __name__ == "__main__":
    main()
