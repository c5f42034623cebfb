"""Every connector file that ships, set up as a new admin would, then used by a real SP.

The connectors are the real files loaded by the project's own loader (never factories: a
factory's tidy values hid that Custom SAML could not be created at all, issue 11). Each one
goes through the wizard's General Info form, its placeholders are filled on the SSO tab, the
IdP metadata is exported, and a SAML connector completes an IdP-initiated login whose Response
python3-saml, in strict mode, accepts with the connector's own SP Entity ID and ACS URL.
"""

import functools
import itertools
import shutil

import pytest
from django.apps import apps

# The rest of this directory also runs without Django (see the catalog README); this file
# drives the real admin and IdP, so it steps aside there instead of failing to import.
if not apps.ready:
    pytest.skip("needs Django (pytest-django)", allow_module_level=True)

from django.urls import reverse  # noqa: E402

from sso_apps.catalog.schema import load_catalog_dir  # noqa: E402
from sso_apps.models import Application, ConnectorTemplate  # noqa: E402
from sso_apps.saml import keys  # noqa: E402
from sso_apps.saml.constants import NAMEID_FORMAT_URIS  # noqa: E402
from sso_apps.selectors.placeholders import DOMAIN_PLACEHOLDER  # noqa: E402
from sso_apps.services import applications as app_services  # noqa: E402
from sso_apps.services.catalog import CATALOG_DIR, catalog_load  # noqa: E402
from sso_apps.tests.admin.helpers import app_url, sso_post  # noqa: E402
from sso_apps.tests.idp.flows import response_fields  # noqa: E402
from sso_apps.tests.idp.sp_harness import OneLoginSp  # noqa: E402

CONNECTORS = load_catalog_dir(CATALOG_DIR)
GENERAL_URL = reverse("admin:sso_apps_application_add_general")
# What an admin types for a value the connector does not publish (Custom SAML has none).
TYPED_ENTITY_ID = "https://sp.acme.test/metadata"
TYPED_ACS_URL = "https://sp.acme.test/saml/acs"
DOMAIN = "acme"


def test_every_shipped_connector_is_covered():
    assert len(CONNECTORS) == 69
    assert {entry["type"] for entry in CONNECTORS} == {"saml", "custom_saml", "bookmark"}


@functools.cache
def _key_pool() -> tuple[keys.KeyPair, ...]:
    return tuple(
        keys.generate_key_pair(common_name=f"Tessera IdP test {index}", key_size=2048)
        for index in range(3)
    )


@pytest.fixture(autouse=True)
def _reused_key_pairs(monkeypatch):
    """Hand out real key pairs from a small pool: 69 RSA generations would take minutes."""
    counter = itertools.count()

    def generate(*, common_name, key_size=2048, valid_days=1826):
        return _key_pool()[next(counter) % 3]

    monkeypatch.setattr("sso_apps.services.key_pairs.generate_key_pair", generate)


def _placeholder_value(name: str) -> str:
    """Return what an admin would type for a placeholder: host- and path-safe."""
    return DOMAIN if name == DOMAIN_PLACEHOLDER else f"acme-{name.lower().replace('_', '-')}"


def _filled(value: str | None, placeholders: list[str]) -> str | None:
    for name in placeholders:
        if value:
            value = value.replace(name, _placeholder_value(name))
    return value


def _member(user_factory, group_factory, application):
    user = user_factory(
        email="ada@acme.test",
        username="ada",
        first_name="Ada",
        last_name="Lovelace",
        display_name="Ada Lovelace",
        department="Engineering",
        job_title="Analyst",
        employee_id="E-1815",
    )
    group = group_factory(name="Everyone", members=[user])
    app_services.application_groups_set(application=application, groups=[group])
    return user


def _create_through_wizard(client, entry) -> Application:
    connector = ConnectorTemplate.objects.get(slug=entry["slug"])
    data = {
        "display_label": entry["name"],
        "description": "",
        "portal_image_kind": "logo",
        "portal_color": "#2f5bea",
        "show_in_portal": "on",
        "idp_suffix": f"t-{entry['slug']}",
    }
    if entry["type"] == "bookmark":
        data["bookmark_url"] = "https://wiki.acme.test/"
    response = client.post(f"{GENERAL_URL}?connector={connector.slug}", data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    return Application.objects.get(idp_suffix=data["idp_suffix"])


def _save_sso_tab(client, application, entry) -> tuple[str, str]:
    """Fill the placeholders (and what the connector leaves blank); return (entity ID, ACS)."""
    saml = entry["saml"] or {}
    placeholders = entry["placeholders"]
    entity_id = _filled(saml.get("sp_entity_id"), placeholders) or TYPED_ENTITY_ID
    acs = [_filled(url, placeholders) for url in saml.get("acs_urls") or []] or [TYPED_ACS_URL]
    extra = {
        f"placeholder_{name}": _placeholder_value(name)
        for name in placeholders
        if name != DOMAIN_PLACEHOLDER
    }
    data = sso_post(application, domain=DOMAIN, **extra)
    if not saml.get("sp_entity_id"):
        data["sp_entity_id"] = TYPED_ENTITY_ID
    if not saml.get("acs_urls"):
        data.update({"acs-TOTAL_FORMS": 1, "acs-0-url": TYPED_ACS_URL, "acs-default": 0})
    response = client.post(app_url("sso", application), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    config = type(application.saml).objects.get(pk=application.pk)
    assert config.sp_entity_id == entity_id
    assert [row.url for row in config.acs_urls.order_by("-is_default", "pk")] == acs
    return entity_id, acs[0]


@pytest.mark.django_db
@pytest.mark.parametrize("entry", CONNECTORS, ids=[entry["slug"] for entry in CONNECTORS])
def test_shipped_connector_sets_up_and_signs_in_end_to_end(
    client, administrator, user_factory, group_factory, entry, tmp_path
):
    # Load this one file through the catalog loader: all 69 each time would double the run.
    shutil.copy(CATALOG_DIR / f"{entry['slug']}.yaml", tmp_path)
    catalog_load(directory=tmp_path)
    client.force_login(administrator)
    application = _create_through_wizard(client, entry)
    if entry["type"] == "bookmark":
        member = _member(user_factory, group_factory, application)
        client.force_login(member)
        tiles = client.get(reverse("console:home")).context["applications"]
        assert (application.display_label, application.bookmark_url) in [
            (tile.label, tile.href) for tile in tiles
        ]
        return

    entity_id, acs_url = _save_sso_tab(client, application, entry)
    exported = client.get(app_url("metadata", application))
    assert exported.status_code == 200
    assert b"IDPSSODescriptor" in exported.content
    application.refresh_from_db()
    assert application.sso_active, "the SSO tab left the app incomplete"

    client.force_login(_member(user_factory, group_factory, application))
    metadata = client.get(reverse("saml:metadata", args=[application.idp_suffix]))
    assert metadata.content == exported.content
    config = application.saml
    sp = OneLoginSp(
        idp_metadata_xml=metadata.content.decode(),
        entity_id=entity_id,
        acs_url=acs_url,
        want_messages_signed=config.sign_response,
        want_assertions_signed=config.sign_assertion,
        requested_nameid_format=NAMEID_FORMAT_URIS[config.nameid_format],
        # An AttributeStatement must hold at least one Attribute, so an app sending none
        # omits it; an SP that needs no attributes does not ask for one.
        want_attribute_statement=config.attributes.exists() or config.include_group_attribute,
    )
    fields = response_fields(client.post(reverse("saml:init", args=[application.idp_suffix])))
    assert fields["action"] == acs_url
    auth = sp.acs(fields, None)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.is_authenticated()
    assert auth.get_nameid()
    assert set(auth.get_attributes()) >= {row.name for row in config.attributes.all()}
