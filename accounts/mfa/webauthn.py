"""django-otp-webauthn configured from the request: RP ID and origin are this host's."""

from django_otp_webauthn.helpers import WebAuthnHelper


def rp_id(request) -> str:
    """Return the WebAuthn relying party ID: the host the user reached us on, without port.

    ALLOWED_HOSTS already limits which hosts reach here, and a browser accepts an RP ID only
    if it is the page's own registrable domain, so this cannot name a foreign site.
    """
    return request.get_host().rsplit(":", 1)[0] if request is not None else "localhost"


class TesseraWebAuthnHelper(WebAuthnHelper):
    """Expect the ceremony's origin to be the one this request came to.

    NOTE: upstream compares with a fixed OTP_WEBAUTHN_ALLOWED_ORIGINS list; ours follows
    ALLOWED_HOSTS and the scheme Django sees (SECURE_PROXY_SSL_HEADER in production), so the
    same settings work on http://127.0.0.1 in tests and on the public https origin.
    """

    def get_allowed_origins(self) -> list[str]:
        scheme = "https" if self.request.is_secure() else "http"
        return [f"{scheme}://{self.request.get_host()}"]
