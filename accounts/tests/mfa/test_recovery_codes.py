import pytest

from accounts.mfa.services import mfa_code_verify, recovery_codes_generate
from accounts.models.recovery_codes import RecoveryCode, RecoveryCodeDevice, recovery_code_hash


@pytest.mark.django_db
def test_recovery_codes_are_stored_only_as_hashes(user_factory):
    user = user_factory()
    codes = recovery_codes_generate(user=user, count=10)
    assert len(set(codes)) == 10
    stored = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert stored == {recovery_code_hash(code) for code in codes}
    for code in codes:
        assert not RecoveryCode.objects.filter(code_hash__icontains=code.replace("-", "")).exists()


@pytest.mark.django_db
def test_a_recovery_code_works_once(user_factory):
    user = user_factory()
    code = recovery_codes_generate(user=user, count=3)[0]
    assert isinstance(mfa_code_verify(user=user, code=code.lower()), RecoveryCodeDevice)
    device = RecoveryCodeDevice.objects.get(user=user)
    device.throttle_reset()
    assert mfa_code_verify(user=user, code=code) is None
    assert device.remaining == 2


@pytest.mark.django_db
def test_a_recovery_code_of_another_user_is_refused(user_factory):
    alice, bob = user_factory(), user_factory()
    code = recovery_codes_generate(user=alice, count=1)[0]
    recovery_codes_generate(user=bob, count=1)
    assert mfa_code_verify(user=bob, code=code) is None


@pytest.mark.django_db
def test_generating_new_codes_voids_the_old_ones(user_factory):
    user = user_factory()
    old = recovery_codes_generate(user=user, count=2)
    recovery_codes_generate(user=user, count=2)
    assert mfa_code_verify(user=user, code=old[0]) is None
    assert RecoveryCodeDevice.objects.filter(user=user).count() == 1
