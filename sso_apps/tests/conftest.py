"""Fixtures for every sso_apps test: factories, never ready-made rows."""

import pytest

from sso_apps.tests.factories import ApplicationFactory, ConnectorTemplateFactory


@pytest.fixture
def connector_factory(db):
    return ConnectorTemplateFactory


@pytest.fixture
def application_factory(db):
    return ApplicationFactory
