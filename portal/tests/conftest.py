"""The IdP fixtures, for the site-wide tests that need an active SAML app and its member."""

from sso_apps.tests.idp.conftest import (  # noqa: F401  (fixtures, found by pytest by name)
    _fresh_runtimes,
    member,
    saml_app,
    saml_app_factory,
    saml_connector,
)
