"""Views that meet an outage, for test_outage_pages (mounted only by that test)."""

import redis
from django.db import OperationalError, ProgrammingError
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def _database_gone(request):
    raise OperationalError("terminating connection due to administrator command")


def _redis_gone(request):
    raise redis.exceptions.ConnectionError(
        "Error 111 connecting to 127.0.0.1:1. Connection refused."
    )


def _bug(request):
    raise ProgrammingError('relation "nope" does not exist')


handler403 = "portal.views.permission_denied"
handler500 = "portal.views.server_error"
urlpatterns = [
    path("outage/database/", _database_gone),
    path("outage/redis/", _redis_gone),
    path("outage/bug/", _bug),
    *portal_urlpatterns,
]
