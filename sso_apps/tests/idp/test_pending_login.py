"""A validated AuthnRequest waits in the session for one application, and is answered once."""

from types import SimpleNamespace

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from sso_apps.idp.pending_login import PendingLogin, pending_login_keep, pending_login_take


def _request():
    request = RequestFactory().get("/")
    request.session = SessionStore()
    return request


@pytest.mark.django_db
def test_a_kept_request_is_taken_back_once_and_only_by_its_own_app(saml_app):
    wiki, crm = saml_app, SimpleNamespace(idp_suffix=f"{saml_app.idp_suffix}-other")
    request = _request()
    pending = PendingLogin(
        request_id="_r1",
        acs_url="https://sp.example.com/acs",
        relay_state="/home",
        binding="post",
        issuer="https://sp.example.com/metadata",
    )
    pending_login_keep(http_request=request, application=wiki, pending=pending)
    assert pending_login_take(http_request=request, application=crm) is None
    assert pending_login_take(http_request=request, application=wiki) == pending
    assert pending_login_take(http_request=request, application=wiki) is None
