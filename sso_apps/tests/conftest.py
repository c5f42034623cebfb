"""Fixtures for every sso_apps test: factories, never ready-made rows."""

import pytest

from sso_apps.tests.factories import ApplicationFactory, ConnectorTemplateFactory


@pytest.fixture
def connector_factory(db):
    return ConnectorTemplateFactory


@pytest.fixture
def application_factory(db):
    return ApplicationFactory


@pytest.fixture
def metadata_https_server(tmp_path):
    """Return a local HTTPS server (certificate from its own CA, file in .ca_file)."""
    from sso_apps.tests.metadata_server import serve, tls_files

    state, stop = serve(tls=tls_files(tmp_path / "tls"))
    yield state
    stop()


@pytest.fixture
def metadata_http_server():
    """Return a local plain-HTTP server, for the cases that must refuse http://."""
    from sso_apps.tests.metadata_server import serve

    state, stop = serve(tls=None)
    yield state
    stop()


@pytest.fixture
def untrusted_https_server(tmp_path):
    """Return a local HTTPS server whose certificate comes from a CA nobody trusts."""
    from sso_apps.tests.metadata_server import serve, tls_files

    state, stop = serve(tls=tls_files(tmp_path / "rogue", label="rogue"))
    yield state
    stop()
