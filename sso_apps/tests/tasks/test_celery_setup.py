import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

from portal.celery import app
from sso_apps import tasks

ROOT = Path(__file__).resolve().parents[3]
OUR_TASKS = sorted(name for name in app.tasks if name.startswith("sso_apps."))


def test_every_task_has_time_limits_and_is_redelivered_when_its_worker_dies():
    assert OUR_TASKS, "no sso_apps task is registered"
    for name in OUR_TASKS:
        task = app.tasks[name]
        assert task.soft_time_limit and task.time_limit, name
        assert task.soft_time_limit < task.time_limit, name
        assert task.acks_late is True, name
        assert task.reject_on_worker_lost is True, name


def test_the_beat_schedule_runs_the_sweepers_every_minute_and_the_expiry_check_daily():
    schedule = app.conf.beat_schedule
    assert {entry["task"] for entry in schedule.values()} <= set(OUR_TASKS)
    assert schedule["notification-sweep"]["schedule"] == 60.0
    assert schedule["application-deletion-job-sweep"]["schedule"] == 60.0
    daily = schedule["certificate-expiry-warn"]["schedule"]
    assert daily.hour == {6} and daily.minute == {0}


def test_the_broker_gives_back_unacknowledged_messages_only_after_the_longest_backoff(settings):
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert visibility > settings.SSO_APPS_NOTIFICATION_RETRY_MAX_SECONDS


@pytest.mark.django_db
def test_tasks_are_queued_only_when_the_transaction_commits(django_capture_on_commit_callbacks):
    task = mock.Mock(name="task")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tasks.enqueue_on_commit(task, 7)
    task.delay.assert_not_called()

    callbacks[0]()
    task.delay.assert_called_once_with(7)


@pytest.mark.parametrize(
    ("eager_env", "expected"),
    [(None, "True memory://localhost/"), ("0", "False redis://127.0.0.1:6399/15")],
)
def test_test_settings_are_eager_unless_a_harness_turns_it_off(eager_env, expected):
    environment = {k: v for k, v in os.environ.items() if k != "TESSERA_TEST_CELERY_EAGER"}
    environment.update(
        DJANGO_SETTINGS_MODULE="portal.settings.test", REDIS_URL="redis://127.0.0.1:6399/15"
    )
    if eager_env is not None:
        environment["TESSERA_TEST_CELERY_EAGER"] = eager_env
    code = (
        "import django; django.setup(); from portal.celery import app; "
        "print(app.conf.task_always_eager, app.conf.broker_url)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
