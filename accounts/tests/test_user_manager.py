import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User


@pytest.mark.django_db
def test_create_user_normalises_email_to_lower_case():
    user = User.objects.create_user(email="  Ada.Lovelace@Example.COM ", username="ada")
    assert user.email == "ada.lovelace@example.com"


@pytest.mark.django_db
def test_email_is_unique_regardless_of_case():
    User.objects.create_user(email="ada@example.com", username="ada")
    with pytest.raises(ValidationError):
        User.objects.create_user(email="ADA@example.com", username="ada2")


@pytest.mark.django_db
def test_database_refuses_case_variant_email_written_around_the_manager():
    User.objects.create_user(email="ada@example.com", username="ada")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="Ada@Example.com", username="other")])


@pytest.mark.django_db
def test_user_without_password_is_created_with_unusable_one():
    user = User.objects.create_user(email="nopass@example.com", username="nopass")
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_create_superuser_sets_staff_and_superuser_flags():
    user = User.objects.create_superuser(email="root@example.com", username="root", password="x")
    assert user.is_staff and user.is_superuser and user.is_active


@pytest.mark.django_db
@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_create_superuser_refuses_a_false_flag(flag):
    with pytest.raises(ValueError):
        User.objects.create_superuser(email="r@example.com", username="r", **{flag: False})


@pytest.mark.django_db
def test_lookup_by_email_ignores_case(user_factory):
    user = user_factory(email="grace@example.com")
    assert User.objects.get_by_natural_key("GRACE@example.com") == user


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "active"),
    [(User.State.ACTIVE, True), (User.State.SUSPENDED, False), (User.State.STAGED, False)],
)
def test_only_active_state_counts_as_active(user_factory, state, active):
    assert user_factory(state=state).is_active is active
