from sso_apps.tests.notifications.fixtures import (  # noqa: F401
    _fast_key_pairs,
    admin_request,
    reader,
    second_administrator,
)
