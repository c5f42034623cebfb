"""Multi-factor sign-in: policy, TOTP issuer and WebAuthn relying party."""

from portal.settings.env import env

# Require a second factor for every staff account (Admin Portal users). prod.py turns it on.
TESSERA_MFA_REQUIRED_FOR_STAFF = env.bool("TESSERA_MFA_REQUIRED_FOR_STAFF", default=False)
# How long after the password step the second step (or the forced enrolment) may be finished.
TESSERA_MFA_PENDING_SECONDS = env.int("TESSERA_MFA_PENDING_SECONDS", default=600)
# Adding or removing a factor needs a password typed this recently.
TESSERA_MFA_REAUTH_SECONDS = env.int("TESSERA_MFA_REAUTH_SECONDS", default=300)
# How many recovery codes one generation gives.
TESSERA_MFA_RECOVERY_CODE_COUNT = 10

# The name authenticator apps show next to the code.
OTP_TOTP_ISSUER = env.str("TESSERA_MFA_TOTP_ISSUER", default="Tessera")
# NOTE: django-otp's TOTP drift tolerance: one step either side, the RFC 6238 advice.
OTP_TOTP_TOLERANCE = 1

# Passkeys are a second factor here, after the password; never a password replacement.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = env.str("TESSERA_MFA_WEBAUTHN_RP_NAME", default="Tessera")
# The RP ID and allowed origin come from the request's host (ALLOWED_HOSTS already limits
# it), so http://127.0.0.1 in tests and the public origin in production both work.
OTP_WEBAUTHN_HELPER_CLASS = "accounts.mfa.webauthn.TesseraWebAuthnHelper"
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = "django_otp_webauthn"
OTP_WEBAUTHN_RP_ID_CALLABLE = "accounts.mfa.webauthn.rp_id"
# NOTE: django-otp-webauthn's system checks want a non-empty list of secure origins here;
# TesseraWebAuthnHelper compares with the request's own origin instead (see its docstring).
OTP_WEBAUTHN_ALLOWED_ORIGINS = [
    env.str("TESSERA_BASE_URL", default="http://localhost:8000").rstrip("/")
    if env.str("TESSERA_BASE_URL", default="").startswith("https://")
    else "http://localhost:8000"
]
