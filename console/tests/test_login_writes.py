"""A console sign-in commits its writes together."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "engine", ["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cache"]
)
def test_a_password_sign_in_writes_in_one_transaction(settings, user_factory, password, engine):
    settings.SESSION_ENGINE = engine
    user = user_factory(email="once@example.com")
    client = Client()
    client.post(reverse("console:login"), {"email": user.email, "password": "wrong"})
    outside = []

    def watch(execute, sql, params, many, context):
        if WRITE.match(sql) and not connection.in_atomic_block and "django_session" not in sql:
            outside.append(sql[:80])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        response = client.post(
            reverse("console:login"), {"email": user.email, "password": password}
        )
    assert response.status_code == 302
    # The session row itself is saved as the response leaves (SessionMiddleware).
    assert outside == []
