import pytest
from django.urls import reverse

from accounts.models import User


@pytest.mark.django_db
def test_console_requires_sign_in(client):
    response = client.get(reverse("console:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("console:login"))


@pytest.mark.django_db
def test_active_user_signs_in_with_email_in_any_case(client, user_factory, password):
    user = user_factory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    response = client.post(
        reverse("console:login"), {"email": "ADA@example.com", "password": password}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("console:home")
    home = client.get(reverse("console:home"))
    assert home.wsgi_request.user == user
    assert "Welcome, Ada Lovelace" in home.text
    assert "Your applications" in home.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "message"),
    [
        (User.State.SUSPENDED, "Your account is suspended"),
        (User.State.STAGED, "Your account has not been activated yet"),
    ],
)
def test_non_active_user_cannot_sign_in_and_is_told_why(
    client, user_factory, password, state, message
):
    user_factory(email="sus@example.com", state=state)
    response = client.post(
        reverse("console:login"), {"email": "sus@example.com", "password": password}
    )
    assert response.status_code == 200
    assert message in response.text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_wrong_password_of_suspended_user_does_not_reveal_the_state(client, user_factory):
    user_factory(email="sus@example.com", state=User.State.SUSPENDED)
    response = client.post(
        reverse("console:login"), {"email": "sus@example.com", "password": "wrong"}
    )
    assert "suspended" not in response.text
    assert "do not match an account" in response.text


@pytest.mark.django_db
def test_suspending_a_signed_in_user_ends_their_session(client, user_factory):
    user = user_factory()
    client.force_login(user)
    User.objects.filter(pk=user.pk).update(state=User.State.SUSPENDED)
    response = client.get(reverse("console:home"))
    assert response.status_code == 302


@pytest.mark.django_db
def test_sign_in_follows_a_safe_next_url_only(client, user_factory, password):
    user_factory(email="n@example.com")
    data = {"email": "n@example.com", "password": password, "next": "https://evil.example/"}
    response = client.post(reverse("console:login"), data)
    assert response["Location"] == reverse("console:home")


@pytest.mark.django_db
def test_logout_returns_to_console_sign_in(client, user_factory):
    client.force_login(user_factory())
    response = client.post(reverse("console:logout"))
    assert response["Location"] == reverse("console:login")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logout_by_get_only_asks_so_no_cross_site_link_signs_anyone_out(client, user_factory):
    client.force_login(user_factory(email="stay@example.com"))
    response = client.get(reverse("console:logout"))
    assert response.status_code == 200
    assert b"Sign out of Tessera?" in response.content
    assert f'action="{reverse("console:logout")}"'.encode() in response.content
    assert "_auth_user_id" in client.session
    assert client.get(reverse("console:home")).status_code == 200


@pytest.mark.django_db
def test_logout_by_get_when_signed_out_goes_to_sign_in(client):
    response = client.get(reverse("console:logout"))
    assert response["Location"] == reverse("console:login")


@pytest.mark.django_db
def test_logout_post_needs_the_csrf_token(user_factory):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user_factory())
    assert browser.post(reverse("console:logout")).status_code == 403
    assert "_auth_user_id" in browser.session


@pytest.mark.django_db
def test_signing_in_forgets_the_users_expired_sessions(client, user_factory, password):
    from django.contrib.sessions.models import Session

    from accounts.models import UserSession

    user = user_factory(email="again@example.com")
    url = reverse("console:login")
    client.post(url, {"email": user.email, "password": password})
    first = UserSession.objects.get(user=user).session_key
    Session.objects.filter(session_key=first).delete()  # it expired and was cleared
    client.cookies.clear()
    client.post(url, {"email": user.email, "password": password})
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    assert first not in keys and len(keys) == 1


@pytest.mark.django_db
def test_signed_in_user_opening_sign_in_goes_to_a_safe_next_url(client, user_factory):
    client.force_login(user_factory())
    url = reverse("console:login")
    assert client.get(url, {"next": "/admin/"})["Location"] == "/admin/"
    assert client.get(url, {"next": "https://evil.example/"})["Location"] == reverse("console:home")


@pytest.mark.django_db
def test_signed_in_user_may_sign_in_again_as_someone_else(client, user_factory, password):
    client.force_login(user_factory(email="first@example.com"))
    other = user_factory(email="second@example.com")
    response = client.post(reverse("console:login"), {"email": other.email, "password": password})
    assert response["Location"] == reverse("console:home")
    assert client.get(reverse("console:home")).wsgi_request.user == other


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["head", "options", "put"])
def test_sign_in_page_serves_only_get_and_post(client, method):
    assert getattr(client, method)(reverse("console:login")).status_code == 405
