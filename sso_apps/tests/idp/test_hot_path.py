"""The sign-in path stays cheap: a warm runtime costs no key parsing and few queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sso_apps.idp.runtime import runtimes


@pytest.mark.django_db
def test_idp_initiated_login_with_a_warm_runtime_rebuilds_nothing(client, saml_app, member):
    client.force_login(member)
    url = reverse("saml:init", args=[saml_app.idp_suffix])
    client.post(url)
    builds = runtimes.builds
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url)
    assert response.status_code == 200
    assert runtimes.builds == builds
    # Session, user, the app (with its SAML config and SP row in one join), the group
    # check, the audit event and the SP session record for Single Logout: nothing per
    # attribute, key or ACS URL. One more for a password-only session: whether a group of
    # the user requires MFA, read at each SSO so a group newly requiring it applies at once
    # (a session with a second factor skips it).
    assert len(queries.captured_queries) <= 7, [q["sql"][:80] for q in queries.captured_queries]
