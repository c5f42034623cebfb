import pytest
from django.urls import reverse

from sso_apps.models import AuditEvent
from sso_apps.tests.idp.sp_harness import OneLoginSp, path_and_query, posted_form


def _sp(client, application, **options):
    metadata = client.get(reverse("saml:metadata", args=[application.idp_suffix]))
    assert metadata.status_code == 200
    return OneLoginSp(idp_metadata_xml=metadata.content.decode(), **options)


@pytest.mark.django_db
def test_sp_initiated_redirect_login_is_accepted_by_python3_saml(client, saml_app, member, password):
    sp = _sp(client, saml_app)
    url, request_id = sp.login_url()
    response = client.get(path_and_query(url))
    assert response.status_code == 302
    continue_url = response["Location"]
    # Not signed in yet: the console sign-in keeps the pending request and comes back.
    response = client.get(continue_url)
    assert response.status_code == 302 and "/userconsole/login/" in response["Location"]
    response = client.post(
        response["Location"], {"email": member.email, "password": password}
    )
    assert response["Location"] == continue_url
    page = client.get(continue_url)
    assert page.status_code == 200
    action, fields = posted_form(page.text)
    assert action == "https://sp.example.com/acs"
    auth = sp.acs(fields, request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.is_authenticated()
    assert auth.get_nameid() == "ada@example.com"
    assert auth.get_attributes() == {
        "Email": ["ada@example.com"],
        "FirstName": ["Ada"],
        "plan": ["enterprise"],
    }
    assert fields["RelayState"] == "https://sp.example.com/home"
    assert AuditEvent.objects.filter(action="sso.login", outcome="success").count() == 1
