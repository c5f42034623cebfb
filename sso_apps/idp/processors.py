"""Who may sign in to an application, and what the assertion says about them."""

import secrets

from djangosaml2idp.models import PersistentId
from djangosaml2idp.processors import BaseProcessor, NameIdBuilder

from sso_apps import selectors
from sso_apps.models import SamlAttribute
from sso_apps.saml.constants import (
    NAMEID_EMAIL_ADDRESS,
    NAMEID_PERSISTENT,
    NAMEID_TRANSIENT,
    NameIdFormatName,
)


def _user_value(user, field: str) -> str:
    """Return a user field as the assertion sends it: text, and "" when unset."""
    return str(getattr(user, field, "") or "")


class TesseraProcessor(BaseProcessor):
    """djangosaml2idp's processor, driven by one application's configuration."""

    def __init__(self, entity_id: str, *, application):
        super().__init__(entity_id)
        self.application = application

    def has_access(self, request) -> bool:
        """Implicit deny: active SSO, an active user, and a group authorised for the app."""
        if not self.application.sso_active:
            return False
        # The endpoint's own lookup already answered this for the signed-in user, in the
        # same query as the app's version (runtime.endpoint_application).
        allowed = getattr(self.application, "user_allowed", None)
        if allowed is not None and request.user.is_authenticated:
            return allowed
        return selectors.user_may_use(user=request.user, application=self.application)

    def get_user_id(self, user, name_id_format, service_provider, idp_config) -> str:
        config = self.application.saml
        if name_id_format == NAMEID_PERSISTENT:
            # Opaque and stable per user and app, never the email: PersistentId rows hang
            # off the app's ServiceProvider, which lives as long as the app does.
            return NameIdBuilder.get_nameid_persistent("", sp=service_provider, user=user)
        if name_id_format == NAMEID_TRANSIENT:
            # Upstream raises NotImplementedError for transient (djangosaml2idp 0.7.2).
            return "_" + secrets.token_hex(20)
        source = config.nameid_source
        overridden = config.nameid_format != NameIdFormatName.EMAIL
        if name_id_format == NAMEID_EMAIL_ADDRESS and overridden:
            # The SP asked for emailAddress (allowed by the app): the configured source was
            # chosen for another format, so the value is the directory's email itself.
            source = "email"
        value = _user_value(user, source)
        if not value:
            raise ValueError(
                f"The user has no {config.get_nameid_source_display().lower()}, "
                "which this application uses as the NameID."
            )
        if name_id_format == NAMEID_EMAIL_ADDRESS:
            # djangosaml2idp 0.7.2's get_nameid_email raises a bare Exception here, which
            # would be a 500; a ValueError becomes the sign-in's clear refusal instead.
            if "@" not in value:
                raise ValueError(
                    f"The user's {config.get_nameid_source_display().lower()} is not an email "
                    "address, which this application's emailAddress NameID format needs."
                )
            return NameIdBuilder.get_nameid_email(value)
        return NameIdBuilder.get_nameid_unspecified(value)

    def persistent_id_exists(self, user, service_provider) -> bool:
        """Return whether the user already has a persistent NameID for this app's SP."""
        return PersistentId.objects.filter(sp=service_provider, user=user).exists()

    def create_identity(self, user, sp_attribute_mapping) -> dict[str, list[str]]:
        """Return {SP attribute name: [values]}, names exactly as configured."""
        identity: dict[str, list[str]] = {}
        # sp_attribute_mapping is the runtime's snapshot of the SamlAttribute rows, so the
        # rule for a value is here, once, rather than a query per sign-in for model methods.
        for attribute in sp_attribute_mapping:
            if attribute.source == SamlAttribute.CONSTANT:
                value = attribute.value
            else:
                value = _user_value(user, attribute.source)
            identity.setdefault(attribute.name, []).append(value)
        config = self.application.saml
        if config.include_group_attribute and config.group_attribute_name:
            identity[config.group_attribute_name] = sorted(
                user.user_groups.values_list("name", flat=True)
            )
        return identity
