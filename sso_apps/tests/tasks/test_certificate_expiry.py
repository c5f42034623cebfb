from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from sso_apps.models import CertificateExpiryWarning, IdpKeyPair, Notification
from sso_apps.services import certificate_expiry as service
from sso_apps.services.key_pairs import key_pair_generate
from sso_apps.tasks import certificate_expiry_warn as certificate_expiry_warn_task
from sso_apps.tests.notifications.helpers import application_make

pytestmark = pytest.mark.django_db

EXPIRES = timezone.now().replace(microsecond=0) + timedelta(days=400)


@pytest.fixture
def clock():
    """Freeze the service's clock at a given time before the certificate's expiry."""
    state = {"now": EXPIRES - timedelta(days=365)}

    def set_before_expiry(**delta):
        state["now"] = EXPIRES - timedelta(**delta)
        return state["now"]

    with mock.patch.object(service, "_now", side_effect=lambda: state["now"]):
        yield set_before_expiry


@pytest.fixture
def certificate(administrator):
    application = application_make(label="Salesforce")
    key_pair = application.key_pairs.get(status=IdpKeyPair.Status.ACTIVE)
    IdpKeyPair.objects.filter(pk=key_pair.pk).update(not_after=EXPIRES)
    key_pair.refresh_from_db()
    return key_pair


def warn(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return [warning.threshold for warning in service.certificate_expiry_warn()]


@pytest.mark.parametrize(
    ("before_expiry", "threshold"),
    [
        ({"days": 61}, None),
        ({"days": 60}, "60d"),
        ({"days": 31}, "60d"),
        ({"days": 30}, "30d"),
        ({"days": 8}, "30d"),
        ({"days": 7}, "7d"),
        ({"hours": 25}, "7d"),
        ({"hours": 24}, "24h"),
        ({"minutes": 5}, "24h"),
        ({"days": -1}, "24h"),
    ],
)
def test_thresholds_reached_at_each_distance_from_expiry(before_expiry, threshold):
    now = EXPIRES - timedelta(**before_expiry)

    reached = service.thresholds_reached(not_after=EXPIRES, now=now)

    assert (reached[-1] if reached else None) == threshold


def test_each_threshold_is_notified_once_per_certificate(
    certificate, administrator, clock, django_capture_on_commit_callbacks
):
    days = [61, 60, 59, 45, 30, 29, 7, 6, 1, 1 / 24]
    sent = []
    for before in days:
        clock(days=before)
        sent.append(warn(django_capture_on_commit_callbacks))

    assert sent == [[], ["60d"], [], [], ["30d"], [], ["7d"], [], ["24h"], []]
    titles = list(
        Notification.objects.filter(kind="certificate.expiring")
        .order_by("pk")
        .values_list("title", flat=True)
    )
    assert titles == [
        "IdP certificate expires within 60 days: Salesforce",
        "IdP certificate expires within 30 days: Salesforce",
        "IdP certificate expires within 7 days: Salesforce",
        "IdP certificate expires within 24 hours: Salesforce",
    ]
    assert len(mail.outbox) == 4
    assert certificate.fingerprint_sha256 in mail.outbox[0].body


def test_running_twice_on_the_same_day_warns_nobody_twice(
    certificate, administrator, second_administrator, clock, django_capture_on_commit_callbacks
):
    clock(days=30)

    assert warn(django_capture_on_commit_callbacks) == ["30d"]
    assert warn(django_capture_on_commit_callbacks) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert certificate_expiry_warn_task.delay().get() == 0

    assert Notification.objects.filter(kind="certificate.expiring").count() == 2  # 2 admins
    assert len(mail.outbox) == 2


def test_a_certificate_found_close_to_expiry_gets_only_the_tightest_warning(
    certificate, administrator, clock, django_capture_on_commit_callbacks
):
    clock(days=5)
    assert warn(django_capture_on_commit_callbacks) == ["7d"]
    recorded = dict(certificate.expiry_warnings.values_list("threshold", "notified"))
    assert recorded == {"60d": False, "30d": False, "7d": True}

    clock(days=4)
    assert warn(django_capture_on_commit_callbacks) == []
    clock(hours=12)
    assert warn(django_capture_on_commit_callbacks) == ["24h"]
    assert Notification.objects.filter(kind="certificate.expiring").count() == 2


def test_an_expired_active_certificate_is_reported_as_expired(
    certificate, administrator, clock, django_capture_on_commit_callbacks
):
    clock(days=-2)

    assert warn(django_capture_on_commit_callbacks) == ["24h"]
    assert Notification.objects.get().title == "IdP certificate expired: Salesforce"


def test_only_active_certificates_are_watched_and_a_rotation_starts_afresh(
    certificate, administrator, clock, django_capture_on_commit_callbacks
):
    clock(days=20)
    assert warn(django_capture_on_commit_callbacks) == ["30d"]

    new = key_pair_generate(application=certificate.application)
    IdpKeyPair.objects.filter(pk=new.pk).update(not_after=EXPIRES)

    # The old pair is inactive now; the new one has its own thresholds.
    assert warn(django_capture_on_commit_callbacks) == ["30d"]
    assert CertificateExpiryWarning.objects.filter(key_pair=new, notified=True).count() == 1


def test_warnings_go_to_administrators_only(
    certificate,
    administrator,
    second_administrator,
    reader,
    clock,
    django_capture_on_commit_callbacks,
):
    clock(days=7)

    warn(django_capture_on_commit_callbacks)

    recipients = Notification.objects.values_list("recipient__email", flat=True)
    assert sorted(recipients) == ["root.admin@example.com", "second.admin@example.com"]
    assert Notification.objects.filter(actor__isnull=False).count() == 0


def test_a_threshold_can_be_recorded_only_once(certificate):
    CertificateExpiryWarning.objects.create(
        key_pair=certificate, threshold="7d", not_after=certificate.not_after
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        CertificateExpiryWarning.objects.create(
            key_pair=certificate, threshold="7d", not_after=certificate.not_after
        )
