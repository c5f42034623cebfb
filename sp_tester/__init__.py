"""A built-in SAML test service provider that judges Tessera's Responses with python3-saml."""
