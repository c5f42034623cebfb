"""Fixtures for the attack suite: a signing SP, an app that requires its signatures, users."""

import pytest
from django.test import Client

from accounts.models import User
from sso_apps.tests.idp import conftest as idp_fixtures
from sso_apps.tests.idp.flows import response_fields
from sso_apps.tests.security.attacks import VICTIM, authn_request, key_pair, signed_redirect_query
from sso_apps.tests.security.endpoints import get_query, session_index_of

# The attack suite drives the same configured apps as the IdP tests.
_fresh_runtimes = idp_fixtures._fresh_runtimes
saml_connector = idp_fixtures.saml_connector
saml_app_factory = idp_fixtures.saml_app_factory
saml_app = idp_fixtures.saml_app
member = idp_fixtures.member


@pytest.fixture
def sp_keys():
    return key_pair("sp.example.com")


@pytest.fixture
def signed_app(saml_app_factory, sp_keys):
    """An active app that requires signed requests and holds the SP's certificate."""
    return saml_app_factory(require_signed_requests=True, sp_certificate=sp_keys.certificate_pem)


@pytest.fixture
def signed_member(signed_app):
    return User.objects.get(email="ada@example.com")


@pytest.fixture
def victim_client(signed_app, user_factory):
    """A browser signed in as another member of the app's group: SLO attacks target them."""
    victim = user_factory(email=VICTIM)
    signed_app.authorized_groups.get().members.add(victim)
    browser = Client()
    browser.force_login(victim)
    return browser


@pytest.fixture
def signed_in_via_sso(client, signed_app, signed_member, sp_keys):
    """Sign the member in to the app through a real signed AuthnRequest; return the SessionIndex."""
    client.force_login(signed_member)
    answer = get_query(
        client, signed_app, "sso", signed_redirect_query(authn_request(signed_app), sp_keys)
    )
    # A signed-in member is answered on the first request.
    fields = response_fields(answer)
    return session_index_of(fields["SAMLResponse"])
