"""The saml block's checks, one concern each, reporting in a fixed order (no Django needed)."""

import pytest

from sso_apps.catalog.saml_block import validate_custom_saml_block, validate_saml_block
from sso_apps.catalog.vocabulary import SAML_KEYS
from sso_apps.saml.sp_urls import sp_url_problem


def _block(**changes) -> dict:
    block = {
        "sp_entity_id": "https://sp.example.com",
        "acs_urls": ["https://sp.example.com/acs"],
        "sp_login_url": None,
        "sp_logout_url": None,
        "sp_logout_binding": "redirect",
        "nameid_format": "persistent",
        "nameid_source": "username",
        "sign_response": True,
        "sign_assertion": False,
        "attributes": [],
        "group_attribute": {"enabled": False, "name": None},
    }
    block.update(changes)
    return block


def _problems(block: dict, *, verified: bool = True) -> list[str]:
    errors: list[str] = []
    validate_saml_block(block, verified, errors)
    return errors


def test_a_complete_block_has_no_problems():
    assert _problems(_block()) == []


@pytest.mark.parametrize("key", ["nameid_format", "nameid_source", "sp_entity_id"])
def test_a_value_left_null_is_a_problem_only_for_a_verified_connector(key):
    assert _problems(_block(**{key: None}), verified=False) == []
    assert _problems(_block(**{key: None})) == [f"saml.{key} is required for a verified connector"]


def test_the_name_id_choices_name_every_allowed_value():
    assert _problems(_block(nameid_format="email", nameid_source="mail")) == [
        "saml.nameid_format must be one of emailAddress, persistent, transient, "
        "unspecified; got 'email'",
        "saml.nameid_source must be one of email, employee_id, username; got 'mail'",
    ]


def test_problems_come_in_the_order_of_the_block():
    block = _block(
        bogus=1,
        sp_entity_id="ftp://sp.example.com",
        acs_urls=["https://a.example/acs", "https://a.example/acs"],
        sp_logout_binding="soap",
        sign_response=False,
        attributes=[{"name": "a", "source": "email", "value": "x"}],
        group_attribute={"enabled": True, "name": ""},
    )
    assert _problems(block) == [
        "saml has unknown keys: bogus",
        "saml.sp_entity_id has an unexpected URL scheme: 'ftp://sp.example.com'",
        "saml.acs_urls contains duplicates",
        "saml.sp_logout_binding must be one of post, redirect; got 'soap'",
        "saml: at least one of sign_response / sign_assertion must be true",
        "saml.attributes[0] needs exactly one of 'source' or 'value'",
        "saml.group_attribute.name is required when enabled is true",
    ]


def test_a_custom_saml_template_names_the_keys_it_lacks_and_fills():
    block = dict.fromkeys(SAML_KEYS)
    del block["attributes"]
    block["nameid_format"] = "persistent"
    errors: list[str] = []
    validate_custom_saml_block(block, errors)
    assert errors == [
        "saml is missing keys: attributes",
        "custom_saml template must leave saml values blank: nameid_format",
    ]


def test_a_default_relay_state_is_optional_and_must_be_a_plain_https_url():
    assert _problems(_block(default_relay_state="https://app.gotoassist.com")) == []
    assert _problems(_block(default_relay_state=None)) == []
    assert _problems(_block(default_relay_state="http://app.example")) == [
        "saml.default_relay_state must be an https:// URL: " + sp_url_problem("http://app.example")
    ]
    assert _problems(_block(default_relay_state="https://YOURDOMAIN.example")) == [
        "saml.default_relay_state must not contain a placeholder"
    ]


def test_a_custom_saml_template_leaves_the_default_relay_state_blank():
    block = dict.fromkeys(SAML_KEYS)
    block["default_relay_state"] = "https://app.example"
    errors: list[str] = []
    validate_custom_saml_block(block, errors)
    assert errors == ["custom_saml template must leave saml values blank: default_relay_state"]
