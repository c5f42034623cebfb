"""IdP private keys never leave the database: not in pages, logs, audit events or errors."""

import logging
import re

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from sso_apps.idp.runtime import runtimes
from sso_apps.models import AuditEvent, IdpKeyPair
from sso_apps.saml.keys import generate_key_pair
from sso_apps.services.key_pairs import key_pair_generate, key_pair_upload
from sso_apps.tests.admin.helpers import app_url
from sso_apps.tests.idp.conftest import (  # noqa: F401 (fixtures)
    _fresh_runtimes,
    saml_app_factory,
    saml_connector,
)
from sso_apps.tests.idp.flows import onelogin_sp, response_fields, sso_redirect
from sso_apps.tests.idp.sp_harness import path_and_query

SP_KEYS = generate_key_pair(common_name="sp.example.com")
UPLOADED = generate_key_pair(common_name="uploaded.idp.test")
STRANGER = generate_key_pair(common_name="stranger.idp.test")
# Chunks of the base64 body, matched against text with all whitespace removed, so a key
# re-wrapped, JSON-escaped or logged on one line is still found.
CHUNK = 48


@pytest.fixture
def application(saml_app_factory):  # noqa: F811
    """A signed-requests app with a generated, an uploaded and a regenerated key pair."""
    application = saml_app_factory(
        require_signed_requests=True, sp_certificate=SP_KEYS.certificate_pem
    )
    key_pair_upload(
        application=application,
        private_key_pem=UPLOADED.private_key_pem,
        certificate_pem=UPLOADED.certificate_pem,
    )
    key_pair_generate(application=application)
    application.refresh_from_db()
    assert application.key_pairs.count() == 3
    return application


def _body(pem: str) -> str:
    return "".join(pem.strip().splitlines()[1:-1])


def _markers() -> list[str]:
    """Return strings only a leaked private key, its stored token or its secret would leave."""
    markers = [django_settings.SSO_APPS_KEY_ENCRYPTION_SECRET]
    pairs = list(IdpKeyPair.objects.all())
    # The modulus is in the certificate too, and may encode the same way in both: only
    # chunks that no certificate holds are private.
    public = "".join(_body(pair.certificate_pem) for pair in pairs)
    for pem in [*(pair.private_key_pem for pair in pairs), UPLOADED.private_key_pem]:
        body = _body(pem)
        chunks = [body[start : start + CHUNK] for start in range(0, len(body) - CHUNK, CHUNK)]
        markers += [chunk for chunk in chunks if chunk not in public]
    for token in IdpKeyPair.objects.values_list("private_key_encrypted", flat=True):
        markers += [token[start : start + CHUNK] for start in range(0, len(token) - CHUNK, CHUNK)]
    return markers


def _leaks(text: str) -> list[str]:
    compact = re.sub(r"\s|\\n|\\r", "", text)
    return [marker[:16] + "..." for marker in _markers() if marker in compact]


WRITE_PAGES = ("regenerate", "deactivate", "delete")


def _admin_pages(application) -> list[tuple[str, bool]]:
    """Return (URL, whether it is a write confirmation) for every admin page of the app."""
    event = AuditEvent.objects.filter(application=application).first()
    assert event is not None
    return [
        (reverse("admin:sso_apps_application_changelist"), False),
        *(
            (app_url(page, application), page in WRITE_PAGES)
            for page in (
                "change",
                "sso",
                "groups",
                "certificate",
                "metadata",
                "created",
                "history",
                "regenerate",
                "deactivate",
                "delete",
            )
        ),
        # The assertion preview of a member: built with the app's keys, so it must show none.
        (app_url("preview", application) + "?q=ada@example.com", False),
        (reverse("admin:sso_apps_auditevent_changelist"), False),
        (reverse("admin:sso_apps_auditevent_change", args=[event.pk]), False),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["administrator", "read_only"])
def test_no_admin_page_of_an_app_shows_a_private_key(client, admin_factory, application, role):
    client.force_login(admin_factory(role))
    leaked = {}
    for url, writes in _admin_pages(application):
        response = client.get(url)
        # Read Only admins are refused the confirmation pages of writes; the 403 is checked too.
        assert response.status_code == (403 if writes and role == "read_only" else 200), url
        assert b"PRIVATE KEY" not in response.content, url
        leaked[url] = _leaks(response.content.decode())
    assert not any(leaked.values()), leaked


@pytest.mark.django_db
def test_a_refused_key_upload_does_not_echo_the_pasted_private_key(admin_client, application):
    response = admin_client.post(
        app_url("key_pair_upload", application),
        {"private_key": UPLOADED.private_key_pem, "certificate": STRANGER.certificate_pem},
    )

    assert response.status_code == 200
    assert "does not match" in response.text or "errorlist" in response.text
    assert "PRIVATE KEY" not in response.text
    assert not _leaks(response.text)


@pytest.fixture
def every_log(caplog):
    """Capture every logger at DEBUG, including those that set their own level."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _signed_sp(client, application, *, private_key_pem=SP_KEYS.private_key_pem):
    return onelogin_sp(
        client,
        application,
        sign_requests=True,
        sp_certificate_pem=SP_KEYS.certificate_pem,
        sp_private_key_pem=private_key_pem,
    )


@pytest.mark.django_db
def test_logs_and_audit_events_of_logins_failures_and_logout_hold_no_private_key(
    client, application, every_log
):
    member = application.authorized_groups.get().members.get()
    client.force_login(member)
    sp = _signed_sp(client, application)
    # A successful login...
    url, request_id = sp.login_url()
    auth = sp.acs(response_fields(sso_redirect(client, url)), request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    # ...a request signed with the wrong key...
    url, _ = _signed_sp(client, application, private_key_pem=STRANGER.private_key_pem).login_url()
    assert sso_redirect(client, url).status_code == 400
    # ...a request for an ACS URL the app does not have...
    sp.settings["sp"]["assertionConsumerService"]["url"] = "https://evil.example.com/acs"
    url, _ = sp.login_url()
    assert sso_redirect(client, url).status_code == 400
    sp.settings["sp"]["assertionConsumerService"]["url"] = "https://sp.example.com/acs"
    # ...and a signed Single Logout.
    logout = sp.logout_url(name_id=auth.get_nameid(), session_index=auth.get_session_index())
    assert client.get(path_and_query(logout)).status_code in (200, 302)

    assert AuditEvent.objects.filter(action="sso.login", outcome="success").exists()
    assert AuditEvent.objects.filter(action="sso.request", outcome="failure").count() >= 2
    assert AuditEvent.objects.filter(action="sso.logout").exists()
    assert every_log.records, "nothing was logged, so the log check would prove nothing"
    audit_rows = repr(list(AuditEvent.objects.values()))
    assert not _leaks(every_log.text), "a private key was logged"
    assert not _leaks(audit_rows), "a private key is in an audit event"


@pytest.mark.django_db
def test_an_undecryptable_key_fails_without_showing_or_logging_key_material(
    application, settings, every_log
):
    markers_before = [*_markers(), "a-secret-the-keys-were-never-encrypted-with"]
    settings.SSO_APPS_KEY_ENCRYPTION_SECRET = "a-secret-the-keys-were-never-encrypted-with"
    runtimes.clear()
    client = Client(raise_request_exception=False)
    client.force_login(application.authorized_groups.get().members.get())
    url, _ = _signed_sp(client, application).login_url()

    response = sso_redirect(client, url)

    # A server-side misconfiguration: a plain 500 page, and the operator's clear reason in the log.
    assert response.status_code == 500
    assert "SSO_APPS_KEY_ENCRYPTION_OLD_SECRETS" in every_log.text
    assert "Traceback" not in response.text
    assert 'id="saml-post-form"' not in response.text
    text = response.content.decode() + every_log.text + repr(list(AuditEvent.objects.values()))
    compact = re.sub(r"\s|\\n|\\r", "", text)
    assert [marker[:16] for marker in markers_before if marker in compact] == []


@pytest.mark.django_db
def test_the_leak_check_finds_a_key_however_it_is_wrapped(application):
    pem = application.key_pairs.get(status="active").private_key_pem
    body = _body(pem)
    token = application.key_pairs.get(status="active").private_key_encrypted

    assert _leaks(f"<textarea>{pem}</textarea>")
    assert _leaks(repr({"details": pem}))
    assert _leaks(" ".join(body[i : i + 76] for i in range(0, len(body), 76)))
    assert _leaks(f"token={token}")
    assert not _leaks(application.key_pairs.get(status="active").certificate_pem)
