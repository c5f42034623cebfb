import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_console_sign_in_locks_after_repeated_failures(client, user_factory, password, settings):
    user_factory(email="victim@example.com")
    url = reverse("console:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"email": "victim@example.com", "password": "wrong"})
    # Even the right password is refused while locked, and the page says why.
    response = client.post(url, {"email": "victim@example.com", "password": password})
    assert response.status_code == 429
    assert "too many failed sign-in attempts" in response.text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_admin_sign_in_locks_after_repeated_failures(client, admin_factory, password, settings):
    admin = admin_factory(email="boss@example.com")
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": admin.email, "password": "wrong"})
    response = client.post(url, {"username": admin.email, "password": password})
    assert response.status_code == 429
    assert "Sign-in temporarily locked" in response.text


@pytest.mark.django_db
def test_fewer_failures_than_the_limit_do_not_lock(client, user_factory, password, settings):
    user_factory(email="ok@example.com")
    url = reverse("console:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url, {"email": "ok@example.com", "password": "wrong"})
    response = client.post(url, {"email": "ok@example.com", "password": password})
    assert response.status_code == 302
