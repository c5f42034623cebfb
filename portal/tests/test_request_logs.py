"""Production log lines: one JSON object each, with request id, user, application and SAML
outcome, and never a password, key, session cookie or SAML message at INFO."""

import io
import json
import logging
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import structlog
from django.conf import settings
from django.urls import reverse

from accounts.tests.factories import DEFAULT_PASSWORD
from portal.log_redaction import REDACTED, redact_secrets
from portal.settings.logging import logging_config
from sso_apps.idp.runtime import runtimes
from sso_apps.models import IdpKeyPair
from sso_apps.saml.keys import generate_key_pair
from sso_apps.tests.idp.conftest import (  # noqa: F401 (fixtures)
    _fresh_runtimes,
    saml_app_factory,
    saml_connector,
)
from sso_apps.tests.idp.flows import onelogin_sp, response_fields, sso_redirect

SP_KEYS = generate_key_pair(common_name="sp.example.com")
STRANGER = generate_key_pair(common_name="stranger.example.com")
WRONG_PASSWORD = "not-the-password-4711"


@pytest.fixture
def json_log():
    """Send every INFO+ record through the production formatter into a buffer."""
    options = dict(logging_config("json")["formatters"]["structured"])
    formatter_class = options.pop("()")
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(formatter_class(**options))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(level)
    structlog.contextvars.clear_contextvars()


def _lines(buffer) -> list[dict]:
    text = buffer.getvalue()
    assert text, "nothing was logged, so the checks below would prove nothing"
    # One JSON object per line, each line parses on its own.
    return [json.loads(line) for line in text.splitlines()]


def _signed_sp(client, application, private_key_pem=SP_KEYS.private_key_pem):
    return onelogin_sp(
        client,
        application,
        sign_requests=True,
        sp_certificate_pem=SP_KEYS.certificate_pem,
        sp_private_key_pem=private_key_pem,
    )


def _pem_chunks(pem: str, size: int = 40) -> list[str]:
    body = "".join(pem.strip().splitlines()[1:-1])
    return [body[start : start + size] for start in range(0, len(body) - size, size)]


@pytest.mark.django_db
def test_a_login_and_failed_logins_log_outcomes_but_no_secret(
    client,
    saml_app_factory,  # noqa: F811
    json_log,
):
    application = saml_app_factory(
        require_signed_requests=True, sp_certificate=SP_KEYS.certificate_pem
    )
    login = reverse("console:login")
    email = "ada@example.com"
    # A wrong password, then the right one.
    assert client.post(login, {"email": email, "password": WRONG_PASSWORD}).status_code == 200
    assert client.post(login, {"email": email, "password": DEFAULT_PASSWORD}).status_code == 302
    # An SP-initiated login through the Redirect binding...
    sp = _signed_sp(client, application)
    url, request_id = sp.login_url()
    page = sso_redirect(client, url)
    fields = response_fields(page)
    auth = sp.acs(fields, request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    # ...and one signed with a key the app does not know.
    runtimes.clear()
    bad_url, _ = _signed_sp(client, application, STRANGER.private_key_pem).login_url()
    refused = sso_redirect(client, bad_url)
    assert refused.status_code == 400

    lines = _lines(json_log)
    text = json_log.getvalue()
    finished = [line for line in lines if line["event"] == "request_finished"]
    sso_path = reverse("saml:sso", args=[application.idp_suffix])
    member = application.authorized_groups.get().members.get()

    success = [
        line for line in finished if line.get("saml_outcome") == "success" and line["code"] == 200
    ]
    assert success, finished
    assert success[-1]["application"] == application.idp_suffix
    assert success[-1]["user_id"] == member.pk
    assert success[-1]["request"].startswith("GET /saml2/")
    assert page["X-Request-ID"] == success[-1]["request_id"]
    failure = [line for line in finished if line["code"] == 400]
    assert failure[-1]["saml_outcome"] == "failure"
    assert failure[-1]["request"] == f"GET {sso_path}"
    assert refused["X-Request-ID"] == failure[-1]["request_id"]
    assert any(line["event"] == "audit_event" and line["outcome"] == "failure" for line in lines)

    query = parse_qs(urlsplit(url).query)
    secrets = {
        "password": DEFAULT_PASSWORD,
        "wrong password": WRONG_PASSWORD,
        "session cookie": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "SAMLResponse": fields["SAMLResponse"][:60],
        "SAMLRequest": query["SAMLRequest"][0][:60],
        "Signature": query["Signature"][0][:40],
        "key encryption secret": settings.SSO_APPS_KEY_ENCRYPTION_SECRET,
    }
    for number, chunk in enumerate(_pem_chunks(SP_KEYS.private_key_pem)):
        secrets[f"SP private key chunk {number}"] = chunk
    for pair in IdpKeyPair.objects.filter(application=application):
        for number, chunk in enumerate(_pem_chunks(pair.private_key_pem)):
            secrets[f"IdP private key chunk {number}"] = chunk
    compact = re.sub(r"\s|\\n", "", text)
    leaked = [name for name, secret in secrets.items() if secret in text or secret in compact]
    assert not leaked, f"logged: {leaked}"
    assert "PRIVATE KEY" not in text


def test_redaction_removes_keys_and_passwords_at_every_level_and_saml_above_debug():
    pem = STRANGER.private_key_pem
    event = {
        "event": f"failed with password=hunter2&SAMLResponse=PHNhbWw6 and key {pem}",
        "form": {"password": "hunter2", "SAMLRequest": "PHNhbWxwOkF1dGhu"},
    }
    info = redact_secrets(None, "info", {**event, "level": "info"})
    assert "hunter2" not in repr(info) and "BEGIN" not in repr(info)
    assert "PHNhbWw6" not in repr(info) and "PHNhbWxwOkF1dGhu" not in repr(info)
    assert info["form"]["password"] == REDACTED
    debug = redact_secrets(None, "debug", {**event, "level": "debug"})
    assert "hunter2" not in repr(debug) and "BEGIN" not in repr(debug)
    # An operator who turned on DEBUG asked to see SAML messages.
    assert "PHNhbWw6" in debug["event"] and debug["form"]["SAMLRequest"] == "PHNhbWxwOkF1dGhu"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("peer", "given", "kept"),
    [
        ("10.0.0.9", "lb-7f3a9c.0042", True),
        ("10.0.0.9", "x" * 200, False),
        ("10.0.0.9", "two words", False),
        ("10.0.0.9", "id\r\nSet-Cookie: a=b", False),
        ("198.51.100.4", "lb-7f3a9c.0042", False),
    ],
)
def test_a_request_id_is_taken_only_from_a_trusted_proxy_and_only_when_it_is_one(
    client, settings, peer, given, kept
):
    settings.TESSERA_TRUSTED_PROXIES = ["10.0.0.0/8"]
    response = client.get("/healthz", REMOTE_ADDR=peer, HTTP_X_REQUEST_ID=given)
    echoed = response["X-Request-ID"]
    if kept:
        assert echoed == given
    else:
        assert echoed != given
        # A generated id is a UUID.
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", echoed)


@pytest.mark.django_db
def test_a_replayed_request_logs_its_refusal_and_no_sign_in_that_was_not_written(
    client,
    json_log,
    saml_app_factory,  # noqa: F811
):
    # The replay's sign-in is built and then refused by the request ID's constraint: only
    # events that were written have a line (sso_apps.services.audit.audit_event_log).
    application = saml_app_factory()
    client.force_login(application.authorized_groups.get().members.get())
    sp = onelogin_sp(client, application)
    url, _ = sp.login_url()
    sso_redirect(client, url)
    json_log.seek(0)
    json_log.truncate()

    replay = sso_redirect(client, url)

    assert replay.status_code == 400
    events = [line for line in _lines(json_log) if line["event"] == "audit_event"]
    assert [(line["action"], line["outcome"]) for line in events] == [("sso.request", "failure")]
    (finished,) = [line for line in _lines(json_log) if line["event"] == "request_finished"]
    assert (finished["saml_action"], finished["saml_outcome"]) == ("sso.request", "failure")
