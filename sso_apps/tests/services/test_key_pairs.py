import pytest
from cryptography import x509
from django.db import connection

from sso_apps.key_vault import KeyVaultError, private_key_decrypt, private_key_encrypt
from sso_apps.models import ConnectorTemplate, IdpKeyPair
from sso_apps.saml.errors import KeyPairError
from sso_apps.saml.keys import generate_key_pair
from sso_apps.services.applications import application_create
from sso_apps.services.key_pairs import key_pair_generate, key_pair_upload


@pytest.fixture
def application(db):
    connector = ConnectorTemplate.objects.create(
        slug="keys", name="Keys", type="custom_saml", category="it_ops"
    )
    return application_create(connector=connector, display_label="Keys")


@pytest.mark.django_db
def test_creating_an_app_generates_one_active_rsa_key_pair(application):
    pair = application.key_pairs.get()
    assert (pair.status, pair.origin, pair.key_size) == ("active", "generated", 2048)
    certificate = x509.load_pem_x509_certificate(pair.certificate_pem.encode())
    assert (certificate.not_valid_after_utc - certificate.not_valid_before_utc).days >= 5 * 365


@pytest.mark.django_db
def test_private_key_is_encrypted_in_the_database_column(application):
    pair = application.key_pairs.get()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT private_key_encrypted FROM sso_apps_idpkeypair WHERE id = %s", [pair.pk]
        )
        (raw,) = cursor.fetchone()
    assert "PRIVATE KEY" not in raw
    assert pair.private_key_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert private_key_decrypt(raw) == pair.private_key_pem


@pytest.mark.django_db
def test_a_changed_secret_cannot_read_old_keys_unless_kept_as_old(settings):
    token = private_key_encrypt("-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n")
    old = settings.SSO_APPS_KEY_ENCRYPTION_SECRET
    settings.SSO_APPS_KEY_ENCRYPTION_SECRET = "a-completely-different-secret-value-1234"
    with pytest.raises(KeyVaultError):
        private_key_decrypt(token)
    settings.SSO_APPS_KEY_ENCRYPTION_OLD_SECRETS = [old]
    assert "PRIVATE KEY" in private_key_decrypt(token)


@pytest.mark.django_db
def test_regenerating_keeps_the_old_pair_as_inactive(application):
    first = application.key_pairs.get()
    version = application.config_version
    second = key_pair_generate(application=application)
    first.refresh_from_db()
    assert (first.status, second.status) == ("inactive", "active")
    assert second.fingerprint_sha256 != first.fingerprint_sha256
    application.refresh_from_db()
    assert application.config_version > version


@pytest.mark.django_db
@pytest.mark.parametrize("key_size", [2048, 3072])
def test_key_size_is_configurable(application, key_size):
    assert key_pair_generate(application=application, key_size=key_size).key_size == key_size


@pytest.mark.django_db
def test_uploading_a_matching_pair_makes_it_active(application):
    own = generate_key_pair(common_name="own")
    pair = key_pair_upload(
        application=application,
        private_key_pem=own.private_key_pem,
        certificate_pem=own.certificate_pem,
    )
    assert (pair.status, pair.origin) == ("active", "uploaded")
    assert application.key_pairs.filter(status="active").get() == pair


@pytest.mark.django_db
def test_uploading_a_mismatched_pair_is_refused_and_changes_nothing(application):
    one, other = generate_key_pair(common_name="one"), generate_key_pair(common_name="other")
    before = application.key_pairs.get()
    with pytest.raises(KeyPairError, match="does not match"):
        key_pair_upload(
            application=application,
            private_key_pem=one.private_key_pem,
            certificate_pem=other.certificate_pem,
        )
    assert list(IdpKeyPair.objects.filter(application=application)) == [before]
    assert before.status == "active"
