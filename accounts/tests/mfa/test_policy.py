import pytest
from django.test import RequestFactory

from accounts.mfa.selectors import user_mfa_required, user_needs_second_step
from accounts.mfa.services import recovery_codes_generate, totp_device_begin
from accounts.sessions import authentication_record, authentication_record_add


@pytest.mark.django_db
@pytest.mark.parametrize(("setting", "expected"), [(True, True), (False, False)])
def test_staff_need_mfa_when_the_setting_says_so(settings, admin_factory, setting, expected):
    settings.TESSERA_MFA_REQUIRED_FOR_STAFF = setting
    assert user_mfa_required(user=admin_factory("read_only")) is expected


@pytest.mark.django_db
def test_members_of_an_mfa_required_group_need_mfa(user_factory, group_factory):
    user = user_factory()
    group_factory(members=[user])
    assert not user_mfa_required(user=user)
    group_factory(members=[user], mfa_required=True)
    assert user_mfa_required(user=user)


@pytest.mark.django_db
def test_recovery_codes_or_an_unconfirmed_app_alone_do_not_make_a_second_step(user_factory):
    user = user_factory()
    recovery_codes_generate(user=user, count=1)
    totp_device_begin(user=user)
    assert not user_needs_second_step(user=user)


def test_authentication_record_keeps_methods_and_the_latest_time(rf: RequestFactory):
    request = rf.get("/")
    request.session = {}
    assert authentication_record(request) == (frozenset(), None)
    authentication_record_add(request, "pwd", at=1_800_000_000)
    authentication_record_add(request, "otp", at=1_800_000_060)
    methods, at = authentication_record(request)
    assert methods == {"pwd", "otp"}
    assert int(at.timestamp()) == 1_800_000_060 and at.tzinfo is not None
    with pytest.raises(ValueError):
        authentication_record_add(request, "sms")


def test_a_tampered_record_is_ignored(rf):
    request = rf.get("/")
    request.session = {"_tessera_authentication_methods": {"pwd": "x", "magic": 1}}
    assert authentication_record(request) == (frozenset(), None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("totp", "group_mfa", "expected"),
    [
        (None, False, False),
        ("unconfirmed", False, False),
        ("confirmed", False, True),
        (None, True, True),
        ("confirmed", True, True),
    ],
)
def test_second_step_is_due_for_a_confirmed_app_or_an_mfa_group_in_one_query(
    user_factory, group_factory, django_assert_num_queries, totp, group_mfa, expected
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user, other = user_factory(), user_factory()
    group_factory(members=[user], mfa_required=group_mfa)
    # Another user's factor and MFA group must not count for this one.
    TOTPDevice.objects.create(user=other, name="other", confirmed=True)
    group_factory(members=[other], mfa_required=True)
    if totp:
        TOTPDevice.objects.create(user=user, name="app", confirmed=totp == "confirmed")
    with django_assert_num_queries(1):
        assert user_needs_second_step(user=user) is expected


@pytest.mark.django_db
def test_staff_need_a_second_step_without_a_query_when_the_setting_says_so(
    settings, admin_factory, django_assert_num_queries
):
    settings.TESSERA_MFA_REQUIRED_FOR_STAFF = True
    staff = admin_factory("read_only")
    with django_assert_num_queries(0):
        assert user_needs_second_step(user=staff)
