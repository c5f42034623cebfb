"""Forms of the SSO Applications screens; each validates input and hands off to a service."""
