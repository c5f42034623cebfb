"""Send messages to an app's SAML endpoints and check that an attack got nothing."""

import base64

from django.urls import reverse
from lxml import etree

from sso_apps.models import AuditEvent
from sso_apps.tests.security.attacks import SAML, redirect_query

ENDPOINT_ACTIONS = {"sso": "sso.request", "slo": "sso.logout"}


def endpoint_path(application, endpoint: str) -> str:
    return reverse(f"saml:{endpoint}", args=[application.idp_suffix])


def post_message(client, application, endpoint: str, xml: bytes, **fields):
    data = {"SAMLRequest": base64.b64encode(xml).decode(), **fields}
    return client.post(endpoint_path(application, endpoint), data)


def get_query(client, application, endpoint: str, query: str):
    return client.get(f"{endpoint_path(application, endpoint)}?{query}")


def send(client, application, *, endpoint: str, binding: str, xml: bytes):
    """Send an unsigned-at-the-binding-level message over the given binding."""
    if binding == "post":
        return post_message(client, application, endpoint, xml)
    return get_query(client, application, endpoint, redirect_query(xml))


def audit_watermark() -> int:
    """Return the newest audit event's pk, so a test can look only at what came after."""
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    return last or 0


def assert_nothing_sent(response) -> None:
    """No SAML Response (or LogoutResponse) in the page or in a redirect."""
    text = response.content.decode(errors="replace")
    # The field and the query parameter, not the word: refusal pages may name the parameter.
    assert 'name="SAMLResponse"' not in text
    assert 'id="saml-post-form"' not in text
    assert "SAMLResponse=" not in response.get("Location", "")


def assert_refused(response, application, *, action: str, since: int) -> None:
    """Assert a 4xx, nothing sent, and a failure/denied audit event for this app."""
    assert 400 <= response.status_code < 500, (response.status_code, response.get("Location"))
    assert_nothing_sent(response)
    events = AuditEvent.objects.filter(pk__gt=since, application_id=application.pk)
    refusals = events.filter(
        action=action, outcome__in=[AuditEvent.Outcome.FAILURE, AuditEvent.Outcome.DENIED]
    )
    assert refusals.exists(), list(events.values_list("action", "outcome", "reason"))
    assert not events.filter(
        outcome=AuditEvent.Outcome.SUCCESS, action__in=["sso.login", "sso.logout"]
    ).exists()


def session_index_of(saml_response_b64: str) -> str:
    """Return the SessionIndex of an (unencrypted) Response's AuthnStatement."""
    root = etree.fromstring(base64.b64decode(saml_response_b64))
    statement = root.find(f".//{{{SAML}}}AuthnStatement")
    return statement.get("SessionIndex")
