"""A change saved in one process applies on the very next login served by another."""

import base64
import re
from html import unescape

import pytest
import requests
from django.db import connection

from portal.testing.processes import portal_server
from sso_apps.services import saml_configs
from sso_apps.services.certificates import key_pair_generate
from sso_apps.services.saml_configs import AcsUrlInput

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: a second process cannot see SQLite's in-memory test database",
)


def _idp_initiated(base_url, application, email, password) -> str:
    """Sign in through the other process's console and launch the app; return the XML."""
    browser = requests.Session()
    login = browser.get(f"{base_url}/userconsole/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)[1]
    browser.post(
        f"{base_url}/userconsole/login/",
        data={"email": email, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base_url}/userconsole/login/"},
        timeout=10,
    )
    launch = browser.get(f"{base_url}/saml2/{application.idp_suffix}/init", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', launch.text)[1]
    page = browser.post(
        f"{base_url}/saml2/{application.idp_suffix}/init",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": launch.url},
        timeout=10,
    )
    assert page.status_code == 200, page.text[:500]
    value = re.search(r'name="SAMLResponse" value="([^"]+)"', page.text)[1]
    return base64.b64decode(unescape(value)).decode()


@pytest.mark.django_db(transaction=True)
def test_saved_change_applies_in_another_process_without_restart(saml_app, member, password):
    with portal_server() as base_url:
        first = _idp_initiated(base_url, saml_app, member.email, password)
        assert 'Destination="https://sp.example.com/acs"' in first
        old_certificate = saml_app.key_pairs.get(status="active").certificate_pem

        # Saved here, in the test process, while the other process has its runtime cached.
        saml_configs.saml_config_update(
            application=saml_app,
            acs_urls=[AcsUrlInput(url="https://sp.example.com/acs-v2", is_default=True)],
        )
        new_pair = key_pair_generate(application=saml_app)

        second = _idp_initiated(base_url, saml_app, member.email, password)
        assert 'Destination="https://sp.example.com/acs-v2"' in second
        body = lambda pem: "".join(pem.strip().splitlines()[1:-1])  # noqa: E731
        assert body(new_pair.certificate_pem) in second
        assert body(old_certificate) not in second
