import pytest

from accounts.mfa.services import mfa_code_verify, totp_device_begin, totp_device_confirm
from accounts.tests.mfa.helpers import T0, rfc6238, totp_clock


@pytest.mark.django_db
def test_totp_enrolment_is_confirmed_only_by_a_current_code(user_factory):
    device = totp_device_begin(user=user_factory())
    with totp_clock(T0):
        assert not totp_device_confirm(device=device, token=rfc6238(device.bin_key, T0 - 120))
        # django-otp then throttles this device for a second (its own limiter, on top of axes).
        device.refresh_from_db()
        assert device.throttling_failure_count == 1
        device.throttle_reset()
        assert totp_device_confirm(device=device, token=rfc6238(device.bin_key, T0), name="Phone")
    device.refresh_from_db()
    assert device.confirmed and device.name == "Phone"


@pytest.mark.django_db
def test_a_totp_code_is_accepted_one_step_either_side_and_not_twice(user_factory):
    user = user_factory()
    device = totp_device_begin(user=user)
    with totp_clock(T0):
        assert totp_device_confirm(device=device, token=rfc6238(device.bin_key, T0))
    device.refresh_from_db()
    later = T0 + 300
    with totp_clock(later):
        code = rfc6238(device.bin_key, later - 30)
        assert mfa_code_verify(user=user, code=code) is not None
        # The same code again (a replay) is refused.
        device.refresh_from_db()
        device.throttle_reset()
        assert mfa_code_verify(user=user, code=code) is None
    with totp_clock(later + 600):
        assert mfa_code_verify(user=user, code=rfc6238(device.bin_key, later + 600 - 90)) is None


@pytest.mark.django_db
def test_an_unconfirmed_totp_device_does_not_verify_sign_in(user_factory):
    user = user_factory()
    device = totp_device_begin(user=user)
    with totp_clock(T0):
        assert mfa_code_verify(user=user, code=rfc6238(device.bin_key, T0)) is None


@pytest.mark.django_db
def test_beginning_again_replaces_an_unfinished_enrolment(user_factory):
    user = user_factory()
    first = totp_device_begin(user=user)
    second = totp_device_begin(user=user)
    assert first.pk != second.pk
    assert list(user.totpdevice_set.values_list("pk", flat=True)) == [second.pk]
