"""Fixtures for the User Console tests."""

import pytest


@pytest.fixture
def member(user_factory, group_factory):
    user = user_factory(email="tiles@example.com")
    group_factory(name="Tile group", members=[user])
    return user
