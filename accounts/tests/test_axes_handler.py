"""The django-axes handler counts and resets failures as upstream's does, in one query each."""

import datetime

import pytest
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.utils import timezone

from accounts.axes_handler import TesseraAxesHandler


def _attempt(username: str, ip: str, failures: int, *, age: datetime.timedelta | None = None):
    attempt = AccessAttempt.objects.create(
        username=username,
        ip_address=ip,
        failures_since_start=failures,
        user_agent="test",
        get_data="",
        post_data="",
        http_accept="*/*",
        path_info="/userconsole/login/",
    )
    if age is not None:
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=timezone.now() - age)


@pytest.fixture
def sign_in_request(rf):
    request = rf.post("/userconsole/login/", REMOTE_ADDR="10.0.0.1", HTTP_USER_AGENT="test")
    AxesProxyHandler.update_request(request)
    return request


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("attempts", "expected"),
    [
        ([], 0),
        # By username from several addresses: 3 + 1.
        ([("a@example.com", "10.0.0.1", 3), ("a@example.com", "10.0.0.9", 1)], 4),
        # By address for several usernames: 3 + 2 beats the username's 3 + 1.
        (
            [
                ("a@example.com", "10.0.0.1", 3),
                ("b@example.com", "10.0.0.1", 2),
                ("a@example.com", "10.0.0.9", 1),
            ],
            5,
        ),
        # Neither this username nor this address.
        ([("c@example.com", "10.0.0.7", 4)], 0),
    ],
)
def test_failures_are_the_largest_per_parameter_sum_in_one_query(
    sign_in_request, django_assert_num_queries, attempts, expected
):
    for username, ip, failures in attempts:
        _attempt(username, ip, failures)
    credentials = {"username": "A@example.com"}
    with django_assert_num_queries(1):
        failures = TesseraAxesHandler().get_failures(sign_in_request, credentials)
    assert failures == expected
    assert AxesDatabaseHandler().get_failures(sign_in_request, credentials) == expected


@pytest.mark.django_db
def test_failures_older_than_the_cool_off_do_not_count(sign_in_request, settings):
    _attempt("a@example.com", "10.0.0.1", 2)
    _attempt(
        "a@example.com", "10.0.0.9", 4, age=datetime.timedelta(hours=settings.AXES_COOLOFF_TIME + 1)
    )
    assert TesseraAxesHandler().get_failures(sign_in_request, {"username": "a@example.com"}) == 2


@pytest.mark.django_db
def test_a_reset_deletes_the_usernames_and_the_addresss_attempts_only(sign_in_request):
    _attempt("a@example.com", "10.0.0.1", 3)
    _attempt("b@example.com", "10.0.0.1", 2)
    _attempt("a@example.com", "10.0.0.9", 1)
    _attempt("c@example.com", "10.0.0.7", 4)
    count = TesseraAxesHandler().reset_user_attempts(sign_in_request, {"username": "a@example.com"})
    assert count == 3
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["c@example.com"]


def test_the_settings_use_this_handler(settings):
    assert settings.AXES_HANDLER == "accounts.axes_handler.TesseraAxesHandler"
