"""Fixtures for the selector tests."""

import pytest

from sso_apps.tests.admin.conftest import _key_pool


@pytest.fixture(autouse=True)
def _reused_key_pairs(monkeypatch):
    """Hand out a pooled key pair instead of generating an RSA key per app."""
    monkeypatch.setattr(
        "sso_apps.services.key_pairs.generate_key_pair", lambda **kwargs: _key_pool(2048)[0]
    )
