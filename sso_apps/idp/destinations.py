"""Check, just before a SAML message is put in the page, where the browser will take it."""

from sso_apps.models import Application
from sso_apps.saml.errors import SamlConfigurationError, SpUrlError
from sso_apps.saml.sp_urls import sp_url_check


def sp_destination_check(
    *, application: Application, url: str, registered: tuple[str, ...] | None = None
) -> str:
    """Return the URL if a SAML message may be sent there; raise SamlConfigurationError.

    Every way in already enforces the SP URL rule; this re-check at render time stops a
    row written around the services (a raw UPDATE, an old row) from putting a
    javascript: URL into the auto-POST form or the redirect. With `registered`, the URL
    must also still be one of them (an ACS URL removed while a sign-in was pending).
    """
    try:
        sp_url_check(url, allow_http=application.saml.allow_http_sp_urls)
    except SpUrlError as error:
        # The URL itself stays out of the page: it may be the attacker's payload.
        raise SamlConfigurationError(
            "This application's service provider address is not a safe https:// URL, so "
            "nothing was sent. An administrator must correct it on the SSO tab."
        ) from error
    if registered is not None and url not in registered:
        raise SamlConfigurationError(
            "The ACS URL this sign-in was for is no longer registered for the application."
        )
    return url
