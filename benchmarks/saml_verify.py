"""Time verifying SP signatures: in-process (ours) vs pysaml2's stock xmlsec1 subprocess.

Prints medians for a signed HTTP-Redirect AuthnRequest (query-string signature) and a
POST-binding AuthnRequest with an enveloped signature, with the stock baseline measured
in the same run. Run: .venv/bin/python benchmarks/saml_verify.py
"""

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from onelogin.saml2.utils import OneLogin_Saml2_Utils  # noqa: E402

from benchmarks.baseline.stock_pysaml2 import (  # noqa: E402
    certificate_path,
    stock_verifier,
    xmlsec1_binary,
)
from benchmarks.common import median_ms  # noqa: E402
from sso_apps.saml.bindings import decode_redirect, sign_redirect, verify_redirect_signature  # noqa: E402
from sso_apps.saml.keys import generate_key_pair  # noqa: E402
from sso_apps.saml.parsing import parse_xml, verify_enveloped_signature  # noqa: E402

REQUEST = (
    "<samlp:AuthnRequest xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol' "
    "xmlns:saml='urn:oasis:names:tc:SAML:2.0:assertion' ID='_bench1' Version='2.0' "
    "IssueInstant='2026-11-29T06:00:00Z' AssertionConsumerServiceURL='https://sp.example.com/acs'>"
    "<saml:Issuer>https://sp.example.com/metadata</saml:Issuer></samlp:AuthnRequest>"
)


def main():
    keys = generate_key_pair(common_name="sp.example.com")
    query = sign_redirect(
        xml=REQUEST, parameter="SAMLRequest", private_key_pem=keys.private_key_pem
    )
    signed_xml = OneLogin_Saml2_Utils.add_sign(
        REQUEST,
        keys.private_key_pem,
        keys.certificate_pem,
        sign_algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        digest_algorithm="http://www.w3.org/2001/04/xmlenc#sha256",
    )
    signed_xml = signed_xml if isinstance(signed_xml, bytes) else signed_xml.encode()

    redirect = median_ms(
        lambda: verify_redirect_signature(
            decode_redirect(query), certificate_pem=keys.certificate_pem
        ),
        runs=500,
    )
    enveloped = median_ms(
        lambda: verify_enveloped_signature(
            parse_xml(signed_xml), certificate_pem=keys.certificate_pem
        ),
        runs=500,
    )
    print("runs: 500 in-process, 50 stock (RSA-2048, RSA-SHA256)")
    print(f"in-process: Redirect query-string signature   {redirect:8.3f} ms median")
    print(f"in-process: POST enveloped signature          {enveloped:8.3f} ms median")
    binary = xmlsec1_binary()
    if not binary:
        print("xmlsec1 not installed: stock baseline skipped (apt-get install -y xmlsec1)")
        return
    with tempfile.TemporaryDirectory() as folder:
        cert_file = certificate_path(Path(folder), keys.certificate_pem)
        stock = stock_verifier(binary)
        baseline = median_ms(
            lambda: stock.validate_signature(
                signed_xml.decode(),
                cert_file,
                "pem",
                "urn:oasis:names:tc:SAML:2.0:protocol:AuthnRequest",
                "_bench1",
            ),
            runs=50,
        )
    print(f"stock xmlsec1: POST enveloped signature       {baseline:8.3f} ms median")
    print(f"speed-up, enveloped verification: {baseline / enveloped:6.1f}x")
    print("(stock pysaml2 has no Redirect-signature check to compare: upstream issue 135)")


if __name__ == "__main__":
    main()
