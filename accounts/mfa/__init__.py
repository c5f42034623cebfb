"""Multi-factor sign-in: factors (TOTP, passkeys, recovery codes), policy and the second step.

Built on django-otp (devices, TOTP, session verification) and django-otp-webauthn (passkeys).
Recovery codes are our own device (`recovery.py`): django-otp's `otp_static` stores its
tokens in plaintext.
"""
