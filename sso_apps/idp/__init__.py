"""The SAML IdP endpoints' Django side: per-application runtime, processor and flows."""
