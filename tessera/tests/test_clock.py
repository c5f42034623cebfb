"""The shared clock: aware datetimes, and whole Unix seconds read from the same source."""

import datetime
from unittest import mock

from tessera import clock


def test_now_is_timezone_aware_and_current():
    before = datetime.datetime.now(datetime.UTC)
    current = clock.now()
    after = datetime.datetime.now(datetime.UTC)
    assert current.tzinfo is not None
    assert before <= current <= after


def test_unix_seconds_reads_the_same_clock_as_now():
    frozen = datetime.datetime(2030, 3, 17, 5, 6, 7, 900_000, tzinfo=datetime.UTC)
    with mock.patch.object(clock, "now", return_value=frozen):
        assert clock.unix_seconds() == 1_899_954_367
