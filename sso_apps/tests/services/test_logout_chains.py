import datetime

import pytest

from sso_apps.models import (
    Application,
    IssuedLogoutRequest,
    LogoutChain,
    LogoutChainStep,
    SamlConfig,
    SpSession,
)
from sso_apps.services.logout_chains import (
    logout_chain_create,
    logout_chain_finish,
    logout_chain_step_answer,
    logout_chain_step_send,
    logout_chains_purge,
)
from sso_apps.services.sp_sessions import sp_session_record

Status = LogoutChainStep.Status
EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"


@pytest.fixture
def two_apps(application_factory):
    with_slo = application_factory()
    SamlConfig.objects.filter(application=with_slo).update(
        sp_logout_url="https://sp.example.com/slo"
    )
    without_slo = application_factory()
    assert not without_slo.saml.sp_logout_url
    return Application.objects.get(pk=with_slo.pk), without_slo


def _record(application, user, *, key, index):
    return sp_session_record(
        session_key=key,
        user=user,
        application=application,
        name_id=user.email,
        name_id_format=EMAIL,
        session_index=index,
    )


@pytest.mark.django_db
def test_a_chain_lists_each_app_once_with_all_its_session_indexes(two_apps, user_factory):
    with_slo, without_slo = two_apps
    user = user_factory()
    rows = [
        _record(with_slo, user, key="a" * 32, index="id-1"),
        _record(with_slo, user, key="b" * 32, index="id-2"),
        _record(without_slo, user, key="a" * 32, index="id-3"),
    ]
    chain = logout_chain_create(user=user, browser_token="t0ken", sp_sessions=rows)
    steps = list(chain.steps.order_by("position"))
    assert [(s.application, s.status) for s in steps] == [
        (with_slo, Status.PENDING),
        (without_slo, Status.SKIPPED_NO_SLO),
    ]
    assert steps[0].session_indexes == ["id-1", "id-2"]
    assert chain.browser_token_hash != "t0ken" and len(chain.browser_token_hash) == 64
    assert not SpSession.objects.exists(), "the chain now holds what a logout must name"


@pytest.mark.django_db
def test_a_step_is_sent_once_and_answered_once(two_apps, user_factory):
    with_slo, _ = two_apps
    user = user_factory()
    chain = logout_chain_create(
        user=user,
        browser_token="t",
        sp_sessions=[_record(with_slo, user, key="a" * 32, index="id-1")],
    )
    step = chain.steps.get()
    assert logout_chain_step_send(step=step, request_id="_r1")
    # A second tab (or a double click) must not send a second LogoutRequest.
    assert not logout_chain_step_send(step=step, request_id="_r2")
    assert list(IssuedLogoutRequest.objects.values_list("request_id", flat=True)) == ["_r1"]
    assert logout_chain_step_answer(step=step, sp_status="x:Success", success=True)
    assert not logout_chain_step_answer(step=step, sp_status="x:Responder", success=False)
    step.refresh_from_db()
    assert step.status == Status.SUCCEEDED
    assert logout_chain_finish(chain=chain) and not logout_chain_finish(chain=chain)


@pytest.mark.django_db
def test_expired_chains_are_purged_with_their_steps(two_apps, user_factory):
    with_slo, _ = two_apps
    user = user_factory()
    old = logout_chain_create(
        user=user,
        browser_token="t",
        sp_sessions=[_record(with_slo, user, key="a" * 32, index="id-1")],
    )
    logout_chain_create(
        user=user,
        browser_token="u",
        sp_sessions=[_record(with_slo, user, key="b" * 32, index="id-2")],
    )
    LogoutChain.objects.filter(pk=old.pk).update(
        expires_at=old.created_at - datetime.timedelta(seconds=1)
    )
    assert logout_chains_purge() == 2  # the chain and its step
    assert LogoutChain.objects.count() == 1 and LogoutChainStep.objects.count() == 1
