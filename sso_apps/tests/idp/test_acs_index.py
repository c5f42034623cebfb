"""AssertionConsumerServiceIndex: an SP names its ACS by the index from its metadata.

The AuthnRequests come from pysaml2's Saml2Client (python3-saml cannot send an index),
signed over the Redirect binding, and its Response is judged by the same client.
"""

import base64
import datetime
import uuid
import zlib
from urllib.parse import quote

import pytest
from django.urls import reverse
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT

from sso_apps.models import AuditEvent
from sso_apps.saml.keys import generate_key_pair
from sso_apps.services import saml_configs
from sso_apps.services.saml_configs import AcsUrlInput
from sso_apps.tests.idp.flows import response_fields, sso_redirect
from sso_apps.tests.idp.sp_harness import (
    PYSAML2_ACS_URL,
    PYSAML2_SP_ENTITY_ID,
    pysaml2_client,
)

SECOND_ACS_URL = "https://pysaml2-sp.example.com/acs/second"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"


@pytest.fixture
def sp_keys(tmp_path):
    pair = generate_key_pair(common_name="pysaml2-sp.example.com")
    key_file, cert_file = tmp_path / "sp.key", tmp_path / "sp.pem"
    key_file.write_text(pair.private_key_pem)
    cert_file.write_text(pair.certificate_pem)
    return str(key_file), str(cert_file), pair.certificate_pem


@pytest.fixture
def indexed_app(saml_app, sp_keys):
    """An app whose SP has two ACS URLs, numbered 3 (the default) and 7, and signs requests."""
    saml_configs.saml_config_update(
        application=saml_app,
        changes=saml_configs.SamlConfigInput(
            sp_entity_id=PYSAML2_SP_ENTITY_ID,
            sp_certificate=sp_keys[2],
            require_signed_requests=True,
        ),
        acs_urls=[
            AcsUrlInput(url=PYSAML2_ACS_URL, is_default=True, index=3),
            AcsUrlInput(url=SECOND_ACS_URL, index=7),
        ],
    )
    saml_app.refresh_from_db()
    return saml_app


def _sp(client, application, sp_keys):
    metadata = client.get(reverse("saml:metadata", args=[application.idp_suffix])).text
    return pysaml2_client(
        metadata,
        key_file=sp_keys[0],
        cert_file=sp_keys[1],
        acs_urls=(PYSAML2_ACS_URL, SECOND_ACS_URL),
    )


def _signed_login(client, application, sp, **request_options):
    request_id, info = sp.prepare_for_authenticate(
        entityid=application.saml.idp_entity_id,
        relay_state="/after",
        binding=BINDING_HTTP_REDIRECT,
        sign=True,
        sigalg=RSA_SHA256,
        digest_alg=SHA256,
        **request_options,
    )
    location = dict(info["headers"])["Location"]
    return request_id, sso_redirect(client, location)


@pytest.mark.django_db
@pytest.mark.parametrize(("index", "expected"), [("7", SECOND_ACS_URL), ("3", PYSAML2_ACS_URL)])
def test_signed_request_naming_an_index_gets_the_response_at_that_url(
    client, indexed_app, member, sp_keys, index, expected
):
    client.force_login(member)
    sp = _sp(client, indexed_app, sp_keys)

    request_id, page = _signed_login(
        client, indexed_app, sp, assertion_consumer_service_index=index
    )

    fields = response_fields(page)
    assert fields["action"] == expected
    result = sp.parse_authn_request_response(
        fields["SAMLResponse"], BINDING_HTTP_POST, outstanding={request_id: "/after"}
    )
    assert result.name_id.text == "ada@example.com"
    assert result.response.destination == expected


@pytest.mark.django_db
def test_unknown_index_gets_a_400_page_an_audit_event_and_no_response(
    client, indexed_app, member, sp_keys
):
    client.force_login(member)
    sp = _sp(client, indexed_app, sp_keys)

    _request_id, page = _signed_login(client, indexed_app, sp, assertion_consumer_service_index="4")

    assert page.status_code == 400
    assert "SAMLResponse" not in page.text
    assert "AssertionConsumerServiceIndex 4 is not registered" in page.text
    event = AuditEvent.objects.filter(action="sso.request").latest("pk")
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert "AssertionConsumerServiceIndex 4" in event.reason


def _unsigned_request_path(application, attributes: str) -> str:
    issued = datetime.datetime.now(datetime.UTC)
    xml = (
        "<samlp:AuthnRequest xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol' "
        "xmlns:saml='urn:oasis:names:tc:SAML:2.0:assertion' "
        f"ID='_{uuid.uuid4().hex}' Version='2.0' IssueInstant='{issued:%Y-%m-%dT%H:%M:%SZ}' "
        f"Destination='{application.idp_sso_url}' {attributes}>"
        f"<saml:Issuer>{PYSAML2_SP_ENTITY_ID}</saml:Issuer></samlp:AuthnRequest>"
    )
    encoded = quote(base64.b64encode(zlib.compress(xml.encode())[2:-4]).decode(), safe="")
    return f"{reverse('saml:sso', args=[application.idp_suffix])}?SAMLRequest={encoded}"


@pytest.fixture
def unsigned_indexed_app(indexed_app):
    saml_configs.saml_config_update(
        application=indexed_app,
        changes=saml_configs.SamlConfigInput(require_signed_requests=False),
    )
    indexed_app.refresh_from_db()
    return indexed_app


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("attributes", "reason"),
    [
        (
            f"AssertionConsumerServiceURL='{PYSAML2_ACS_URL}' AssertionConsumerServiceIndex='3'",
            "names both an AssertionConsumerServiceURL and an AssertionConsumerServiceIndex",
        ),
        ("AssertionConsumerServiceIndex='-1'", "is not a number from 0 to 65535"),
        ("AssertionConsumerServiceIndex='65536'", "is not a number from 0 to 65535"),
        ("AssertionConsumerServiceIndex='３'", "is not a number from 0 to 65535"),
    ],
)
def test_url_and_index_together_or_a_malformed_index_is_refused(
    client, unsigned_indexed_app, member, attributes, reason
):
    client.force_login(member)

    page = client.get(_unsigned_request_path(unsigned_indexed_app, attributes))

    assert page.status_code == 400
    assert "SAMLResponse" not in page.text
    event = AuditEvent.objects.filter(action="sso.request").latest("pk")
    assert reason in event.reason


@pytest.mark.django_db
def test_no_index_and_no_url_goes_to_the_default(client, unsigned_indexed_app, member):
    client.force_login(member)

    page = sso_redirect(client, _unsigned_request_path(unsigned_indexed_app, ""))

    assert response_fields(page)["action"] == PYSAML2_ACS_URL


@pytest.mark.django_db
def test_an_index_the_admin_changed_takes_effect_on_the_next_request(
    client, unsigned_indexed_app, member
):
    client.force_login(member)
    saml_configs.saml_config_update(
        application=unsigned_indexed_app,
        acs_urls=[
            AcsUrlInput(url=PYSAML2_ACS_URL, is_default=True, index=3),
            AcsUrlInput(url=SECOND_ACS_URL, index=9),
        ],
    )

    old = client.get(
        _unsigned_request_path(unsigned_indexed_app, "AssertionConsumerServiceIndex='7'")
    )
    new = sso_redirect(
        client, _unsigned_request_path(unsigned_indexed_app, "AssertionConsumerServiceIndex='9'")
    )

    assert old.status_code == 400
    assert response_fields(new)["action"] == SECOND_ACS_URL
