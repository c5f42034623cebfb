"""A change saved in one process applies on the very next login served by another."""

import base64
import re
from html import unescape

import pytest
import requests
from django.db import connection

from portal.testing.processes import portal_server
from sso_apps.services import saml_configs
from sso_apps.services.key_pairs import key_pair_generate
from sso_apps.services.saml_configs import AcsUrlInput

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: a second process cannot see SQLite's in-memory test database",
)


def _idp_initiated(base_url, application, email, password, browser=None) -> str:
    """Sign in through the other process's console and launch the app; return the XML."""
    browser = browser or requests.Session()
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


@pytest.mark.django_db(transaction=True)
def test_a_session_signed_in_by_another_process_is_ended_by_this_ones_slo(
    client, saml_app, member, password
):
    """The SP session is recorded in the database, so any worker can answer Single Logout."""
    from django.test import Client

    from sso_apps.saml.keys import generate_key_pair
    from sso_apps.tests.idp.flows import onelogin_sp
    from sso_apps.tests.idp.sp_harness import path_and_query

    sp_keys = generate_key_pair(common_name="sp.example.com")
    saml_configs.saml_config_update(
        application=saml_app,
        changes=saml_configs.SamlConfigInput(sp_certificate=sp_keys.certificate_pem),
    )
    saml_app.refresh_from_db()
    with portal_server() as base_url:
        browser = requests.Session()
        xml = _idp_initiated(base_url, saml_app, member.email, password, browser=browser)
        session_index = re.search(r'SessionIndex="([^"]+)"', xml)[1]
        home = f"{base_url}/userconsole/"
        assert browser.get(home, allow_redirects=False, timeout=10).status_code == 200

        sp = onelogin_sp(
            client,
            saml_app,
            sign_requests=True,
            sp_certificate_pem=sp_keys.certificate_pem,
            sp_private_key_pem=sp_keys.private_key_pem,
        )
        url = sp.logout_url(name_id=member.email, session_index=session_index)
        assert Client().get(path_and_query(url)).status_code == 302  # served by this process

        assert browser.get(home, allow_redirects=False, timeout=10).status_code == 302
