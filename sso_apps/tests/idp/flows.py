"""Browser-like steps through the IdP with Django's test client, shared by the IdP tests."""

from django.urls import reverse

from sso_apps.tests.idp.sp_harness import OneLoginSp, path_and_query, posted_form


def onelogin_sp(client, application, **options) -> OneLoginSp:
    """Return a python3-saml SP configured from the app's IdP metadata URL."""
    metadata = client.get(reverse("saml:metadata", args=[application.idp_suffix]))
    assert metadata.status_code == 200
    return OneLoginSp(idp_metadata_xml=metadata.content.decode(), **options)


def sso_redirect(client, url: str):
    """Send a Redirect-binding request; follow to the POST form. Return the last response."""
    response = client.get(path_and_query(url))
    if response.status_code != 302:
        return response
    return client.get(response["Location"])


def sso_post(client, application, data: dict):
    response = client.post(reverse("saml:sso", args=[application.idp_suffix]), data)
    if response.status_code != 302:
        return response
    return client.get(response["Location"])


def answered(page) -> bool:
    """Return whether the page posts a SAML Response: the AuthnRequest was accepted and answered."""
    return page.status_code == 200 and 'name="SAMLResponse"' in page.text


def response_fields(page) -> dict:
    assert page.status_code == 200, page.text[:500]
    action, fields = posted_form(page.text)
    return {"action": action, **fields}


def slo_confirm(client, page, application):
    """Confirm the sign-out an unsigned LogoutRequest asked for; return the IdP's answer."""
    assert page.status_code == 200, page.text[:500]
    confirm_url = reverse("saml:slo-confirm", args=[application.idp_suffix])
    assert f'action="{confirm_url}"' in page.text
    return client.post(confirm_url)
