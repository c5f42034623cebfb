import pytest
from django.core.management import call_command

from accounts.models import User, UserGroup


@pytest.mark.django_db
def test_seed_demo_twice_creates_no_duplicates(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (User.objects.count(), UserGroup.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), UserGroup.objects.count()) == counts
    assert counts == (22, 4)
    out = capsys.readouterr().out
    assert "/admin/" in out and "/userconsole/" in out and "admin@example.com" in out


@pytest.mark.django_db
def test_seed_demo_users_option_adds_that_many_and_shows_progress(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo", users=120)
    call_command("seed_demo", users=120)
    assert User.objects.filter(username__startswith="scale").count() == 120
    assert "120/120 users" in capsys.readouterr().out


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_with_debug_off(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")


@pytest.mark.django_db
def test_demo_users_generate_reports_each_batch_it_covered():
    from accounts.demo import demo_users_generate

    batches = []
    demo_users_generate(count=120, password="x", batch_size=50, on_batch=batches.append)
    assert batches == [50, 50, 20]
    # Existing users are skipped but still counted as covered, so the bar reaches the end.
    batches.clear()
    created = demo_users_generate(count=130, password="x", batch_size=50, on_batch=batches.append)
    assert (created, batches) == (10, [50, 50, 30])
