import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree_for_every_installed_app():
    # Also guards third-party apps: a pending migration for one of them would have to be
    # written into site-packages, which a fresh install does not have.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
