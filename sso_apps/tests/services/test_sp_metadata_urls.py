"""SP metadata URL: set it, refresh it (daily task or button), failures keep the good values.

Every fetch goes to a real local HTTPS server whose CA is trusted only through
SSO_APPS_METADATA_CA_FILE; nothing leaves 127.0.0.1.
"""

import pytest
from django.core.exceptions import ValidationError

from sso_apps import tasks
from sso_apps.models import Application, AuditEvent, SamlConfig, SpMetadataUrl
from sso_apps.saml.keys import certificate_info
from sso_apps.services.saml_configs import AcsUrlInput, SamlConfigInput, saml_config_update
from sso_apps.services.sp_metadata_urls import sp_metadata_refresh, sp_metadata_url_set
from sso_apps.tests.admin.conftest import _key_pool
from sso_apps.tests.metadata_server import Route
from sso_apps.tests.sp_metadata_documents import (
    ACS_MAIN,
    ACS_OTHER,
    ENTITY,
    metadata_xml,
    sp_certificates,
)


@pytest.fixture(autouse=True)
def _reused_key_pairs(monkeypatch):
    monkeypatch.setattr(
        "sso_apps.services.key_pairs.generate_key_pair", lambda **kwargs: _key_pool(2048)[0]
    )


@pytest.fixture
def server(metadata_https_server, settings):
    settings.SSO_APPS_METADATA_CA_FILE = metadata_https_server.ca_file
    settings.SSO_APPS_METADATA_ALLOW_PRIVATE_ADDRESSES = True  # it listens on 127.0.0.1
    settings.SSO_APPS_METADATA_TIMEOUT_SECONDS = 0.5
    settings.SSO_APPS_METADATA_TOTAL_SECONDS = 2
    return metadata_https_server


def _config(application) -> SamlConfig:
    return SamlConfig.objects.get(application=application)


def _acs(application) -> list[tuple[str, int, bool]]:
    return list(
        _config(application).acs_urls.order_by("index").values_list("url", "index", "is_default")
    )


def _version(application) -> int:
    return Application.objects.get(pk=application.pk).config_version


def _fingerprint(pem: str) -> str:
    return certificate_info(pem).sha256_fingerprint


@pytest.fixture
def fed_app(application_factory, server):
    """An app whose SP metadata URL was set and applied once."""
    application = application_factory(display_label="Wiki")
    server.routes["/metadata"] = Route(body=metadata_xml())
    sp_metadata_url_set(application=application, url=server.url("/metadata"))
    application.refresh_from_db()
    return application


@pytest.mark.django_db
def test_setting_a_url_fetches_and_applies_its_metadata_with_acs_indexes(fed_app, server):
    config = _config(fed_app)
    assert config.sp_entity_id == ENTITY
    assert _fingerprint(config.sp_certificate) == _fingerprint(sp_certificates()[0])
    assert _acs(fed_app) == [(ACS_MAIN, 1, True), (ACS_OTHER, 4, False)]
    row = SpMetadataUrl.objects.get(pk=fed_app.pk)
    assert row.url == server.url("/metadata")
    assert row.refreshed_at is not None and not row.failing
    event = AuditEvent.objects.filter(action="application.sp_metadata_url_set").get()
    assert event.details["changes"]["sp_entity_id"]["to"] == ENTITY


@pytest.mark.django_db
def test_a_url_that_cannot_be_fetched_is_not_saved(application_factory, server):
    application = application_factory(display_label="Wiki")
    before = _acs(application)

    with pytest.raises(ValidationError, match="answered HTTP 404"):
        sp_metadata_url_set(application=application, url=server.url("/missing"))

    assert not SpMetadataUrl.objects.filter(pk=application.pk).exists()
    assert _acs(application) == before


@pytest.mark.django_db
def test_an_http_url_is_refused_unless_the_app_allows_http(application_factory, server):
    application = application_factory(display_label="Wiki")

    with pytest.raises(ValidationError, match="uses http://"):
        sp_metadata_url_set(application=application, url="http://127.0.0.1:1/metadata")

    assert server.hits == []


@pytest.mark.django_db
def test_refresh_of_unchanged_metadata_changes_nothing(fed_app, server):
    version = _version(fed_app)
    # An SP re-signing or re-dating its document daily is not a change.
    server.routes["/metadata"] = Route(body=metadata_xml().replace(b"2030-01-01", b"2031-06-01"))

    result = sp_metadata_refresh(application_id=fed_app.pk)

    assert result.ok and result.changes == {}
    assert _version(fed_app) == version
    assert not AuditEvent.objects.filter(action="application.sp_metadata_refresh").exists()
    assert SpMetadataUrl.objects.get(pk=fed_app.pk).refreshed_at is not None


@pytest.mark.django_db
def test_admin_edits_survive_a_refresh_of_an_unchanged_document(fed_app, server):
    saml_config_update(application=fed_app, changes=SamlConfigInput(nameid_format="persistent"))

    sp_metadata_refresh(application_id=fed_app.pk)

    assert _config(fed_app).nameid_format == "persistent"


@pytest.mark.django_db
def test_a_changed_certificate_and_acs_urls_are_applied_and_audited_with_the_diff(fed_app, server):
    old_cert, new_cert = sp_certificates()
    server.routes["/metadata"] = Route(
        body=metadata_xml(certificate_pem=new_cert, acs=((ACS_OTHER, 2, True),))
    )
    version = _version(fed_app)

    result = sp_metadata_refresh(application_id=fed_app.pk)

    assert result.ok
    assert _fingerprint(_config(fed_app).sp_certificate) == _fingerprint(new_cert)
    assert _acs(fed_app) == [(ACS_OTHER, 2, True)]
    assert _version(fed_app) > version
    event = AuditEvent.objects.get(action="application.sp_metadata_refresh")
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    changes = event.details["changes"]
    assert changes["sp_certificate_sha256"] == {
        "from": _fingerprint(old_cert),
        "to": _fingerprint(new_cert),
    }
    assert changes["acs_urls"]["to"] == [{"url": ACS_OTHER, "index": 2, "is_default": True}]
    assert set(changes) == {"sp_certificate_sha256", "acs_urls"}


def _xxe() -> bytes:
    return (
        b'<?xml version="1.0"?><!DOCTYPE md [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"'
        b' entityID="&xxe;"/>'
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "reason"),
    [
        (Route(status=404), "answered HTTP 404"),
        (Route(body=b"<md:EntityDescriptor"), "not usable XML"),
        (Route(body=_xxe()), "DTD, entity or external reference"),
        (Route(body=b"<x/>" * 300_000, send_length=False), "larger than"),
        (Route(body=b"<x/>", delay_seconds=2), "did not answer in time"),
        (Route(status=302, location="http://127.0.0.1:9/metadata"), "redirects to a refused URL"),
    ],
    ids=["404", "invalid-xml", "xxe", "oversize", "slow", "redirect-to-http"],
)
def test_a_failed_refresh_keeps_the_last_good_values_and_records_the_error(
    fed_app, server, route, reason
):
    before = (_acs(fed_app), _config(fed_app).sp_certificate, _version(fed_app))
    server.routes["/metadata"] = route

    result = sp_metadata_refresh(application_id=fed_app.pk)

    assert not result.ok and reason in result.error
    assert (_acs(fed_app), _config(fed_app).sp_certificate, _version(fed_app)) == before
    row = SpMetadataUrl.objects.get(pk=fed_app.pk)
    assert row.failing and reason in row.error and row.error_at is not None
    event = AuditEvent.objects.get(action="application.sp_metadata_refresh")
    assert event.outcome == AuditEvent.Outcome.FAILURE and reason in event.reason


@pytest.mark.django_db
def test_a_certificate_failure_keeps_the_last_good_values(fed_app, server, settings, tmp_path):
    from sso_apps.tests.metadata_server import tls_files

    before = _acs(fed_app)
    settings.SSO_APPS_METADATA_CA_FILE = tls_files(tmp_path / "other", label="other").ca_file

    result = sp_metadata_refresh(application_id=fed_app.pk)

    assert not result.ok and "certificate could not be verified" in result.error
    assert _acs(fed_app) == before


@pytest.mark.django_db
def test_a_document_for_another_entity_is_not_applied(fed_app, server):
    server.routes["/metadata"] = Route(body=metadata_xml(entity_id="https://evil.example.test/"))

    result = sp_metadata_refresh(application_id=fed_app.pk)

    assert not result.ok and "now describes the entity https://evil.example.test/" in result.error
    assert _config(fed_app).sp_entity_id == ENTITY


@pytest.mark.django_db
def test_a_good_fetch_after_a_failure_clears_the_warning(fed_app, server):
    server.routes["/metadata"] = Route(status=500)
    sp_metadata_refresh(application_id=fed_app.pk)
    server.routes["/metadata"] = Route(body=metadata_xml())

    result = sp_metadata_refresh(application_id=fed_app.pk)

    assert result.ok
    row = SpMetadataUrl.objects.get(pk=fed_app.pk)
    assert not row.failing and row.error == ""


@pytest.mark.django_db
def test_a_refused_apply_rolls_back_alone_and_is_recorded(fed_app, server):
    # http:// ACS URLs are refused by the SP URL rule while the app does not allow them.
    server.routes["/metadata"] = Route(
        body=metadata_xml(acs=(("http://wiki.example.test/acs", 1, True),))
    )
    before = _acs(fed_app)

    result = sp_metadata_refresh(application_id=fed_app.pk)

    assert not result.ok and "uses http://" in result.error
    assert _acs(fed_app) == before


@pytest.mark.django_db
def test_removing_the_url_stops_refreshing_and_keeps_the_settings(fed_app, server):
    sp_metadata_url_set(application=fed_app, url="")

    assert sp_metadata_refresh(application_id=fed_app.pk) is None
    assert _acs(fed_app) == [(ACS_MAIN, 1, True), (ACS_OTHER, 4, False)]
    assert AuditEvent.objects.filter(action="application.sp_metadata_url_remove").exists()


@pytest.mark.django_db
def test_daily_task_queues_one_refresh_per_app_on_commit_and_is_safe_twice(
    fed_app, application_factory, server, django_capture_on_commit_callbacks
):
    other = application_factory(display_label="No URL")
    saml_config_update(application=other, acs_urls=[AcsUrlInput("https://other.example.test/a")])
    server.routes["/metadata"] = Route(body=metadata_xml(certificate_pem=sp_certificates()[1]))
    server.hits.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queued = tasks.sp_metadata_refresh_all()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sp_metadata_refresh_all()

    assert queued == 1 and len(callbacks) == 1
    assert server.hits == ["/metadata", "/metadata"]
    # The second run fetched the same document again and changed nothing.
    assert AuditEvent.objects.filter(action="application.sp_metadata_refresh").count() == 1


@pytest.mark.django_db
def test_refresh_task_for_a_deleted_app_returns_quietly(fed_app):
    application_id = fed_app.pk
    Application.objects.filter(pk=application_id).delete()

    assert tasks.sp_metadata_refresh(application_id) is None
