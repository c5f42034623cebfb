import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_account_page_shows_name_email_and_groups(client, member):
    client.force_login(member)
    page = client.get(reverse("console:account")).text
    assert "tiles@example.com" in page and "Tile group" in page


@pytest.mark.django_db
def test_password_change_applies_django_validators(client, member, password):
    client.force_login(member)
    url = reverse("console:account")
    weak = client.post(
        url, {"old_password": password, "new_password1": "123", "new_password2": "123"}
    )
    assert weak.status_code == 200 and "too short" in weak.text
    strong = "Plinth-Harbour-Quartz-71"
    response = client.post(
        url, {"old_password": password, "new_password1": strong, "new_password2": strong}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(strong)
    assert client.get(reverse("console:home")).status_code == 200
