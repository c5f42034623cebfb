import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sso_apps.forms.certificates import KeyPairUploadForm
from sso_apps.saml import keys

PAIR = keys.generate_key_pair(common_name="own.acme.test")


def _expired_pair() -> tuple[str, str]:
    private_key = serialization.load_pem_private_key(PAIR.private_key_pem.encode(), None)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "old.acme.test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=30))
        .not_valid_after(now - datetime.timedelta(days=1))
        .sign(private_key, hashes.SHA256())
    )
    return PAIR.private_key_pem, certificate.public_bytes(serialization.Encoding.PEM).decode()


def test_matching_pair_is_accepted():
    form = KeyPairUploadForm(
        {"private_key": PAIR.private_key_pem, "certificate": PAIR.certificate_pem}
    )
    assert form.is_valid(), form.errors


def test_expired_certificate_is_refused():
    key, certificate = _expired_pair()
    form = KeyPairUploadForm({"private_key": key, "certificate": certificate})
    assert not form.is_valid()
    assert "expired on" in str(form.non_field_errors())


def test_non_rsa_key_is_refused():
    ec_key = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    form = KeyPairUploadForm({"private_key": ec_key.decode(), "certificate": PAIR.certificate_pem})
    assert not form.is_valid()
    assert "not an RSA key" in str(form.non_field_errors())


def test_the_private_key_is_never_rendered_back():
    form = KeyPairUploadForm({"private_key": PAIR.private_key_pem, "certificate": "nonsense"})
    assert not form.is_valid()
    html = form.as_div()
    assert "PRIVATE KEY" not in html
    assert "nonsense" in html  # the public half is echoed so it can be fixed


@pytest.mark.parametrize("name", ["private_key_file", "certificate_file"])
def test_binary_files_are_refused(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    other = "certificate" if name == "private_key_file" else "private_key"
    form = KeyPairUploadForm(
        {other: PAIR.certificate_pem if other == "certificate" else PAIR.private_key_pem},
        {name: SimpleUploadedFile("x.der", b"\x30\x82\xff\xfe")},
    )
    assert not form.is_valid()
    assert "not a PEM text file" in str(form.errors[name])
