"""The SAML IdP endpoints' Django side: views, one flow module per journey, runtime, processor."""
