"""Scenario 2: Redis stops while users sign in and use SSO on two nodes; nothing breaks."""

import threading
import time

from sso_apps.models import Application, Notification
from sso_apps.tasks import notification_deliver as notification_deliver_task
from sso_apps.tasks import notification_sweep as notification_sweep_task
from sso_apps.tests.cluster.harness import Browser, saml_response_fields
from sso_apps.tests.idp.sp_harness import OneLoginSp
from sso_apps.tests.integration.conftest import publishing_to, wait_for
from sso_apps.tests.integration.test_worker_delivery import delivered, subjects_by_recipient
from sso_apps.tests.notifications.helpers import application_make


def _logins(nodes, sp, email, password, stop, results):
    """Sign in and complete an SP-initiated login, round robin over the nodes, until stopped."""
    turn = 0
    while not stop.is_set():
        node = nodes[turn % len(nodes)]
        turn += 1
        browser = Browser()
        started = time.monotonic()
        ok = False
        try:
            url, request_id = sp.login_url()
            page = browser.sp_login(node, sp, url, email=email, password=password)
            if page.status_code == 200:
                _, fields = saml_response_fields(page)
                ok = sp.acs(fields, request_id).is_authenticated()
        except Exception as error:  # a hang or reset is a failure the test reports
            browser.answers.append((node.name, "?", "?", 0, "", repr(error)))
        results.append((started, time.monotonic(), ok, browser.answers))


def test_sign_in_and_sso_keep_working_through_a_redis_outage_and_nobody_is_signed_out(
    private_redis, node_factory, worker_factory, saml_app, member, administrator, password
):
    bookmark = application_make(label="Outage App", kind="bookmark")
    Application.objects.filter(pk=bookmark.pk).update(sso_active=True)
    worker = worker_factory(private_redis.url, SSO_APPS_NOTIFICATION_SWEEP_AFTER_MINUTES=0)
    real_broker = {"TESSERA_TEST_CELERY_EAGER": "0"}
    a, b = node_factory("a", "b", redis_url=private_redis.url, **real_broker)
    probe = Browser()
    assert probe.get(a, "/readyz").json()["checks"]["cache"] == "ok"
    signed_in_before = Browser()
    signed_in_before.console_sign_in(a, member.email, password)
    admin = Browser()
    admin.admin_sign_in(b, administrator.email, password)
    sp = OneLoginSp(idp_metadata_xml=probe.get(a, f"/saml2/{saml_app.idp_suffix}/metadata").text)

    results: list = []
    stop = threading.Event()
    load = threading.Thread(
        target=_logins, args=([a, b], sp, member.email, password, stop, results)
    )
    load.start()
    time.sleep(2)
    private_redis.stop()
    outage_started = time.monotonic()
    time.sleep(0.5)
    readiness = probe.get(a, "/readyz")
    signed_in_during = Browser()
    signed_in_during.console_sign_in(b, member.email, password)
    # An admin action while Redis is down: its notification cannot be queued now.
    action = admin.post(
        b,
        f"/admin/sso_apps/application/{bookmark.pk}/sso/deactivate/",
        {"csrfmiddlewaretoken": admin.session.cookies["csrftoken"]},
    )
    time.sleep(3)
    private_redis.start()
    outage_ended = time.monotonic()
    time.sleep(3)
    stop.set()
    load.join(timeout=60)

    assert readiness.status_code == 503
    assert readiness.json()["checks"]["cache"] == "unavailable"
    assert action.status_code == 302, action.text[:500]
    answers = [answer for *_, logged in results for answer in logged]
    answers += probe.answers + admin.answers + signed_in_during.answers
    server_errors = [x for x in answers if x[3] >= 500 or x[3] == 0]
    # Readiness answering 503 is its job; anything else must be a clean 503 at worst.
    assert all(x[2] == "/readyz" or (x[3] == 503 and x[4]) for x in server_errors), [
        x[:5] + (x[5][:300],) for x in server_errors if x[2] != "/readyz"
    ]
    during = [
        ok for started, ended, ok, _ in results if started > outage_started and ended < outage_ended
    ]
    assert during and all(during), f"{len(during)} logins ran inside the outage"
    assert all(ok for *_, ok, _ in results)

    # Redis came back empty (no persistence): sessions are read back from PostgreSQL.
    assert signed_in_before.signed_in(b) and signed_in_before.signed_in(a)
    assert signed_in_during.signed_in(a)
    assert probe.get(b, "/readyz").status_code == 200

    # The deactivation's notification, not queued during the outage, is delivered once.
    row = Notification.objects.get(kind="application.deactivated", recipient=administrator)
    with publishing_to(private_redis.url):
        notification_sweep_task.delay()
    wait_for(lambda: delivered(Notification.objects.filter(pk=row.pk), 1), timeout=45)
    sentinel = Notification.objects.create(
        recipient=administrator,
        kind="test.sentinel",
        title="Sentinel",
        body="-",
        channels=["email"],
    )
    with publishing_to(private_redis.url):
        notification_sweep_task.delay()
        notification_deliver_task.delay(row.pk)
        notification_deliver_task.delay(sentinel.pk)
    wait_for(lambda: delivered(Notification.objects.filter(pk=sentinel.pk), 1), timeout=30)
    assert subjects_by_recipient(worker, "[Tessera] SSO deactivated: Outage App") == [
        administrator.email
    ]
