"""Compare signing an authn Response (Response + Assertion) in-process vs. via xmlsec1.

Run from the repository root:

    .venv/bin/python benchmarks/saml_signing.py [--runs 200]

Both backends sign inside the same pysaml2 Server configuration and key pair. Two figures are
reported per backend: the whole ``create_authn_response`` call (what a login costs) and the
two ``sign_statement`` calls alone (what the backend costs). The stock backend needs the
``xmlsec1`` binary (``apt-get install -y xmlsec1``); without it only ours is measured.
"""

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from saml2 import BINDING_HTTP_POST  # noqa: E402
from saml2.config import IdPConfig  # noqa: E402
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID  # noqa: E402
from saml2.samlp import response_from_string  # noqa: E402
from saml2.server import Server  # noqa: E402
from saml2.sigver import pre_signature_part  # noqa: E402
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256  # noqa: E402

from benchmarks.baseline.stock_pysaml2 import stock_idp_server, xmlsec1_binary  # noqa: E402
from benchmarks.common import median_ms  # noqa: E402
from sso_apps.saml.keys import certificate_body, generate_key_pair  # noqa: E402
from sso_apps.saml.xmlsec_backend import install_backend  # noqa: E402

IDP = "https://idp.tessera.test/saml/metadata/"
SP = "https://sp.example.test/saml/metadata/"
ACS = "https://sp.example.test/saml/acs/"
ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion:Assertion"
RESPONSE = "urn:oasis:names:tc:SAML:2.0:protocol:Response"


def _sp_metadata(certificate_pem: str) -> str:
    return (
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"'
        f' xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{SP}">'
        '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
        f"{certificate_body(certificate_pem)}"
        "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        f'<md:AssertionConsumerService Binding="{BINDING_HTTP_POST}" Location="{ACS}"'
        ' index="0" isDefault="true"/>'
        "</md:SPSSODescriptor></md:EntityDescriptor>"
    )


def _config(folder: Path) -> dict:
    return {
        "entityid": IDP,
        "key_file": str(folder / "idp.key"),
        "cert_file": str(folder / "idp.crt"),
        "metadata": {"inline": [(folder / "sp.xml").read_text()]},
        "service": {
            "idp": {
                "endpoints": {"single_sign_on_service": [(f"{IDP}sso", BINDING_HTTP_POST)]},
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
            }
        },
    }


def _our_server(folder: Path) -> Server:
    idp_config = IdPConfig()
    # "XMLSecurity" only stops pysaml2 looking for xmlsec1; install_backend replaces it.
    idp_config.load({**_config(folder), "crypto_backend": "XMLSecurity"})
    server = Server(config=idp_config)
    install_backend(server)
    return server


def _create_response(server: Server) -> str:
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
        )
    )


def _unsigned_with_templates(server: Server) -> tuple[str, str, str]:
    """Return an unsigned Response whose Response and Assertion carry signature templates."""
    response = server.create_authn_response(
        identity={"mail": ["alice@example.test"]},
        in_response_to="_bench",
        destination=ACS,
        sp_entity_id=SP,
        userid="alice@example.test",
        name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text="alice@example.test"),
        authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
        sign_response=False,
        sign_assertion=False,
    )
    parsed = response_from_string(str(response))
    assertion = parsed.assertion[0] if isinstance(parsed.assertion, list) else parsed.assertion
    for item in (parsed, assertion):
        item.signature = pre_signature_part(
            item.id, server.sec.my_cert, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256
        )
    return parsed.to_string().decode("utf-8"), parsed.id, assertion.id


def _measure(server: Server, *, runs: int) -> tuple[float, float]:
    unsigned, response_id, assertion_id = _unsigned_with_templates(server)

    def sign_both() -> str:
        signed = server.sec.sign_statement(unsigned, ASSERTION, node_id=assertion_id)
        return server.sec.sign_statement(signed, RESPONSE, node_id=response_id)

    return median_ms(lambda: _create_response(server), runs=runs), median_ms(sign_both, runs=runs)


def main() -> None:
    """Print median signing times for both backends and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    pair = generate_key_pair(common_name="idp.tessera.test")
    sp_pair = generate_key_pair(common_name="sp.example.test")
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        (folder / "idp.key").write_text(pair.private_key_pem)
        (folder / "idp.crt").write_text(pair.certificate_pem)
        (folder / "sp.xml").write_text(_sp_metadata(sp_pair.certificate_pem))

        ours = _our_server(folder)
        ours_full, ours_sign = _measure(ours, runs=args.runs)
        print(f"runs per figure: {args.runs} (RSA-2048, RSA-SHA256, SHA-256 digest)")
        print(f"in-process python-xmlsec: create_authn_response {ours_full:8.2f} ms median")
        print(f"in-process python-xmlsec: sign Response+Assertion {ours_sign:8.2f} ms median")

        binary = xmlsec1_binary()
        if binary is None:
            print("xmlsec1 binary not found: stock baseline skipped (apt-get install -y xmlsec1)")
            return
        stock = stock_idp_server(_config(folder), binary=binary)
        stock_runs = max(10, args.runs // 4)
        stock_full, stock_sign = _measure(stock, runs=stock_runs)
        print(f"stock xmlsec1 subprocess: create_authn_response {stock_full:8.2f} ms median")
        print(f"stock xmlsec1 subprocess: sign Response+Assertion {stock_sign:8.2f} ms median")
        print(f"(stock measured over {stock_runs} runs)")
        print(f"speed-up, create_authn_response: {stock_full / ours_full:6.1f}x")
        print(f"speed-up, signing only:          {stock_sign / ours_sign:6.1f}x")


if __name__ == "__main__":
    main()
