"""Fixtures shared by every app's tests: factories, never ready-made rows."""

import pytest

from accounts.tests.factories import (
    DEFAULT_PASSWORD,
    ROLES,
    UserFactory,
    UserGroupFactory,
    admin_with_role,
)


@pytest.fixture
def password():
    return DEFAULT_PASSWORD


@pytest.fixture
def user_factory(db):
    return UserFactory


@pytest.fixture
def group_factory(db):
    return UserGroupFactory


@pytest.fixture
def admin_factory(db):
    """Return a function making a staff user with the "administrator" or "read_only" role."""

    def make(role: str = "administrator", **kwargs):
        return admin_with_role(ROLES[role], **kwargs)

    return make


@pytest.fixture
def administrator(admin_factory):
    return admin_factory("administrator", email="root.admin@example.com")


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def read_only_client(client, admin_factory):
    client.force_login(admin_factory("read_only", email="reader@example.com"))
    return client


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Start each test with an empty cache so throttling and replay state never leak."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
