"""The one clock of the project, so tests freeze time through a single seam.

A module that needs the time imports `now` under its own `_now` name, as Django's
PasswordResetTokenGenerator does: a test then freezes that module's clock alone
(`mock.patch.object(module, "_now")`) and leaves every other module on real time.
"""

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    """Return the current time, timezone-aware."""
    return timezone.now()


def unix_seconds() -> int:
    """Return the current Unix time in whole seconds."""
    return int(now().timestamp())
