"""The attack suite drives the IdP like its own tests do: reuse their app fixtures."""

from sso_apps.tests.idp.conftest import (  # noqa: F401
    _fresh_runtimes,
    member,
    saml_app,
    saml_app_factory,
    saml_connector,
)
