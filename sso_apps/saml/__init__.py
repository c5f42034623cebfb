"""SAML 2.0 building blocks for the Tessera identity provider."""
