"""rotate_key_encryption_secret: every IdP private key moves to the current secret."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from sso_apps.idp.runtime import runtimes
from sso_apps.key_vault import _derive, private_key_decrypt, private_key_encrypt
from sso_apps.models import IdpKeyPair
from sso_apps.services.key_pairs import key_pair_generate
from sso_apps.tests.idp.conftest import (  # noqa: F401 (fixtures)
    _fresh_runtimes,
    saml_app_factory,
    saml_connector,
)
from sso_apps.tests.idp.flows import onelogin_sp, response_fields, sso_redirect

SECRET_A = "secret-a-" + "a" * 40
SECRET_B = "secret-b-" + "b" * 40
SECRET_UNKNOWN = "secret-u-" + "u" * 40


def _raw_tokens() -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, private_key_encrypted FROM sso_apps_idpkeypair ORDER BY id")
        return dict(cursor.fetchall())


def _rotate() -> str:
    from io import StringIO

    out = StringIO()
    call_command("rotate_key_encryption_secret", stdout=out)
    return out.getvalue()


@pytest.fixture
def apps_under_secret_a(settings, saml_app_factory):  # noqa: F811
    settings.SSO_APPS_KEY_ENCRYPTION_SECRET = SECRET_A
    settings.SSO_APPS_KEY_ENCRYPTION_OLD_SECRETS = []
    application = saml_app_factory()
    # Retired pairs are re-encrypted too: a rotation leaves no row under the old secret.
    key_pair_generate(application=application)
    key_pair_generate(application=application)
    pems = {pair.pk: pair.private_key_pem for pair in IdpKeyPair.objects.all()}
    assert len(pems) == 3
    assert all(pem.startswith("-----BEGIN PRIVATE KEY-----") for pem in pems.values())
    return application, pems


def _switch_to_b(settings):
    settings.SSO_APPS_KEY_ENCRYPTION_SECRET = SECRET_B
    settings.SSO_APPS_KEY_ENCRYPTION_OLD_SECRETS = [SECRET_A]


@pytest.mark.django_db
def test_keys_stay_readable_while_the_rotation_is_in_progress(settings, apps_under_secret_a):
    _, pems = apps_under_secret_a
    _switch_to_b(settings)

    assert {pk: private_key_decrypt(token) for pk, token in _raw_tokens().items()} == pems


@pytest.mark.django_db
def test_rotation_moves_every_key_to_the_current_secret_and_the_idp_still_signs(
    client, settings, apps_under_secret_a
):
    application, pems = apps_under_secret_a
    _switch_to_b(settings)

    output = _rotate()

    assert f"{len(pems)} re-encrypted, 0 already under the current secret" in output
    settings.SSO_APPS_KEY_ENCRYPTION_OLD_SECRETS = []
    current_only = Fernet(_derive(SECRET_B))
    for pk, token in _raw_tokens().items():
        assert current_only.decrypt(token.encode()).decode() == pems[pk]
        assert "PRIVATE KEY" not in token
    runtimes.clear()
    client.force_login(application.authorized_groups.get().members.get())
    sp = onelogin_sp(client, application)
    url, request_id = sp.login_url()
    auth = sp.acs(response_fields(sso_redirect(client, url)), request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.get_nameid() == "ada@example.com"


@pytest.mark.django_db
def test_running_the_rotation_twice_changes_nothing_the_second_time(settings, apps_under_secret_a):
    _, pems = apps_under_secret_a
    _switch_to_b(settings)
    _rotate()
    after_first = _raw_tokens()

    output = _rotate()

    assert f"0 re-encrypted, {len(pems)} already under the current secret" in output
    assert _raw_tokens() == after_first


@pytest.mark.django_db
def test_a_key_no_secret_can_read_fails_the_command_and_is_left_as_it_was(
    settings, apps_under_secret_a
):
    application, pems = apps_under_secret_a
    settings.SSO_APPS_KEY_ENCRYPTION_SECRET = SECRET_UNKNOWN
    stranger = IdpKeyPair.objects.get(application=application, status="active")
    stranger.pk = None
    stranger.status = IdpKeyPair.Status.INACTIVE
    stranger.private_key_encrypted = private_key_encrypt(next(iter(pems.values())))
    stranger.save()
    _switch_to_b(settings)

    with pytest.raises(CommandError, match=rf"1 IdP key pair\(s\) \(ids {stranger.pk}\)") as error:
        _rotate()

    assert error.value.returncode != 0

    tokens = _raw_tokens()
    assert tokens[stranger.pk] == stranger.private_key_encrypted
    current_only = Fernet(_derive(SECRET_B))
    for pk, pem in pems.items():
        assert current_only.decrypt(tokens[pk].encode()).decode() == pem


@pytest.mark.django_db
def test_rotation_never_logs_key_material(settings, apps_under_secret_a, caplog, capsys):
    _, pems = apps_under_secret_a
    before = _raw_tokens()
    _switch_to_b(settings)
    caplog.set_level("DEBUG")

    output = _rotate()

    text = output + caplog.text + "".join(capsys.readouterr())
    for pk, pem in pems.items():
        body = "".join(pem.strip().splitlines()[1:-1])
        assert body[:48] not in text and before[pk][:40] not in text
    assert SECRET_A not in text and SECRET_B not in text


@pytest.mark.django_db
def test_the_service_walks_every_row_in_small_batches(settings, apps_under_secret_a):
    from sso_apps.services.key_encryption import key_pairs_reencrypt

    _, pems = apps_under_secret_a
    _switch_to_b(settings)

    result = key_pairs_reencrypt(batch_size=1)

    assert (result.reencrypted, result.already_current, result.undecryptable) == (len(pems), 0, [])
    settings.SSO_APPS_KEY_ENCRYPTION_OLD_SECRETS = []
    assert {pk: private_key_decrypt(token) for pk, token in _raw_tokens().items()} == pems
