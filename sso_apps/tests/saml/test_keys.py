import base64
import datetime
import re

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from sso_apps.saml.errors import SamlError
from sso_apps.saml.keys import (
    KeyPairError,
    certificate_body,
    certificate_info,
    check_key_pair,
    generate_key_pair,
)


@pytest.mark.parametrize("key_size", [2048, 3072])
def test_generated_pair_has_requested_size_sha256_and_checks_out(key_pair_factory, key_size):
    pair = key_pair_factory("size.tessera.test", key_size)

    key = serialization.load_pem_private_key(pair.private_key_pem.encode(), password=None)
    certificate = x509.load_pem_x509_certificate(pair.certificate_pem.encode())
    assert isinstance(key, rsa.RSAPrivateKey)
    assert key.key_size == key_size
    assert isinstance(certificate.signature_hash_algorithm, hashes.SHA256)
    assert certificate.issuer == certificate.subject
    check_key_pair(private_key_pem=pair.private_key_pem, certificate_pem=pair.certificate_pem)


def test_generated_certificate_validity_is_backdated_and_spans_valid_days():
    before = datetime.datetime.now(datetime.UTC)
    pair = generate_key_pair(common_name="validity.tessera.test", valid_days=30)
    info = certificate_info(pair.certificate_pem)

    assert before - datetime.timedelta(minutes=2) <= info.not_before < before
    expected_end = before + datetime.timedelta(days=30)
    assert abs(info.not_after - expected_end) < datetime.timedelta(minutes=1)


@pytest.mark.parametrize("key_size", [1024, 2047, 4096])
def test_generate_rejects_other_key_sizes(key_size):
    with pytest.raises(ValueError, match="2048 or 3072"):
        generate_key_pair(common_name="bad.tessera.test", key_size=key_size)


def test_serial_numbers_are_random(key_pair_factory):
    first = certificate_info(key_pair_factory("serial-a.tessera.test").certificate_pem)
    second = certificate_info(key_pair_factory("serial-b.tessera.test").certificate_pem)

    assert first.serial != second.serial
    assert first.serial.bit_length() > 64


def test_check_detects_key_not_matching_certificate(key_pair_factory):
    one = key_pair_factory("one.tessera.test")
    other = key_pair_factory("other.tessera.test")

    with pytest.raises(KeyPairError, match="does not match"):
        check_key_pair(private_key_pem=one.private_key_pem, certificate_pem=other.certificate_pem)


def test_check_rejects_encrypted_key(key_pair_factory):
    pair = key_pair_factory()
    key = serialization.load_pem_private_key(pair.private_key_pem.encode(), password=None)
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"hunter2"),
    ).decode()

    with pytest.raises(KeyPairError, match="passphrase"):
        check_key_pair(private_key_pem=encrypted, certificate_pem=pair.certificate_pem)


def test_check_rejects_unparseable_key(key_pair_factory):
    with pytest.raises(KeyPairError, match="not a readable PEM private key"):
        check_key_pair(
            private_key_pem="-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            certificate_pem=key_pair_factory().certificate_pem,
        )


def test_check_rejects_unparseable_certificate(key_pair_factory):
    with pytest.raises(KeyPairError, match="not a readable PEM X.509 certificate"):
        check_key_pair(
            private_key_pem=key_pair_factory().private_key_pem, certificate_pem="not a cert"
        )


def test_check_rejects_non_rsa_key(key_pair_factory):
    ec_key = ec.generate_private_key(ec.SECP256R1())
    pem = ec_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()

    with pytest.raises(KeyPairError, match="not an RSA key"):
        check_key_pair(private_key_pem=pem, certificate_pem=key_pair_factory().certificate_pem)


def test_check_rejects_short_rsa_key(key_pair_factory):
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
    pem = weak.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()

    with pytest.raises(KeyPairError, match="1024 bits; at least 2048"):
        check_key_pair(private_key_pem=pem, certificate_pem=key_pair_factory().certificate_pem)


def test_key_pair_error_is_a_value_error_with_a_reason(key_pair_factory):
    with pytest.raises(KeyPairError) as caught:
        check_key_pair(private_key_pem="junk", certificate_pem=key_pair_factory().certificate_pem)

    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, SamlError)
    assert caught.value.reason == str(caught.value)


def test_certificate_info_reports_fingerprint_subject_and_serial(key_pair_factory):
    pair = key_pair_factory("info.tessera.test")
    certificate = x509.load_pem_x509_certificate(pair.certificate_pem.encode())

    info = certificate_info(pair.certificate_pem)

    assert re.fullmatch(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", info.sha256_fingerprint)
    assert (
        info.sha256_fingerprint.replace(":", "")
        == certificate.fingerprint(hashes.SHA256()).hex().upper()
    )
    assert info.subject_cn == "info.tessera.test"
    assert info.serial == certificate.serial_number
    assert info.not_before.tzinfo is not None
    assert info.not_before.utcoffset() == datetime.timedelta(0)


def test_certificate_body_is_single_line_base64_der(key_pair_factory):
    pem = key_pair_factory().certificate_pem
    certificate = x509.load_pem_x509_certificate(pem.encode())

    body = certificate_body(pem.replace("\n", "\r\n"))

    assert "\n" not in body and "-----" not in body
    assert base64.b64decode(body) == certificate.public_bytes(serialization.Encoding.DER)


def test_certificate_body_rejects_garbage():
    with pytest.raises(KeyPairError):
        certificate_body("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")
