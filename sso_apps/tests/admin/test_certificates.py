import pytest
from cryptography import x509
from django.urls import reverse
from lxml import etree

from sso_apps.models import AuditEvent, IdpKeyPair
from sso_apps.saml import keys
from sso_apps.tests.admin.helpers import app_url

OWN_PAIR = keys.generate_key_pair(common_name="own.acme.test")
OTHER_PAIR = keys.generate_key_pair(common_name="other.acme.test")
MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"


def _private_key_markers(application) -> list[str]:
    """Return strings that only a leaked private key would put into a response."""
    markers = ["PRIVATE KEY"]
    for pair in application.key_pairs.all():
        body = "".join(pair.private_key_pem.strip().splitlines()[1:-1])
        markers += [body[:64], body[-64:], pair.private_key_encrypted[:40]]
    return markers


@pytest.mark.django_db
def test_download_certificate_is_certificate_pem_and_parses_as_x509(admin_client, saml_app):
    response = admin_client.get(app_url("certificate", saml_app))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="certificate.pem"'
    certificate = x509.load_pem_x509_certificate(response.content)
    active = saml_app.key_pairs.get(status="active")
    assert keys.certificate_info(response.content.decode()).sha256_fingerprint == (
        active.fingerprint_sha256
    )
    assert certificate.not_valid_after_utc == active.not_after
    assert b"PRIVATE KEY" not in response.content


@pytest.mark.django_db
def test_sso_tab_offers_idp_certificate_valid_then_download_certificate(admin_client, saml_app):
    page = admin_client.get(app_url("sso", saml_app)).text

    menu = page[page.index('<details class="sso-menu" data-menu>') :]
    menu = menu[: menu.index("</details>")]
    assert "IDP Certificate Valid" in menu
    assert f'href="{app_url("certificate", saml_app)}"' in menu
    assert "Download certificate" in menu
    assert "Export metadata" in menu
    # Once, in the menu: no second set of buttons and no second status badge.
    assert page.count(">Download certificate</a>") == 1
    assert page.count("IDP Certificate Valid") == 1


@pytest.mark.django_db
def test_export_metadata_is_the_idp_entity_descriptor(admin_client, saml_app):
    response = admin_client.get(app_url("metadata", saml_app))

    assert response.status_code == 200
    assert "attachment;" in response["Content-Disposition"]
    root = etree.fromstring(response.content)
    assert root.tag == f"{MD}EntityDescriptor"
    assert root.get("entityID") == saml_app.saml.idp_entity_id
    certificate = root.find(
        f".//{MD}KeyDescriptor//{{http://www.w3.org/2000/09/xmldsig#}}X509Certificate"
    )
    active = saml_app.key_pairs.get(status="active")
    assert certificate.text.strip() == keys.certificate_body(active.certificate_pem)
    assert b"PRIVATE KEY" not in response.content


@pytest.mark.django_db
def test_regenerate_asks_first_then_keeps_the_old_pair_inactive(admin_client, saml_app):
    old = saml_app.key_pairs.get(status="active")

    confirm = admin_client.get(app_url("regenerate", saml_app))
    assert confirm.status_code == 200
    assert old.fingerprint_sha256 in confirm.text
    assert saml_app.key_pairs.count() == 1

    response = admin_client.post(app_url("regenerate", saml_app), follow=True)

    old.refresh_from_db()
    new = saml_app.key_pairs.get(status="active")
    assert old.status == IdpKeyPair.Status.INACTIVE
    assert new.fingerprint_sha256 != old.fingerprint_sha256
    assert "A new IdP certificate is active" in response.text
    history = response.text[response.text.index("SHA-256 fingerprint") :]
    assert old.fingerprint_sha256 in history and new.fingerprint_sha256 in history
    assert "Inactive" in history
    # One for the regeneration asked for here (creating the app generated the first pair).
    assert (
        AuditEvent.objects.filter(
            action="application.key_pair_generate", actor_email="root.admin@example.com"
        ).count()
        == 1
    )


@pytest.mark.django_db
def test_upload_own_matching_key_pair_becomes_active(admin_client, saml_app):
    old = saml_app.key_pairs.get(status="active")

    response = admin_client.post(
        app_url("key_pair_upload", saml_app),
        {"private_key": OWN_PAIR.private_key_pem, "certificate": OWN_PAIR.certificate_pem},
    )

    assert response.status_code == 302
    active = saml_app.key_pairs.get(status="active")
    assert active.origin == IdpKeyPair.Origin.UPLOADED
    assert (
        active.fingerprint_sha256
        == keys.certificate_info(OWN_PAIR.certificate_pem).sha256_fingerprint
    )
    old.refresh_from_db()
    assert old.status == IdpKeyPair.Status.INACTIVE
    assert AuditEvent.objects.filter(action="application.key_pair_upload").exists()


@pytest.mark.django_db
def test_upload_own_key_pair_as_files(admin_client, saml_app):
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin_client.post(
        app_url("key_pair_upload", saml_app),
        {
            "private_key_file": SimpleUploadedFile("key.pem", OWN_PAIR.private_key_pem.encode()),
            "certificate_file": SimpleUploadedFile("cert.pem", OWN_PAIR.certificate_pem.encode()),
        },
    )

    assert saml_app.key_pairs.get(status="active").origin == IdpKeyPair.Origin.UPLOADED


@pytest.mark.django_db
def test_mismatched_key_pair_is_refused_with_a_clear_error(admin_client, saml_app):
    old = saml_app.key_pairs.get(status="active")

    response = admin_client.post(
        app_url("key_pair_upload", saml_app),
        {"private_key": OWN_PAIR.private_key_pem, "certificate": OTHER_PAIR.certificate_pem},
    )

    assert response.status_code == 200
    assert "does not match the certificate" in response.text
    assert response.context["open_upload"] is True
    assert list(saml_app.key_pairs.all()) == [old]
    assert saml_app.key_pairs.get().status == IdpKeyPair.Status.ACTIVE
    # The key the admin pasted is not echoed back into the form.
    body = "".join(OWN_PAIR.private_key_pem.strip().splitlines()[1:-1])
    assert body[:64] not in response.text
    assert "PRIVATE KEY" not in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"certificate": OWN_PAIR.certificate_pem}, "Paste the private key"),
        ({"private_key": OWN_PAIR.private_key_pem}, "Paste the certificate"),
        (
            {"private_key": "not a key", "certificate": OWN_PAIR.certificate_pem},
            "not a readable PEM private key",
        ),
    ],
)
def test_incomplete_or_unreadable_key_pair_is_refused(admin_client, saml_app, data, message):
    response = admin_client.post(app_url("key_pair_upload", saml_app), data)
    assert message in response.text
    assert saml_app.key_pairs.count() == 1


@pytest.mark.django_db
def test_private_key_is_in_no_page_or_download(admin_client, saml_app, group_factory):
    admin_client.post(app_url("regenerate", saml_app))
    admin_client.post(
        app_url("key_pair_upload", saml_app),
        {"private_key": OWN_PAIR.private_key_pem, "certificate": OWN_PAIR.certificate_pem},
    )
    markers = _private_key_markers(saml_app)
    assert len(markers) == 1 + 3 * 3
    urls = [
        app_url(name, saml_app)
        for name in (
            "change",
            "sso",
            "groups",
            "certificate",
            "metadata",
            "regenerate",
            "deactivate",
            "delete",
            "history",
        )
    ]
    urls.append(reverse("admin:sso_apps_application_changelist"))

    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        for marker in markers:
            assert marker not in content, (url, marker)


@pytest.mark.django_db
def test_key_upload_hides_the_private_key_from_error_reports_and_logs(
    admin_client, saml_app, caplog
):
    response = admin_client.post(
        app_url("key_pair_upload", saml_app),
        {"private_key": OWN_PAIR.private_key_pem, "certificate": OTHER_PAIR.certificate_pem},
    )

    assert response.wsgi_request.sensitive_post_parameters == ("private_key",)
    body = "".join(OWN_PAIR.private_key_pem.strip().splitlines()[1:-1])
    assert body[:64] not in caplog.text
