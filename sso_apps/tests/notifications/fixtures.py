"""Fixtures shared by the notification, task and integration tests (imported by their conftest)."""

import pytest

from sso_apps.tests.notifications.helpers import fast_key_pairs


@pytest.fixture(autouse=True)
def _fast_key_pairs():
    with fast_key_pairs():
        yield


@pytest.fixture
def second_administrator(admin_factory):
    return admin_factory("administrator", email="second.admin@example.com")


@pytest.fixture
def reader(admin_factory):
    return admin_factory("read_only", email="reader@example.com")


@pytest.fixture
def admin_request(rf, administrator):
    """A request made by the administrator, as a view would pass it to a service."""
    request = rf.post("/admin/", REMOTE_ADDR="203.0.113.9")
    request.user = administrator
    return request
