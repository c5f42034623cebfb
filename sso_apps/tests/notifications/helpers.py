"""Local helpers for the notification, task and integration tests: applications, fast keys."""

import functools
import itertools
from unittest import mock

from sso_apps.models import Application, ConnectorTemplate
from sso_apps.saml.keys import generate_key_pair
from sso_apps.services.applications import application_create

_labels = itertools.count(1)


@functools.cache
def _one_key_pair(key_size: int, valid_days: int):
    return generate_key_pair(common_name="tests.tessera", key_size=key_size, valid_days=valid_days)


def fast_key_pairs():
    """Patch key generation to reuse one RSA key: creating an app then takes milliseconds."""

    def generate(*, common_name, key_size=2048, valid_days=1826):
        return _one_key_pair(key_size, valid_days)

    return mock.patch("sso_apps.services.key_pairs.generate_key_pair", side_effect=generate)


def connector_get(kind: str = "saml") -> ConnectorTemplate:
    """Return the test connector of this kind ("saml" or "bookmark"), creating it once."""
    connector, _created = ConnectorTemplate.objects.get_or_create(
        slug=f"test-{kind}",
        defaults={"name": f"Test {kind}", "type": kind, "category": "it_ops"},
    )
    return connector


def application_make(*, kind: str = "saml", label: str = "", **details) -> Application:
    """Create an application through the real service (SAML apps get a key pair)."""
    label = label or f"App {next(_labels)}"
    if kind == "bookmark":
        details.setdefault("bookmark_url", "https://intranet.example.com/")
    return application_create(connector=connector_get(kind), display_label=label, **details)


def applications_make(count: int, *, kind: str = "bookmark", prefix: str = "App") -> list:
    """Create `count` applications named "<prefix> 1".."<prefix> count"."""
    return [application_make(kind=kind, label=f"{prefix} {n}") for n in range(1, count + 1)]
