"""Preview assertion: the Assertion a user would get, built by the sign-in code, sent nowhere."""

import pytest
from django.test import Client
from django.urls import reverse
from djangosaml2idp.models import PersistentId
from lxml import etree

from sso_apps.idp.preview import PERSISTENT_ID_PENDING, assertion_preview
from sso_apps.models import AuditEvent, SeenSamlRequest, SpSession
from sso_apps.saml.constants import ASSERTION_NS
from sso_apps.services import applications as app_services
from sso_apps.tests.admin.helpers import app_url
from sso_apps.tests.idp.flows import onelogin_sp, response_fields
from sso_apps.tests.idp.sp_harness import SP_ACS_URL, SP_ENTITY_ID


@pytest.fixture
def admin_request(rf, administrator):
    request = rf.get("/admin/")
    request.user = administrator
    return request


def _real_login(application, user):
    """Sign the user in through an IdP-initiated launch; return python3-saml's verdict."""
    client = Client()
    client.force_login(user)
    fields = response_fields(client.post(reverse("saml:init", args=[application.idp_suffix])))
    auth = onelogin_sp(client, application).acs(fields, None)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    return auth


@pytest.mark.django_db
@pytest.mark.parametrize("nameid_format", ["emailAddress", "unspecified", "persistent"])
def test_preview_says_what_a_real_login_sends(
    saml_app_factory, admin_request, group_factory, nameid_format
):
    application = saml_app_factory(
        nameid_format=nameid_format,
        include_group_attribute=True,
        group_attribute_name="memberOf",
    )
    user = application.authorized_groups.get().members.get()
    group_factory(name="Zeta", members=[user])
    auth = _real_login(application, user)

    preview = assertion_preview(request=admin_request, application=application, user=user)

    assert preview.would_sign_in, preview.denial_reasons
    view = preview.assertion
    assert view.name_id == auth.get_nameid()
    assert view.name_id_format == auth.get_nameid_format()
    assert {name: list(values) for name, values in view.attributes} == auth.get_attributes()
    assert auth.get_attributes()["memberOf"] == ["Pilots", "Zeta"]
    assert view.audiences == (SP_ENTITY_ID,)
    assert view.recipient == SP_ACS_URL
    assert view.issuer == application.saml.idp_entity_id
    assert view.authn_context_class_ref.endswith("PasswordProtectedTransport")
    assert view.not_before and view.not_on_or_after and view.session_index
    assert not preview.persistent_id_pending


@pytest.mark.django_db
def test_preview_records_only_its_audit_event_and_creates_no_persistent_id(
    saml_app_factory, admin_request
):
    application = saml_app_factory(nameid_format="persistent")
    user = application.authorized_groups.get().members.get()
    events_before = set(AuditEvent.objects.values_list("pk", flat=True))

    preview = assertion_preview(request=admin_request, application=application, user=user)

    assert preview.persistent_id_pending
    assert preview.assertion.name_id == PERSISTENT_ID_PENDING
    assert not PersistentId.objects.exists()
    assert not SpSession.objects.exists()
    assert not SeenSamlRequest.objects.exists()
    new = AuditEvent.objects.exclude(pk__in=events_before)
    assert list(new.values_list("action", "actor", "target_id", "application")) == [
        ("sso.preview", admin_request.user.pk, str(user.pk), application.pk)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sign_response", "sign_assertion", "encrypt"), [(True, True, False), (False, True, True)]
)
def test_preview_shows_an_unsigned_assertion_and_no_response(
    saml_app_factory, admin_request, sign_response, sign_assertion, encrypt
):
    from sso_apps.saml.keys import generate_key_pair

    sp_keys = generate_key_pair(common_name="sp.example.com")
    application = saml_app_factory(
        sign_response=sign_response,
        sign_assertion=sign_assertion,
        encrypt_assertions=encrypt,
        sp_certificate=sp_keys.certificate_pem,
    )
    user = application.authorized_groups.get().members.get()

    preview = assertion_preview(request=admin_request, application=application, user=user)

    xml = preview.assertion.xml
    assert etree.fromstring(xml).tag == f"{{{ASSERTION_NS}}}Assertion"
    assert "Signature" not in xml
    assert "EncryptedAssertion" not in xml
    assert preview.sign_assertion is sign_assertion and preview.encrypted is encrypt
    # The stored settings are untouched by the in-memory unsigned copy.
    application.saml.refresh_from_db()
    assert application.saml.sign_assertion is sign_assertion
    assert application.saml.encrypt_assertions is encrypt


def _deactivated(application, user):
    app_services.application_sso_deactivate(application=application)
    application.refresh_from_db()


def _suspended(application, user):
    user.state = user.State.SUSPENDED
    user.save()


def _staged(application, user):
    user.state = user.State.STAGED
    user.save()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_deactivated, "SSO is inactive for this application"),
        (_suspended, "The user is suspended"),
        (_staged, "The user is staged"),
    ],
)
def test_preview_explains_each_denial(saml_app_factory, admin_request, change, expected):
    application = saml_app_factory()
    user = application.authorized_groups.get().members.get()
    change(application, user)

    preview = assertion_preview(request=admin_request, application=application, user=user)

    assert not preview.would_sign_in
    assert [reason for reason in preview.denial_reasons if expected in reason], (
        preview.denial_reasons
    )
    assert len(preview.denial_reasons) == 1
    # Still shows what would be sent once access is granted.
    assert preview.assertion.name_id == user.email


@pytest.mark.django_db
def test_preview_names_the_authorised_groups_and_the_users_groups(
    saml_app_factory, admin_request, user_factory, group_factory
):
    application = saml_app_factory()
    outsider = user_factory(email="bob@example.com")
    group_factory(name="Sales", members=[outsider])
    group_factory(name="Ops", members=[outsider])

    preview = assertion_preview(request=admin_request, application=application, user=outsider)

    assert preview.denial_reasons == [
        "No group authorised for this application includes the user. "
        "Authorised groups: Pilots. The user's groups: Ops, Sales."
    ]


@pytest.mark.django_db
def test_preview_explains_a_missing_nameid_source_value(saml_app_factory, admin_request):
    application = saml_app_factory(nameid_format="unspecified", nameid_source="employee_id")
    user = application.authorized_groups.get().members.get()
    assert user.employee_id == ""

    preview = assertion_preview(request=admin_request, application=application, user=user)

    assert not preview.would_sign_in
    assert preview.denial_reasons == []
    assert "has no employee id" in preview.problem
    assert preview.assertion is None


# --- the admin page


def _preview_url(application, **query):
    from urllib.parse import urlencode

    return app_url("preview", application) + ("?" + urlencode(query) if query else "")


@pytest.mark.django_db
def test_sso_tab_links_to_the_preview(admin_client, saml_app):
    page = admin_client.get(app_url("sso", saml_app))
    assert f'href="{app_url("preview", saml_app)}"' in page.text
    assert "Preview assertion" in page.text


@pytest.mark.django_db
def test_read_only_admin_previews_by_searching_an_email(client, admin_factory, saml_app):
    client.force_login(admin_factory("read_only"))

    page = client.get(_preview_url(saml_app, q="ada@example.com"))

    assert page.status_code == 200
    assert '<code id="preview-nameid">ada@example.com</code>' in page.text
    assert "Would sign in" in page.text
    assert "PRIVATE KEY" not in page.text
    assert "SignatureValue" not in page.text and "SAMLResponse" not in page.text
    assert AuditEvent.objects.filter(action="sso.preview").count() == 1


@pytest.mark.django_db
def test_a_search_with_several_matches_lists_them_to_pick(admin_client, saml_app, user_factory):
    other = user_factory(email="adam@example.com")

    page = admin_client.get(_preview_url(saml_app, q="ada"))

    assert "2 users match" in page.text
    assert f"user={other.pk}" in page.text
    assert 'id="preview-nameid"' not in page.text
    assert not AuditEvent.objects.filter(action="sso.preview").exists()
    picked = admin_client.get(_preview_url(saml_app, q="ada", user=other.pk))
    assert "No group authorised for this application includes the user" in picked.text


@pytest.mark.django_db
def test_end_user_is_refused_the_preview(client, saml_app):
    client.force_login(saml_app.authorized_groups.get().members.get())

    response = client.get(_preview_url(saml_app, q="ada@example.com"))

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="sso.preview").exists()


@pytest.mark.django_db
def test_preview_explains_an_email_nameid_whose_source_is_not_an_email(
    saml_app_factory, admin_request
):
    application = saml_app_factory(nameid_format="emailAddress", nameid_source="username")
    user = application.authorized_groups.get().members.get()
    assert "@" not in user.username

    preview = assertion_preview(request=admin_request, application=application, user=user)

    assert not preview.would_sign_in
    assert "is not an email address" in preview.problem


@pytest.mark.django_db
def test_a_login_with_an_email_nameid_that_is_not_an_email_is_refused_not_a_500(
    saml_app_factory,
):
    application = saml_app_factory(nameid_format="emailAddress", nameid_source="username")
    client = Client(raise_request_exception=False)
    client.force_login(application.authorized_groups.get().members.get())

    response = client.post(reverse("saml:init", args=[application.idp_suffix]))

    assert response.status_code == 409
    assert "is not an email address" in response.text
    assert 'id="saml-post-form"' not in response.text


@pytest.mark.django_db
def test_assertion_view_strips_the_signature_of_a_signed_response(saml_app):
    from sso_apps.idp.authn import authn_response_create
    from sso_apps.idp.processors import TesseraProcessor
    from sso_apps.idp.runtime import runtimes
    from sso_apps.saml.assertion_view import assertion_view

    user = saml_app.authorized_groups.get().members.get()
    runtime = runtimes.get(saml_app)
    issued = authn_response_create(
        application=saml_app,
        runtime=runtime,
        processor=TesseraProcessor(saml_app.saml.sp_entity_id, application=saml_app),
        user=user,
        in_response_to=None,
        acs_url=SP_ACS_URL,
    )
    assert issued.xml.count("SignatureValue") >= 2  # signed Response and Assertion

    view = assertion_view(issued.xml)

    assert "Signature" not in view.xml
    assert view.name_id == user.email
    assert view.session_index == issued.session_index
