"""Helpers for tests that need real processes: a portal server on a spare local port."""
