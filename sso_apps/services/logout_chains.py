"""Writes of a "log out everywhere" chain: start it, and record what each step did."""

import datetime

from django.db import transaction

from sso_apps.conf import app_settings
from sso_apps.models import Application, LogoutChain, LogoutChainStep, SpSession
from sso_apps.services.sp_sessions import issued_logout_request_record
from tessera.clock import now as _now

Status = LogoutChainStep.Status


@transaction.atomic
def logout_chain_create(
    *,
    user,
    browser_token: str,
    sp_sessions: list[SpSession],
    origin_application: Application | None = None,
    origin_request_id: str = "",
    origin_issuer: str = "",
    origin_relay_state: str = "",
    origin_binding: str = "",
) -> LogoutChain:
    """Start a chain with one step per app these SP sessions reached, and forget the rows.

    An app is listed once, with every SessionIndex it was given for these IdP sessions;
    an app without an SP Logout URL gets a step that is skipped at once, so the user can
    be told it may still be signed in.
    """
    chain = LogoutChain(
        user=user,
        browser_token_hash=LogoutChain.token_hash(browser_token),
        origin_application=origin_application,
        origin_request_id=origin_request_id,
        origin_issuer=origin_issuer,
        origin_relay_state=origin_relay_state,
        origin_binding=origin_binding,
        expires_at=_now() + datetime.timedelta(seconds=app_settings.logout_chain_lifetime_seconds),
    )
    chain.full_clean()
    chain.save()
    by_app: dict[int, LogoutChainStep] = {}
    ordered = sorted(sp_sessions, key=lambda s: (s.created_at, s.pk))
    for sp_session in ordered:
        if origin_application is not None and sp_session.application_id == origin_application.pk:
            continue
        step = by_app.get(sp_session.application_id)
        if step is None:
            application = sp_session.application
            has_slo = bool(application.saml.sp_logout_url)
            step = LogoutChainStep(
                chain=chain,
                position=len(by_app),
                application=application,
                session_key=sp_session.session_key,
                name_id=sp_session.name_id,
                name_id_format=sp_session.name_id_format,
                session_indexes=[],
                status=Status.PENDING if has_slo else Status.SKIPPED_NO_SLO,
            )
            by_app[sp_session.application_id] = step
        # One LogoutRequest names one subject: a second NameID for the same app (issued
        # in another IdP session, with another format) cannot share it, so only the first
        # subject's SessionIndex values are sent.
        if sp_session.name_id == step.name_id and sp_session.name_id_format == step.name_id_format:
            step.session_indexes.append(sp_session.session_index)
    for step in by_app.values():
        step.full_clean(exclude={"chain", "application"})
    LogoutChainStep.objects.bulk_create(by_app.values())
    SpSession.objects.filter(pk__in=[s.pk for s in sp_sessions]).delete()
    return chain


@transaction.atomic
def logout_chain_step_send(*, step: LogoutChainStep, request_id: str) -> bool:
    """Mark the step sent with this LogoutRequest ID and remember it for its one answer.

    Return False if another request already sent or closed it (two tabs, a double click),
    so the same step is never sent twice.
    """
    claimed = LogoutChainStep.objects.filter(pk=step.pk, status=Status.PENDING).update(
        status=Status.SENT, request_id=request_id, sent_at=_now()
    )
    if not claimed:
        return False
    issued_logout_request_record(
        application=step.application,
        request_id=request_id,
        session_key=step.session_key,
        lifetime=datetime.timedelta(seconds=app_settings.logout_chain_lifetime_seconds),
    )
    step.refresh_from_db()
    return True


@transaction.atomic
def logout_chain_step_answer(*, step: LogoutChainStep, sp_status: str, success: bool) -> bool:
    """Record the SP's LogoutResponse to this step; False if it was no longer waiting."""
    status = Status.SUCCEEDED if success else Status.FAILED
    done = LogoutChainStep.objects.filter(pk=step.pk, status=Status.SENT).update(
        status=status, sp_status=sp_status[:256], answered_at=_now()
    )
    step.refresh_from_db()
    return bool(done)


@transaction.atomic
def logout_chain_step_close(*, step: LogoutChainStep, status: str, reason: str = "") -> bool:
    """Give up on a step (timed out, or it could not be sent); False if already closed."""
    done = LogoutChainStep.objects.filter(
        pk=step.pk, status__in=[Status.PENDING, Status.SENT]
    ).update(status=status, sp_status=reason[:256], answered_at=_now())
    step.refresh_from_db()
    return bool(done)


@transaction.atomic
def logout_chain_finish(*, chain: LogoutChain) -> bool:
    """Stamp the chain finished; return False if it already was (its answer went out once)."""
    done = LogoutChain.objects.filter(pk=chain.pk, finished_at__isnull=True).update(
        finished_at=_now()
    )
    chain.refresh_from_db()
    return bool(done)


def logout_chains_purge() -> int:
    """Delete chains that expired (their steps go with them)."""
    return LogoutChain.objects.filter(expires_at__lt=_now()).delete()[0]
