"""Shared parts of every benchmark: timing, the RSA floor F, query counting, databases, figures."""
