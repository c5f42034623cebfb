"""activation_problems: every reason SSO cannot be switched on, placeholders first."""

from unittest import mock

import pytest

from sso_apps.models import IdpKeyPair
from sso_apps.selectors.activation import activation_problems
from sso_apps.selectors.placeholders import placeholders_of, placeholders_remaining


@pytest.mark.django_db
def test_problems_of_a_fresh_app_name_each_field_holding_a_placeholder(application_factory):
    application = application_factory(display_label="GoToAssist")

    problems = activation_problems(application)

    assert problems[0] == "SP Entity ID still contains YOURDOMAIN."
    assert "ACS URL still contains YOURDOMAIN." in problems
    assert "The application has no active IdP certificate." not in problems


@pytest.mark.django_db
def test_given_remaining_placeholders_are_used_instead_of_looking_again(application_factory):
    application = application_factory(display_label="GoToAssist")
    remaining = placeholders_remaining(application.saml)

    with mock.patch("sso_apps.selectors.activation.placeholders_remaining") as lookup:
        problems = activation_problems(application, remaining=remaining)

    lookup.assert_not_called()
    assert problems == activation_problems(application)


@pytest.mark.django_db
def test_an_app_without_an_active_key_pair_cannot_be_activated(application_factory):
    application = application_factory(display_label="GoToAssist")
    application.key_pairs.update(status=IdpKeyPair.Status.INACTIVE)

    assert "The application has no active IdP certificate." in activation_problems(
        application, remaining={}
    )


@pytest.mark.django_db
def test_yourdomain_is_always_a_placeholder_even_if_the_connector_omits_it(application_factory):
    application = application_factory(display_label="GoToAssist")
    application.connector.placeholders = ["ORG_ID"]

    assert placeholders_of(application) == ["YOURDOMAIN", "ORG_ID"]
