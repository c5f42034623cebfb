"""Writes for SSO applications, one module per concern: `<entity>_<action>` functions."""
