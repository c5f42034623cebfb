"""SSO tab: ACS indexes, the SP metadata URL, "Refresh metadata now" and the failure warning."""

import pytest

from sso_apps.models import AuditEvent, SamlConfig, SpMetadataUrl
from sso_apps.tests.admin.helpers import app_url, sso_post
from sso_apps.tests.metadata_server import Route
from sso_apps.tests.sp_metadata_documents import (
    ACS_MAIN,
    ACS_OTHER,
    ENTITY,
    metadata_xml,
    sp_certificates,
)


@pytest.fixture
def server(metadata_https_server, settings):
    settings.SSO_APPS_METADATA_CA_FILE = metadata_https_server.ca_file
    settings.SSO_APPS_METADATA_ALLOW_PRIVATE_ADDRESSES = True  # it listens on 127.0.0.1
    settings.SSO_APPS_METADATA_TIMEOUT_SECONDS = 0.5
    metadata_https_server.routes["/metadata"] = Route(body=metadata_xml())
    return metadata_https_server


def _acs(application):
    config = SamlConfig.objects.get(pk=application.pk)
    return list(config.acs_urls.order_by("index").values_list("url", "index", "is_default"))


def _with_indexes(data: dict, indexes: list) -> dict:
    for position, index in enumerate(indexes):
        data[f"acs-{position}-index"] = "" if index is None else str(index)
    return data


@pytest.mark.django_db
def test_admin_sets_acs_indexes_and_an_empty_one_takes_the_next_free(admin_client, ready_app):
    data = _with_indexes(
        sso_post(ready_app, acs=["https://a.test/acs", "https://b.test/acs", "https://c.test/"]),
        [5, None, 2],
    )

    response = admin_client.post(app_url("sso", ready_app), data)

    assert response.status_code == 302
    assert _acs(ready_app) == [
        ("https://c.test/", 2, False),
        ("https://a.test/acs", 5, True),
        ("https://b.test/acs", 6, False),
    ]
    page = admin_client.get(app_url("sso", ready_app)).text
    assert 'name="acs-0-index" value="5"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("indexes", "error"),
    [([3, 3], "Each ACS index may be used only once: 3"), ([-1, 0], "greater than or equal to 0")],
)
def test_duplicate_or_negative_acs_indexes_are_refused(admin_client, ready_app, indexes, error):
    before = _acs(ready_app)
    data = _with_indexes(sso_post(ready_app, acs=["https://a.test/", "https://b.test/"]), indexes)

    response = admin_client.post(app_url("sso", ready_app), data)

    assert response.status_code == 200
    assert error in response.text
    assert _acs(ready_app) == before


@pytest.mark.django_db
def test_saving_the_tab_keeps_the_indexes_shown(admin_client, ready_app, server):
    admin_client.post(app_url("metadata_url", ready_app), {"url": server.url("/metadata")})
    page = admin_client.get(app_url("sso", ready_app))
    shown = [form.initial for form in page.context["acs_formset"].forms if form.initial]
    data = sso_post(ready_app, acs=[row["url"] for row in shown])
    _with_indexes(data, [row["index"] for row in shown])

    admin_client.post(app_url("sso", ready_app), data)

    assert _acs(ready_app) == [(ACS_MAIN, 1, True), (ACS_OTHER, 4, False)]


@pytest.mark.django_db
def test_metadata_url_is_fetched_imported_and_offers_a_refresh(admin_client, ready_app, server):
    response = admin_client.post(
        app_url("metadata_url", ready_app), {"url": server.url("/metadata")}, follow=True
    )

    assert "SP metadata fetched from" in response.text
    assert SamlConfig.objects.get(pk=ready_app.pk).sp_entity_id == ENTITY
    assert "Refresh metadata now" in response.text
    assert f'value="{server.url("/metadata")}"' in response.text


@pytest.mark.django_db
def test_a_metadata_url_that_fails_shows_why_and_saves_nothing(admin_client, ready_app, server):
    response = admin_client.post(app_url("metadata_url", ready_app), {"url": server.url("/gone")})

    assert response.status_code == 200
    assert "answered HTTP 404" in response.text
    assert not SpMetadataUrl.objects.filter(pk=ready_app.pk).exists()


@pytest.mark.django_db
def test_refresh_now_applies_a_rotated_certificate_and_says_what_changed(
    admin_client, ready_app, server
):
    admin_client.post(app_url("metadata_url", ready_app), {"url": server.url("/metadata")})
    server.routes["/metadata"] = Route(body=metadata_xml(certificate_pem=sp_certificates()[1]))

    response = admin_client.post(app_url("metadata_refresh", ready_app), follow=True)

    assert "SP metadata refreshed; changed: SP certificate." in response.text
    event = AuditEvent.objects.get(action="application.sp_metadata_refresh")
    assert event.actor.is_superuser or event.actor.is_staff


@pytest.mark.django_db
def test_a_failed_refresh_warns_on_the_tab_until_a_fetch_works(admin_client, ready_app, server):
    admin_client.post(app_url("metadata_url", ready_app), {"url": server.url("/metadata")})
    server.routes["/metadata"] = Route(body=b"<not-xml")

    refreshed = admin_client.post(app_url("metadata_refresh", ready_app), follow=True)
    tab = admin_client.get(app_url("sso", ready_app)).text

    assert "could not be refreshed; the last good values stay" in refreshed.text
    assert 'id="metadata-url-warning"' in tab and "not usable XML" in tab
    server.routes["/metadata"] = Route(body=metadata_xml())
    admin_client.post(app_url("metadata_refresh", ready_app))
    assert 'id="metadata-url-warning"' not in admin_client.get(app_url("sso", ready_app)).text


@pytest.mark.django_db
def test_refresh_without_a_metadata_url_says_so(admin_client, ready_app):
    response = admin_client.post(app_url("metadata_refresh", ready_app), follow=True)

    assert "has no SP metadata URL to refresh" in response.text
