"""The page that walks the browser through a "log out everywhere" chain, one SP at a time."""

import logging

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from sso_apps import selectors
from sso_apps.idp import logout_chain as chain_flow
from sso_apps.idp.csp import csp_for_post_form
from sso_apps.idp.destinations import sp_destination_check
from sso_apps.idp.logout import LogoutReply, logout_response_create
from sso_apps.idp.runtime import runtimes
from sso_apps.models import AuditEvent
from sso_apps.saml.errors import SamlError
from sso_apps.saml.status import partial_logout
from sso_apps.services import logout_chains as chain_services
from sso_apps.services.audit import audit_record

logger = logging.getLogger(__name__)


@method_decorator(never_cache, name="dispatch")
class LogoutChainView(View):
    """GET: send the next LogoutRequest, wait for an answer, or finish. POST: "Continue"."""

    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        self.chain = chain_flow.browser_chain(http_request=request, chain_id=kwargs["chain_id"])
        if self.chain is None:
            # Someone else's link, or this browser's session was lost: continue nothing.
            event = audit_record(
                action="sso.logout.chain",
                request=request,
                outcome=AuditEvent.Outcome.DENIED,
                target_label=str(kwargs["chain_id"]),
                reason="Logout chain not started by this browser.",
            )
            return render(
                request,
                "403.html",
                {"reason": "This sign-out was not started in this browser.", "event": event},
                status=403,
            )
        if selectors.logout_chain_is_expired(self.chain):
            return render(
                request,
                "sso_apps/saml/logout_expired.html",
                {"steps": selectors.logout_chain_steps(self.chain)},
                status=410,
            )
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        chain_flow.logout_chain_skip(http_request=request, chain=self.chain)
        return HttpResponseRedirect(chain_flow.chain_url(self.chain))

    def get(self, request, *args, **kwargs):
        move = chain_flow.logout_chain_advance(http_request=request, chain=self.chain)
        if move.finished:
            return self.finish()
        application = move.step.application
        if move.outgoing is None:
            return render(
                request,
                "sso_apps/saml/logout_wait.html",
                {"application": application, "wait_seconds": move.wait_seconds},
            )
        if move.redirect_url:
            return HttpResponseRedirect(move.redirect_url)
        return self.post_form(application, move.outgoing)

    def post_form(self, application, outgoing) -> HttpResponse:
        context = {**outgoing.post_form_context(), "application": application}
        html = render_to_string("sso_apps/saml/logout_post_form.html", context, self.request)
        return csp_for_post_form(HttpResponse(html), outgoing.destination)

    def finish(self) -> HttpResponse:
        """Answer the SP that asked (once), or show the console's "Signed out" page."""
        chain = self.chain
        first_finish = chain_services.logout_chain_finish(chain=chain)
        origin = chain.origin_application
        if origin is None or not first_finish:
            return HttpResponseRedirect(reverse("console:signed-out"))
        reply = LogoutReply(
            request_id=chain.origin_request_id,
            issuer=chain.origin_issuer,
            relay_state=chain.origin_relay_state,
            binding=chain.origin_binding,
        )
        # Counted, not named: which other apps the user has is none of this SP's business.
        not_ended = chain_flow.logout_chain_not_ended(chain)
        status = (
            partial_logout(f"{len(not_ended)} other application(s) may still be signed in.")
            if not_ended
            else None
        )
        try:
            outgoing = logout_response_create(
                application=origin, runtime=runtimes.get(origin), reply=reply, status=status
            )
            # The SP's own registered Logout URL only: nothing the request said.
            sp_destination_check(application=origin, url=outgoing.destination)
            redirect_url = chain_flow.redirect_url_sign(origin, outgoing)
        except Exception as error:
            # As for each step (logout_chain_advance): a broken origin app costs its
            # answer, not a 500 after the user was already signed out everywhere.
            reason = (
                error.reason
                if isinstance(error, SamlError)
                else f"The LogoutResponse could not be built or signed ({type(error).__name__})."
            )
            if not isinstance(error, SamlError):
                logger.exception("LogoutResponse for application %s not built", origin.pk)
            audit_record(
                action="sso.logout",
                request=self.request,
                actor=chain.user,
                outcome=AuditEvent.Outcome.FAILURE,
                target=origin,
                application=origin,
                reason=reason,
            )
            return HttpResponseRedirect(reverse("console:signed-out"))
        audit_record(
            action="sso.logout",
            request=self.request,
            actor=chain.user,
            target=origin,
            application=origin,
            sp_entity_id=origin.saml.sp_entity_id,
            binding=outgoing.binding,
            reason=(
                "LogoutResponse sent after logging out everywhere"
                + (" (PartialLogout)." if status is not None else ".")
            ),
        )
        if redirect_url:
            return HttpResponseRedirect(redirect_url)
        return self.post_form(origin, outgoing)
