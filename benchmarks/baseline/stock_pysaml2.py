"""The baseline the SAML benchmarks compare against: pysaml2's stock xmlsec1 subprocess.

Kept apart from the product and from our own measurements on purpose: nothing outside
benchmarks/baseline/ may configure the xmlsec1 back-end.
"""

import shutil
from pathlib import Path

from saml2.config import IdPConfig
from saml2.server import Server
from saml2.sigver import CryptoBackendXmlSec1


def xmlsec1_binary() -> str | None:
    return shutil.which("xmlsec1")


def stock_idp_server(config: dict, *, binary: str) -> Server:
    """Return a pysaml2 Server for this IdP config that signs by running xmlsec1."""
    idp_config = IdPConfig()
    idp_config.load({**config, "crypto_backend": "xmlsec1", "xmlsec_binary": binary})
    return Server(config=idp_config)


def stock_verifier(binary: str) -> CryptoBackendXmlSec1:
    """Return pysaml2's stock verifier, which runs `xmlsec1 --verify` per signature."""
    return CryptoBackendXmlSec1(binary)


def certificate_path(folder: Path, pem: str) -> str:
    path = folder / "sp.pem"
    path.write_text(pem)
    return str(path)
