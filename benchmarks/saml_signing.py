"""Build and sign one authn Response (Response + Assertion): Tessera's path vs. stock xmlsec1.

Run from the repository root: .venv/bin/python -m benchmarks.saml_signing [--quick]
(or through the one command, .venv/bin/python -m benchmarks).

The headline figure is what a login costs in Tessera now: ``AuthnResponseBuilder.build``
(lxml template, python-xmlsec, cached key), both signatures, against 2 F. For comparison,
in the same run and with the same key pair: pysaml2's ``create_authn_response`` with our
in-process backend (Tessera's path before the builder), the two ``sign_statement`` calls
alone, and stock pysaml2 with the ``xmlsec1`` binary (``apt-get install -y xmlsec1``;
without it there is no stock baseline).
"""

import datetime
import tempfile
from pathlib import Path

from saml2 import BINDING_HTTP_POST
from saml2.config import IdPConfig
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.samlp import response_from_string
from saml2.server import Server
from saml2.sigver import pre_signature_part
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from benchmarks.baseline.stock_pysaml2 import stock_idp_server, xmlsec1_binary
from benchmarks.harness.report import Figure, module_main, speedup
from benchmarks.harness.timing import interleaved_medians, median_ms, rsa_floor_action
from sso_apps.saml.constants import AC_PASSWORD_PROTECTED_TRANSPORT
from sso_apps.saml.keys import certificate_body, generate_key_pair
from sso_apps.saml.response_builder import AuthnResponseBuilder, ResponseContent
from sso_apps.saml.xmlsec_backend import install_backend

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


def _builder_response(builder: AuthnResponseBuilder) -> str:
    # The same content as _create_response, as authn_response_create fills it in.
    now = datetime.datetime.now(datetime.UTC)
    content = ResponseContent(
        issuer=IDP,
        destination=ACS,
        audience=SP,
        in_response_to="_bench",
        name_id="alice@example.test",
        name_id_format=NAMEID_FORMAT_EMAILADDRESS,
        authn_context=AC_PASSWORD_PROTECTED_TRANSPORT,
        authn_instant=now,
        session_not_on_or_after=now + datetime.timedelta(hours=8),
        attributes=[("mail", ["alice@example.test"]), ("givenName", ["Alice"])],
        issued_at=now,
        lifetime=datetime.timedelta(minutes=5),
    )
    return builder.build(content, sign_response=True, sign_assertion=True).xml


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


def run(*, quick: bool) -> list[Figure]:
    """Return the build + sign figure against 2 F, with stock xmlsec1 in the same run."""
    runs = 20 if quick else 200
    pair = generate_key_pair(common_name="idp.tessera.test")
    sp_pair = generate_key_pair(common_name="sp.example.test")
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        (folder / "idp.key").write_text(pair.private_key_pem)
        (folder / "idp.crt").write_text(pair.certificate_pem)
        (folder / "sp.xml").write_text(_sp_metadata(sp_pair.certificate_pem))

        builder = AuthnResponseBuilder(
            private_key_pem=pair.private_key_pem,
            certificate_pem=pair.certificate_pem,
            signature_algorithm=SIG_RSA_SHA256,
            digest_algorithm=DIGEST_SHA256,
        )
        # F and the builder in turns: the target is their ratio, so both see the same load.
        floor, built = interleaved_medians(
            rsa_floor_action(), lambda: _builder_response(builder), runs=runs
        )
        ours_full, ours_sign = _measure(_our_server(folder), runs=runs)
        stock_full = stock_sign = None
        binary = xmlsec1_binary()
        if binary is not None:
            stock = stock_idp_server(_config(folder), binary=binary)
            stock_full, stock_sign = _measure(stock, runs=max(5, runs // 4))
    note = "" if binary else "xmlsec1 not installed: no stock baseline"
    return [
        Figure(
            "build + sign one Response (lxml response builder)",
            built,
            "ms",
            target=f"≤ 2 F = {2 * floor:.2f} ms",
            passed=built <= 2 * floor,
            baseline=stock_full,
            ratio=speedup(built, stock_full),
            note=f"{built / floor:.2f} F; {note}" if note else f"{built / floor:.2f} F",
        ),
        Figure(
            "build + sign, pysaml2 create_authn_response (before the builder)",
            ours_full,
            "ms",
            baseline=stock_full,
            ratio=speedup(ours_full, stock_full),
            note=f"{ours_full / floor:.2f} F; the builder is {ours_full / built:.1f}× faster",
        ),
        Figure(
            "sign Response + Assertion only",
            ours_sign,
            "ms",
            baseline=stock_sign,
            ratio=speedup(ours_sign, stock_sign),
            note=f"F = {floor:.2f} ms",
        ),
    ]


if __name__ == "__main__":
    module_main(run)
