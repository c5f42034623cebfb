import uuid

import pytest
from django.urls import reverse

from sso_apps.models import AuditEvent
from sso_apps.saml.constants import (
    DATA_ENCRYPTION_URIS,
    KEY_TRANSPORT,
    NAMEID_FORMAT_URIS,
    NAMEID_PERSISTENT,
    NAMEID_TRANSIENT,
)
from sso_apps.saml.keys import generate_key_pair
from sso_apps.tests.idp.flows import onelogin_sp, response_fields, sso_post, sso_redirect
from sso_apps.tests.idp.sp_harness import SP_ACS_URL, path_and_query, posted_form

EXPECTED_ATTRIBUTES = {"Email": ["ada@example.com"], "FirstName": ["Ada"], "plan": ["enterprise"]}


@pytest.fixture
def sp_keys():
    return generate_key_pair(common_name="sp.example.com")


@pytest.mark.django_db
def test_user_not_signed_in_goes_through_console_sign_in_and_back(
    client, saml_app, member, password
):
    sp = onelogin_sp(client, saml_app)
    url, request_id = sp.login_url()
    response = client.get(path_and_query(url))
    assert response.status_code == 302
    continue_url = response["Location"]
    response = client.get(continue_url)
    assert response.status_code == 302 and "/userconsole/login/" in response["Location"]
    response = client.post(response["Location"], {"email": member.email, "password": password})
    assert response["Location"] == continue_url
    page = client.get(continue_url)
    action, fields = posted_form(page.text)
    assert action == SP_ACS_URL
    auth = sp.acs(fields, request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.is_authenticated()
    assert auth.get_nameid() == "ada@example.com"
    assert auth.get_attributes() == EXPECTED_ATTRIBUTES
    assert fields["RelayState"] == "https://sp.example.com/home"
    event = AuditEvent.objects.get(action="sso.login", outcome="success")
    assert (event.actor_email, event.binding) == ("ada@example.com", "redirect")


@pytest.mark.django_db
@pytest.mark.parametrize("binding", ["redirect", "post"])
@pytest.mark.parametrize("signed", [False, True])
def test_sp_initiated_login_over_each_binding_signed_or_not(
    client, saml_app_factory, sp_keys, binding, signed
):
    options = {}
    if signed:
        options = {"require_signed_requests": True, "sp_certificate": sp_keys.certificate_pem}
    application = saml_app_factory(**options)
    client.force_login(application.authorized_groups.get().members.get())
    sp = onelogin_sp(
        client,
        application,
        sign_requests=signed,
        sp_certificate_pem=sp_keys.certificate_pem,
        sp_private_key_pem=sp_keys.private_key_pem,
    )
    if binding == "redirect":
        url, request_id = sp.login_url()
        page = sso_redirect(client, url)
    else:
        data, request_id = sp.post_authn_request()
        page = sso_post(client, application, data)
    fields = response_fields(page)
    auth = sp.acs(fields, request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.get_nameid() == "ada@example.com"
    assert auth.get_attributes() == EXPECTED_ATTRIBUTES


@pytest.mark.django_db
def test_unsigned_request_is_refused_when_the_app_requires_signatures(
    client, saml_app_factory, sp_keys
):
    application = saml_app_factory(
        require_signed_requests=True, sp_certificate=sp_keys.certificate_pem
    )
    client.force_login(application.authorized_groups.get().members.get())
    url, _ = onelogin_sp(client, application).login_url()
    response = client.get(path_and_query(url))
    assert response.status_code == 400
    assert "requires signed requests" in response.text
    assert AuditEvent.objects.filter(action="sso.request", outcome="failure").exists()


@pytest.mark.django_db
def test_idp_initiated_unsolicited_response_is_accepted(client, saml_app_factory):
    application = saml_app_factory(default_relay_state="https://sp.example.com/dashboard")
    client.force_login(application.authorized_groups.get().members.get())
    init = reverse("saml:init", args=[application.idp_suffix])
    launch = client.get(init)
    assert "Continue to Test SP" in launch.text
    fields = response_fields(client.post(init))
    assert fields["RelayState"] == "https://sp.example.com/dashboard"
    auth = onelogin_sp(client, application).acs(fields, None)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.is_authenticated()
    assert "InResponseTo" not in auth.get_last_response_xml()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sign_response", "sign_assertion"), [(True, False), (False, True), (True, True)]
)
def test_each_signing_choice_is_accepted_when_the_sp_wants_exactly_that(
    client, saml_app_factory, sign_response, sign_assertion
):
    application = saml_app_factory(sign_response=sign_response, sign_assertion=sign_assertion)
    client.force_login(application.authorized_groups.get().members.get())
    sp = onelogin_sp(
        client,
        application,
        want_messages_signed=sign_response,
        want_assertions_signed=sign_assertion,
    )
    url, request_id = sp.login_url()
    fields = response_fields(sso_redirect(client, url))
    auth = sp.acs(fields, request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    xml = auth.get_last_response_xml()
    assert xml.count("SignatureValue>") // 2 == int(sign_response) + int(sign_assertion)


@pytest.mark.django_db
def test_sp_wanting_a_signed_response_refuses_an_assertion_only_signature(client, saml_app_factory):
    application = saml_app_factory(sign_response=False, sign_assertion=True)
    client.force_login(application.authorized_groups.get().members.get())
    sp = onelogin_sp(client, application, want_messages_signed=True)
    url, request_id = sp.login_url()
    auth = sp.acs(response_fields(sso_redirect(client, url)), request_id)
    assert not auth.is_authenticated()


@pytest.mark.django_db
@pytest.mark.parametrize("data_encryption", list(DATA_ENCRYPTION_URIS))
def test_encrypted_assertion_is_decrypted_and_accepted(
    client, saml_app_factory, sp_keys, data_encryption
):
    application = saml_app_factory(
        encrypt_assertions=True,
        sp_certificate=sp_keys.certificate_pem,
        data_encryption=data_encryption,
    )
    client.force_login(application.authorized_groups.get().members.get())
    sp = onelogin_sp(
        client,
        application,
        want_assertions_encrypted=True,
        sp_certificate_pem=sp_keys.certificate_pem,
        sp_private_key_pem=sp_keys.private_key_pem,
    )
    url, request_id = sp.login_url()
    fields = response_fields(sso_redirect(client, url))
    auth = sp.acs(fields, request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.get_attributes() == EXPECTED_ATTRIBUTES
    import base64

    raw = base64.b64decode(fields["SAMLResponse"]).decode()
    assert "EncryptedAssertion" in raw and "ada@example.com" not in raw
    # The app's choice, and the one key transport, are what the SP was given.
    assert f'Algorithm="{DATA_ENCRYPTION_URIS[data_encryption]}"' in raw
    assert f'Algorithm="{KEY_TRANSPORT}"' in raw


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("nameid_format", "expected"),
    [("emailAddress", "ada@example.com"), ("unspecified", "ada@example.com")],
)
def test_nameid_uses_the_configured_format_and_source(
    client, saml_app_factory, nameid_format, expected
):
    application = saml_app_factory(nameid_format=nameid_format)
    client.force_login(application.authorized_groups.get().members.get())
    # The SP asks for the app's format, as one set up for it does (see NameIDPolicy).
    sp = onelogin_sp(client, application, requested_nameid_format=NAMEID_FORMAT_URIS[nameid_format])
    url, request_id = sp.login_url()
    auth = sp.acs(response_fields(sso_redirect(client, url)), request_id)
    assert auth.get_nameid() == expected
    assert auth.get_nameid_format().endswith(nameid_format)


@pytest.mark.django_db
def test_persistent_nameid_is_opaque_and_stable(client, saml_app_factory):
    application = saml_app_factory(nameid_format="persistent")
    client.force_login(application.authorized_groups.get().members.get())
    sp = onelogin_sp(client, application, requested_nameid_format=NAMEID_PERSISTENT)
    values = []
    for _ in range(2):
        url, request_id = sp.login_url()
        auth = sp.acs(response_fields(sso_redirect(client, url)), request_id)
        assert auth.get_errors() == [], auth.get_last_error_reason()
        values.append(auth.get_nameid())
    assert values[0] == values[1]
    # Opaque: a random UUID, never the email or username. (Checking for the substring
    # "ada" failed now and then: hex UUIDs can contain a, d and a.)
    user = application.authorized_groups.get().members.get()
    assert str(uuid.UUID(values[0])) == values[0]
    assert user.email not in values[0] and user.username not in values[0]


@pytest.mark.django_db
def test_transient_nameid_is_fresh_each_time(client, saml_app_factory):
    application = saml_app_factory(nameid_format="transient")
    client.force_login(application.authorized_groups.get().members.get())
    sp = onelogin_sp(client, application, requested_nameid_format=NAMEID_TRANSIENT)
    values = set()
    for _ in range(2):
        url, request_id = sp.login_url()
        auth = sp.acs(response_fields(sso_redirect(client, url)), request_id)
        assert auth.get_errors() == [], auth.get_last_error_reason()
        values.add(auth.get_nameid())
    assert len(values) == 2


@pytest.mark.django_db
def test_group_attribute_lists_the_users_groups(client, saml_app_factory, group_factory):
    application = saml_app_factory(include_group_attribute=True, group_attribute_name="memberOf")
    user = application.authorized_groups.get().members.get()
    group_factory(name="Zeta", members=[user])
    client.force_login(user)
    sp = onelogin_sp(client, application)
    url, request_id = sp.login_url()
    auth = sp.acs(response_fields(sso_redirect(client, url)), request_id)
    assert auth.get_attributes()["memberOf"] == ["Pilots", "Zeta"]
