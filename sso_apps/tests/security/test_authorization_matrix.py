"""Authorization matrix: every URL pattern x five roles x GET/POST gets the expected status.

Each row of MATRIX is keyed by URL name (or by route, for unnamed patterns) and gives,
per role, the expected (GET, POST) statuses. LOGIN means "302 to a sign-in page".
Adding a URL means adding one row; a pattern without a row fails
test_every_url_pattern_has_a_row_in_the_matrix.
"""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from sso_apps.idp.runtime import runtimes
from sso_apps.models import Application, AuditEvent
from sso_apps.tests.security.authz_urls import Route, routes, url_for
from sso_apps.tests.security.authz_world import ROLE_NAMES, database_snapshot, world_build

LOGIN = "login"


def row(anonymous, end_user, other_user, read_only, administrator) -> dict:
    statuses = (anonymous, end_user, other_user, read_only, administrator)
    return dict(zip(ROLE_NAMES, statuses, strict=True))


def admin_page(*, read_only=(200, 403), administrator=(200, 200)) -> dict:
    """An Admin Portal view: anonymous -> admin sign-in, end users -> 403, staff as given."""
    return row((LOGIN, LOGIN), (403, 403), (403, 403), read_only, administrator)


def model_admin(
    prefix: str,
    *,
    changelist=((200, 200), (200, 302)),
    add=((403, 403), (200, 200)),
    history=((200, 200), (200, 200)),
    delete=((403, 403), (200, 302)),
    change=((200, 403), (200, 200)),
    redirect=((302, 302), (302, 302)),
) -> dict:
    """Rows for the standard ModelAdmin URLs of one model; each value is (Read Only, Admin).

    Read Only POSTs that answer 200 (changelist actions, history) are checked to change
    nothing by the database snapshot, like every other Read Only POST.
    """
    app_label, model = prefix.split(".")
    name = f"admin:{app_label}_{model}"
    return {
        f"{name}_changelist": admin_page(read_only=changelist[0], administrator=changelist[1]),
        f"{name}_add": admin_page(read_only=add[0], administrator=add[1]),
        f"{name}_history": admin_page(read_only=history[0], administrator=history[1]),
        f"{name}_delete": admin_page(read_only=delete[0], administrator=delete[1]),
        f"{name}_change": admin_page(read_only=change[0], administrator=change[1]),
        f"admin/{app_label}/{model}/<path:object_id>/": admin_page(
            read_only=redirect[0], administrator=redirect[1]
        ),
    }


FORBIDDEN = ((403, 403), (403, 403))

MATRIX = {
    # Public and console pages.
    "": row(*[(302, 302)] * 5),
    # Probes answer everyone (load balancers sign in as no one); GET only.
    "healthz": row(*[(200, 405)] * 5),
    "readyz": row(*[(200, 405)] * 5),
    "console:home": row((LOGIN, LOGIN), *[(200, 200)] * 4),
    "console:account": row((LOGIN, LOGIN), *[(200, 200)] * 4),
    # Signed-in users are sent on from the sign-in page; a POST without fields is re-shown.
    "console:login": row((200, 200), *[(302, 200)] * 4),
    # ForceAuthn's password prompt for the signed-in user; a POST without one is re-shown.
    "console:reauthenticate": row((LOGIN, LOGIN), *[(200, 200)] * 4),
    # A GET only asks a signed-in user to confirm; the POST signs out.
    "console:logout": row((LOGIN, LOGIN), *[(200, LOGIN)] * 4),
    # Only a browser that just signed out everywhere has a summary; everyone else signs in.
    "console:signed-out": row(*[(LOGIN, 405)] * 5),
    # Multi-factor pages. The second step belongs to a half-signed-in session only: anyone
    # without one is sent to the sign-in page, signed-in users on to the console.
    "console:mfa_verify": row((LOGIN, LOGIN), *[(302, 302)] * 4),
    "console:mfa_cancel": row((405, LOGIN), *[(405, 302)] * 4),
    # A POST only confirms an enrolment its page began (none here): back to a fresh page.
    "console:mfa_setup": row((LOGIN, LOGIN), *[(200, 302)] * 4),
    # Replacing recovery codes needs the account page's generate=1; without it, back there.
    "console:mfa_recovery_codes": row((405, LOGIN), *[(405, 302)] * 4),
    # Only right after a first enrolment does it show codes; otherwise back to the account.
    "console:mfa_recovery_codes_new": row((LOGIN, 405), *[(302, 405)] * 4),
    # Removing names a factor of one's own in the POST; none named is a 404.
    "console:mfa_factor_remove": row((405, LOGIN), *[(405, 404)] * 4),
    "console:mfa_confirm_password": row((LOGIN, LOGIN), *[(200, 200)] * 4),
    # The step-up page serves only a login waiting for a second factor (none here): back
    # to the console for signed-in users.
    "console:mfa_step_up": row((LOGIN, LOGIN), *[(302, 302)] * 4),
    # django-otp-webauthn's JSON API, bound to our flow (console.mfa.webauthn): registering
    # is for signed-in users (the begin step issues a challenge); authenticating only for a
    # half-signed-in session, so everyone here gets 403.
    "otp_webauthn:credential-registration-begin": row((405, 403), *[(405, 200)] * 4),
    "otp_webauthn:credential-registration-complete": row((405, 403), *[(405, 400)] * 4),
    "otp_webauthn:credential-authentication-begin": row(*[(405, 403)] * 5),
    "otp_webauthn:credential-authentication-complete": row(*[(405, 403)] * 5),
    "otp_webauthn:js-i18n-catalog": row(*[(200, 405)] * 5),
    # SAML endpoints: no SAMLRequest is a 400 for everyone; metadata is public.
    "saml:sso": row(*[(400, 400)] * 5),
    "saml:slo": row(*[(400, 400)] * 5),
    "saml:slo-confirm": row(*[(405, 400)] * 5),
    # A logout chain continues only in the browser that started it, whoever is signed in.
    "saml:logout-chain": row(*[(403, 403)] * 5),
    "saml:continue": row((LOGIN, LOGIN), *[(400, 405)] * 4),
    # IdP-initiated SSO only for members of an authorised group.
    "saml:init": row((LOGIN, LOGIN), (200, 200), (403, 403), (403, 403), (403, 403)),
    "saml:metadata": row(*[(200, 200)] * 5),
    # The built-in test SP is off unless SP_TESTER_ENABLED (dev only): 404 for everyone here
    # (405 for a method the page never takes);
    # sp_tester/tests covers it switched on. It is an SP, so it has no roles of its own.
    "sp_tester:home": row(*[(404, 405)] * 5),
    "sp_tester:login": row(*[(405, 404)] * 5),
    "sp_tester:acs": row(*[(405, 404)] * 5),
    "sp_tester:logout": row(*[(405, 404)] * 5),
    "sp_tester:sls": row(*[(404, 405)] * 5),
    "sp_tester:metadata": row(*[(404, 405)] * 5),
    r"^media/(?P<path>portal-images/[\w.-]+)$": row(*[(200, 200)] * 5),
    # Admin site pages.
    "admin:index": admin_page(read_only=(200, 200)),
    # The sign-in page answers everyone; signed-in staff are sent on to the index.
    "admin:login": row((200, 200), *[(200, 200)] * 2, (302, 200), (302, 200)),
    "admin:logout": row((302, 302), (403, 403), (403, 403), (405, LOGIN), (405, LOGIN)),
    "admin:password_change": admin_page(read_only=(200, 200)),
    "admin:password_change_done": admin_page(read_only=(200, 405), administrator=(200, 405)),
    "admin:autocomplete": admin_page(read_only=(200, 405), administrator=(200, 405)),
    "admin:jsi18n": admin_page(read_only=(200, 405), administrator=(200, 405)),
    "admin:view_on_site": admin_page(read_only=(302, 302), administrator=(302, 302)),
    "admin:app_list": admin_page(read_only=(200, 200)),
    # The bell's dropdown: the signed-in admin's own notifications, GET only.
    "admin:sso_apps_notification_dropdown": admin_page(
        read_only=(200, 405), administrator=(200, 405)
    ),
    r"admin/(?P<url>.*)$": admin_page(read_only=(404, 404), administrator=(404, 404)),
    # Django's own auth models are for superusers only: no role grants itself rights.
    **model_admin(
        "auth.group",
        changelist=FORBIDDEN,
        add=FORBIDDEN,
        history=FORBIDDEN,
        delete=FORBIDDEN,
        change=FORBIDDEN,
    ),
    # Users and user groups.
    **model_admin(
        "accounts.user",
        add=((403, 403), (200, 200)),
        delete=((403, 403), (200, 302)),
    ),
    "admin:auth_user_password_change": admin_page(read_only=(403, 403)),
    **model_admin("accounts.usergroup", delete=((403, 403), (200, 302))),
    "admin:accounts_usergroup_applications": admin_page(
        read_only=(200, 403), administrator=(200, 302)
    ),
    # Sign-in throttling records: Administrators may edit or clear them, never add.
    **model_admin(
        "axes.accessattempt",
        changelist=((200, 302), (200, 302)),
        add=FORBIDDEN,
        delete=((403, 403), (200, 302)),
        change=((200, 403), (200, 302)),
    ),
    **model_admin(
        "axes.accessfailurelog",
        add=FORBIDDEN,
        delete=((403, 403), (200, 302)),
        change=((200, 403), (200, 302)),
    ),
    **model_admin(
        "axes.accesslog",
        add=FORBIDDEN,
        delete=((403, 403), (200, 302)),
        change=((200, 403), (200, 302)),
    ),
    # Applications and their tabs.
    **model_admin(
        "sso_apps.application",
        # Its list is a custom page; deletion asks for the typed count (see test_lifecycle).
        changelist=((200, 403), (200, 302)),
        add=((403, 403), (200, 405)),
        delete=((403, 403), (200, 200)),
        change=((200, 403), (200, 200)),
    ),
    "admin:sso_apps_application_add_general": admin_page(
        read_only=(403, 403), administrator=(302, 302)
    ),
    "admin:sso_apps_application_created": admin_page(administrator=(200, 405)),
    "admin:sso_apps_application_sso": admin_page(),
    "admin:sso_apps_application_groups": admin_page(administrator=(200, 302)),
    "admin:sso_apps_application_certificate": admin_page(administrator=(200, 405)),
    "admin:sso_apps_application_metadata": admin_page(administrator=(200, 405)),
    # GET only; without ?q= it shows the user picker and builds nothing.
    "admin:sso_apps_application_preview": admin_page(administrator=(200, 405)),
    "admin:sso_apps_application_import_metadata": admin_page(
        read_only=(405, 403), administrator=(405, 200)
    ),
    # An empty URL removes the (absent) metadata URL; a refresh without one says so.
    "admin:sso_apps_application_metadata_url": admin_page(
        read_only=(405, 403), administrator=(405, 302)
    ),
    "admin:sso_apps_application_metadata_refresh": admin_page(
        read_only=(405, 403), administrator=(405, 302)
    ),
    "admin:sso_apps_application_key_pair_upload": admin_page(
        read_only=(405, 403), administrator=(405, 200)
    ),
    "admin:sso_apps_application_regenerate": admin_page(
        read_only=(403, 403), administrator=(200, 302)
    ),
    "admin:sso_apps_application_activate": admin_page(
        read_only=(405, 403), administrator=(405, 302)
    ),
    "admin:sso_apps_application_deactivate": admin_page(
        read_only=(403, 403), administrator=(200, 302)
    ),
    # Catalog, audit trail and deletion jobs are read-only for every role.
    **model_admin(
        "sso_apps.connectortemplate",
        changelist=((200, 200), (200, 200)),
        add=FORBIDDEN,
        delete=FORBIDDEN,
        change=((200, 403), (200, 403)),
    ),
    **model_admin(
        "sso_apps.auditevent",
        changelist=((200, 200), (200, 200)),
        add=FORBIDDEN,
        delete=FORBIDDEN,
        change=((200, 403), (200, 403)),
    ),
    **model_admin(
        "sso_apps.applicationdeletionjob",
        changelist=((200, 200), (200, 200)),
        add=FORBIDDEN,
        delete=FORBIDDEN,
        change=((302, 302), (302, 302)),
    ),
    "admin:sso_apps_applicationdeletionjob_progress": admin_page(read_only=(200, 200)),
    "admin:sso_apps_applicationdeletionjob_progress_json": admin_page(read_only=(200, 200)),
    # Notifications: each admin sees only their own inbox (the seeded one is the
    # Administrator's), so another admin's id is a 404; the per-row pages redirect.
    **model_admin(
        "sso_apps.notification",
        # Its only action is "mark read", so a delete_selected POST is sent back to the list.
        changelist=((200, 302), (200, 302)),
        add=FORBIDDEN,
        history=((302, 302), (200, 200)),
        delete=FORBIDDEN,
        change=((302, 302), (200, 403)),
    ),
    "admin:sso_apps_notification_read_all": admin_page(
        read_only=(405, 302), administrator=(405, 302)
    ),
    "admin:sso_apps_notification_read": admin_page(read_only=(405, 404), administrator=(405, 302)),
}

QUERIES = {
    "admin:autocomplete": "app_label=accounts&model_name=usergroup&field_name=members&term=e",
}


def _post_data(route: Route, world) -> dict:
    """Return a POST body that would change something if the role were allowed to."""
    if route.key.endswith("_delete"):
        return {"post": "yes"}
    if route.key.endswith("_changelist"):
        label = route.route.split("/")[1] + "." + route.route.split("/")[2]
        return {
            "action": "delete_selected",
            "_selected_action": [world.objects[label].pk],
            "index": "0",
            "post": "yes",
        }
    return {}


ROUTES = {route.key: route for route in routes()}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Build the rows once for the module; each request runs in a savepoint rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        runtimes.clear()
        world = world_build()
        # Sign each role in once; every request restores its session cookie (a sign-out
        # is undone with the rest of the request's savepoint).
        for role, user in world.users.items():
            if user is not None:
                client = Client()
                client.force_login(user)
                world.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield world
        transaction.set_rollback(True)
    runtimes.clear()


@pytest.fixture(autouse=True)
def _password_fresh_for_the_whole_run(settings):
    # NOTE: the roles sign in once per module; factor pages ask for the password again after
    # TESSERA_MFA_REAUTH_SECONDS, which a slow run of this module could pass midway.
    settings.TESSERA_MFA_REAUTH_SECONDS = 24 * 3600


def test_every_url_pattern_has_a_row_in_the_matrix():
    missing = sorted(set(ROUTES) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(ROUTES))
    assert not missing, f"URL patterns without a row in MATRIX: {missing}"
    assert not stale, f"MATRIX rows for URL patterns that no longer exist: {stale}"


@pytest.mark.django_db
def test_the_snapshot_sees_any_write_but_not_the_trail_of_a_refusal(world):
    actor = world.users["read_only"]
    with transaction.atomic():
        before = database_snapshot(actor=actor)
        AuditEvent.objects.create(action="access.denied", outcome=AuditEvent.Outcome.DENIED)
        assert database_snapshot(actor=actor) == before
        world.objects["accounts.usergroup"].members.remove(world.users["end_user"])
        assert database_snapshot(actor=actor) != before
        transaction.set_rollback(True)
    with transaction.atomic():
        Application.objects.filter(pk=world.application.pk).update(display_label="Changed")
        assert database_snapshot(actor=actor) != before
        transaction.set_rollback(True)
    assert database_snapshot(actor=actor) == before


def _request(world, route: Route, role: str, method: str) -> list[str]:
    """Send one request as the role; return what differs from the matrix (nothing if fine)."""
    expected = MATRIX[route.key][role][0 if method == "GET" else 1]
    runtimes.clear()
    cache.clear()
    client = Client()
    if role in world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    url = url_for(route, world, query=QUERIES.get(route.key, ""))
    read_only_post = role == "read_only" and method == "POST"
    before = database_snapshot(actor=world.users[role]) if read_only_post else None
    refusals = AuditEvent.objects.filter(outcome=AuditEvent.Outcome.DENIED).count()
    response = client.get(url) if method == "GET" else client.post(url, _post_data(route, world))
    status = response.status_code
    where = f"{method} {url} as {role}"
    problems = []
    if status >= 500:
        problems.append(f"{where}: server error {status}")
    elif expected == LOGIN:
        if status != 302 or "/login/" not in response.get("Location", ""):
            problems.append(f"{where}: {status} {response.get('Location', '')}, not to sign-in")
    elif status != expected:
        problems.append(f"{where}: {status}, expected {expected}")
    if status == 403 and AuditEvent.objects.filter(outcome="denied").count() == refusals:
        problems.append(f"{where}: a 403 without an audit event")
    after = database_snapshot(actor=world.users[role]) if read_only_post else None
    if after != before:
        changed = [label for label, digest in after.items() if before.get(label) != digest]
        problems.append(f"{where}: Read Only POST changed {changed}")
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize("key", list(MATRIX))
def test_each_role_gets_the_expected_status(world, key):
    problems = []
    for role in ROLE_NAMES:
        for method in ("GET", "POST"):
            # Each request starts from the same rows: an allowed write is undone after.
            with transaction.atomic():
                problems += _request(world, ROUTES[key], role, method)
                transaction.set_rollback(True)
    assert not problems, "\n".join(problems)
