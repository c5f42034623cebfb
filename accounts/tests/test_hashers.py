import pytest
from argon2 import PasswordHasher, Type
from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    PBKDF2PasswordHasher,
    check_password,
    identify_hasher,
    make_password,
)
from django.urls import reverse

from accounts.hashers import TesseraArgon2PasswordHasher

# What portal/settings/base.py lists (the test settings use MD5 for speed); accounts may
# not import portal, so the list is repeated here.
PRODUCTION_HASHERS = [
    "accounts.hashers.TesseraArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    return settings


def _parameters(encoded: str) -> dict:
    hasher = identify_hasher(encoded)
    return hasher.decode(encoded)


def test_new_hashes_are_argon2id_at_least_owasp_minimum(production_hashers):
    decoded = _parameters(make_password(PASSWORD))
    assert decoded["algorithm"] == "argon2"
    assert decoded["variety"] == "argon2id"
    assert decoded["memory_cost"] >= 19 * 1024
    assert decoded["time_cost"] >= 2
    assert decoded["parallelism"] >= 1


@pytest.mark.parametrize(
    "old_hasher", [Argon2PasswordHasher, PBKDF2PasswordHasher], ids=["django-argon2", "pbkdf2"]
)
def test_existing_hashes_keep_verifying(production_hashers, old_hasher):
    encoded = old_hasher().encode(PASSWORD, old_hasher().salt())
    assert check_password(PASSWORD, encoded)
    assert not check_password("wrong", encoded)


def test_a_django_default_argon2_hash_is_marked_for_update():
    encoded = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    assert TesseraArgon2PasswordHasher().must_update(encoded)
    ours = TesseraArgon2PasswordHasher().encode(PASSWORD, TesseraArgon2PasswordHasher().salt())
    assert not TesseraArgon2PasswordHasher().must_update(ours)


def test_a_hash_from_argon2_cffi_defaults_verifies(production_hashers):
    # Hashes written by other tools (argon2-cffi's own defaults) keep working too.
    encoded = "argon2" + PasswordHasher(type=Type.ID).hash(PASSWORD)
    assert check_password(PASSWORD, encoded)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "old_hasher", [Argon2PasswordHasher, PBKDF2PasswordHasher], ids=["django-argon2", "pbkdf2"]
)
def test_console_sign_in_upgrades_an_old_hash(client, production_hashers, user_factory, old_hasher):
    user = user_factory(email="old@example.com")
    user.password = old_hasher().encode(PASSWORD, old_hasher().salt())
    user.save(update_fields=["password"])
    response = client.post(
        reverse("console:login"), {"email": "old@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    decoded = _parameters(user.password)
    assert (decoded["algorithm"], decoded["variety"]) == ("argon2", "argon2id")
    assert (decoded["memory_cost"], decoded["time_cost"], decoded["parallelism"]) == (
        19 * 1024,
        2,
        1,
    )
    assert check_password(PASSWORD, user.password)
