"""Stock djangosaml2idp 0.7.2, configured as its README documents: the benchmarks' baseline.

Nothing here imports Tessera, and Tessera never imports this: it runs in its own
processes with DJANGO_SETTINGS_MODULE=benchmarks.baseline.project.settings.
"""
