import pytest
from django.core.management import call_command

from sso_apps.models import Application


@pytest.mark.django_db
def test_seed_demo_adds_the_tester_app_once_and_says_where_to_see_sso(
    settings, capsys, custom_saml_connector
):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    application = Application.objects.get()
    assert application.display_label == "Tessera SAML Tester" and application.sso_active
    out = capsys.readouterr().out
    assert 'click "Tessera SAML Tester"' in out
    assert "http://127.0.0.1:8000/sp-tester/acs" in out


@pytest.mark.django_db
def test_seed_demo_without_the_tester_says_how_to_turn_it_on(settings, capsys):
    settings.DEBUG = True
    settings.SP_TESTER_ENABLED = False
    call_command("seed_demo")
    assert not Application.objects.exists()
    assert "TESSERA_SP_TESTER_ENABLED" in capsys.readouterr().out
