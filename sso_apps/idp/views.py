"""The per-application SAML IdP endpoints under /saml2/<suffix>.

They subclass djangosaml2idp's views for their plumbing (login requirement, never_cache,
POST-form rendering, the processor hooks) and replace the request handling that falls
short upstream; each replaced part names the upstream defect where it is done.
"""

from urllib.parse import urlencode

from django.contrib.auth import SESSION_KEY, get_user_model
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from djangosaml2idp.views import IdPHandlerViewMixin, LoginProcessView, LogoutProcessView
from djangosaml2idp.views import SSOInitView as UpstreamSSOInitView

from sso_apps.idp import authn, detours, logout_chain, pending_login, post_binding
from sso_apps.idp import logout as logout_flow
from sso_apps.idp.audit import endpoint_audit
from sso_apps.idp.csp import csp_for_post_form
from sso_apps.idp.destinations import sp_destination_check
from sso_apps.idp.messages import OutgoingMessage
from sso_apps.idp.metadata import idp_metadata_xml
from sso_apps.idp.post_page import post_page_render
from sso_apps.idp.processors import TesseraProcessor
from sso_apps.idp.request_ids import RequestReplayError
from sso_apps.idp.runtime import endpoint_application, runtimes
from sso_apps.models import AuditEvent
from sso_apps.saml.constants import BindingName
from sso_apps.saml.errors import SamlError
from sso_apps.saml.status import SamlStatusRefusal, request_denied


class ApplicationEndpointMixin(IdPHandlerViewMixin):
    """Load the app for /saml2/<suffix> and its runtime; render outcomes with audit events."""

    login_html_template = "sso_apps/saml/post_form.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.application = endpoint_application(kwargs["suffix"], user=request.user)
        self.binding = ""

    def dispatch(self, request, *args, **kwargs):
        # A suspended or staged user's session no longer authenticates; tell them no with
        # a 403 rather than a sign-in page they cannot pass.
        blocked = None if request.user.is_authenticated else _session_user(request)
        if blocked is not None and not blocked.is_active:
            return self.deny(user=blocked, pending=self.waiting_passive_request())
        return super().dispatch(request, *args, **kwargs)

    def waiting_passive_request(self) -> "pending_login.PendingLogin | None":
        """The IsPassive AuthnRequest this endpoint is answering, if any (see SsoContinueView)."""
        return None

    @property
    def runtime(self):
        return runtimes.get(self.application)

    def audit(self, action, outcome, reason="", actor=None) -> AuditEvent:
        return endpoint_audit(
            http_request=self.request,
            application=self.application,
            action=action,
            outcome=outcome,
            binding=self.binding,
            reason=reason,
            actor=actor,
        )

    def refuse(self, action: str, reason: str, status: int = 400) -> HttpResponse:
        """Show why, with a 4xx status; never redirect anywhere the SP asked for."""
        # The page shows the event's time and reference, which the admin can search for.
        event = self.audit(action, AuditEvent.Outcome.FAILURE, reason)
        return render(
            self.request,
            "sso_apps/saml/error.html",
            {"application": self.application, "reason": reason, "event": event},
            status=status,
        )

    def deny(self, user=None, pending=None) -> HttpResponse:
        """Implicit deny: a 403 naming the app, and nothing sent to the SP.

        An IsPassive request is the exception: it forbids showing the user any page, so
        the SP gets a signed Responder/RequestDenied status instead (same audit event).
        """
        user = user or self.request.user
        if not self.application.sso_active:
            reason = "SSO is not active for this application."
        elif not user.is_active:
            reason = "The account is not active."
        else:
            reason = "No group authorised for the application includes the user."
        if pending is not None and pending.is_passive:
            pending_login.pending_login_take(
                http_request=self.request, application=self.application
            )
            return self.status_response(
                pending, request_denied(reason), outcome=AuditEvent.Outcome.DENIED, actor=user
            )
        # Like refuse(): the page shows the event's time and reference for the admin to find.
        event = self.audit("sso.login", AuditEvent.Outcome.DENIED, reason, actor=user)
        return render(
            self.request,
            "403.html",
            {
                "reason": f"You do not have access to {self.application.display_label}.",
                "event": event,
            },
            status=403,
        )

    def processor(self) -> TesseraProcessor:
        return TesseraProcessor(self.application.saml.sp_entity_id, application=self.application)

    def step_up_due(self, pending) -> bool:
        """Whether a second factor comes first; never for a user the app would refuse."""
        return detours.mfa_step_up_needed(
            http_request=self.request, application=self.application, pending=pending
        ) and self.processor().has_access(self.request)

    def step_up_redirect(self, next_url: str) -> HttpResponse:
        self.audit("sso.step_up", AuditEvent.Outcome.SUCCESS, "A second factor is required.")
        return HttpResponseRedirect(
            f"{reverse('console:mfa_step_up')}?{urlencode({'next': next_url})}"
        )

    def respond(self, *, in_response_to, acs_url, relay_state, pending=None) -> HttpResponse:
        """Sign the Response and hand it to the browser in an auto-submitting form."""
        processor = self.processor()
        if not processor.has_access(self.request):
            return self.deny(pending=pending)
        try:
            outgoing = authn.authn_response_issue(
                http_request=self.request,
                application=self.application,
                runtime=self.runtime,
                processor=processor,
                in_response_to=in_response_to,
                acs_url=acs_url,
                relay_state=relay_state,
                binding=self.binding,
                pending=pending,
            )
        except SamlStatusRefusal as refusal:
            return self.status_response(pending, refusal)
        except RequestReplayError as error:
            return self.refuse("sso.request", error.reason, status=error.http_status)
        except SamlError as error:
            return self.refuse("sso.login", error.reason, status=409)
        # Rendered directly: upstream render_response() also stores the signed Response
        # in the session for its MFA step, which would keep a bearer token at rest.
        return self.post_form(outgoing)

    def status_response(
        self, pending, refusal: SamlStatusRefusal, outcome=AuditEvent.Outcome.FAILURE, actor=None
    ) -> HttpResponse:
        """Tell the SP, at its ACS URL, why its AuthnRequest gets no assertion."""
        if pending is None:  # IdP-initiated: no SP asked, so nobody to answer
            return self.refuse("sso.login", refusal.reason, status=409)
        try:
            outgoing = authn.authn_status_response_issue(
                http_request=self.request,
                application=self.application,
                runtime=self.runtime,
                pending=pending,
                refusal=refusal,
                outcome=outcome,
                actor=actor,
            )
        except RequestReplayError as error:
            return self.refuse("sso.request", error.reason, status=error.http_status)
        except SamlError as error:
            return self.refuse("sso.login", error.reason, status=409)
        return self.post_form(outgoing)

    def post_form(self, outgoing: OutgoingMessage) -> HttpResponse:
        """Render the auto-submitting form, its policy allowing only the message's destination."""
        # Not upstream's render_login_html_to_string: a full template render per SSO cost
        # as much as signing; post_page fills a once-rendered page (same bytes).
        html = post_page_render(
            http_request=self.request,
            template_name=self.login_html_template,
            label=self.application.display_label,
            context=outgoing.post_form_context(),
        )
        return csp_for_post_form(HttpResponse(html), outgoing.destination)


# csrf_exempt: SPs POST AuthnRequests cross-site by design (SAML HTTP-POST binding).
@method_decorator([never_cache, csrf_exempt], name="dispatch")
class SsoView(ApplicationEndpointMixin, View):
    """Receive an SP's AuthnRequest (Redirect or POST), validate it, then ask for sign-in.

    Replaces djangosaml2idp's sso_entry, which stores the raw request unvalidated and
    verifies it later against a process-global IdP (upstream defects).
    """

    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        self.binding = BindingName.POST if request.method == "POST" else BindingName.REDIRECT
        if not self.application.sso_active:
            return self.deny()
        if post_binding.needs_same_site_repost(request):
            # A cross-site POST came without our Lax session cookie: bounce it via our own
            # origin so the cookie comes along, rather than open a second session (hole 7).
            try:
                post_binding.authn_request_precheck(
                    http_request=request, application=self.application, runtime=self.runtime
                )
            except SamlError as error:
                return self.refuse("sso.request", error.reason)
            return post_binding.repost_page(http_request=request, application=self.application)
        try:
            pending = authn.authn_request_receive(
                http_request=request, application=self.application, runtime=self.runtime
            )
        except SamlError as error:
            return self.refuse("sso.request", error.reason, status=error.http_status)
        try:
            # What the app can never give is answered now, before any sign-in page.
            authn.authn_duties_resolve(
                application=self.application,
                pending=pending,
                session=request.session,
                prospective=True,
            )
            detour = detours.sign_in_detour(
                http_request=request, application=self.application, pending=pending
            )
            if detour is not None and pending.is_passive:
                raise detours.passive_refusal(detour)
        except SamlStatusRefusal as refusal:
            return self.status_response(pending, refusal)
        if detour is None:
            # Signed in and nothing more to ask: answer on this first request, with no
            # session write (nothing waits in it) and no hop through /continue.
            return self.respond(
                in_response_to=pending.request_id,
                acs_url=pending.acs_url,
                relay_state=pending.relay_state,
                pending=pending,
            )
        try:
            pending_login.pending_login_keep(
                http_request=request, application=self.application, pending=pending
            )
        except RequestReplayError as error:
            return self.refuse("sso.request", error.reason, status=error.http_status)
        return HttpResponseRedirect(reverse("saml:continue", args=[self.application.idp_suffix]))


@method_decorator(never_cache, name="dispatch")
class SsoContinueView(ApplicationEndpointMixin, LoginProcessView):
    """After sign-in, answer the pending AuthnRequest with a signed Response."""

    def dispatch(self, request, *args, **kwargs):
        # Before upstream's login requirement, which would show the sign-in page an
        # IsPassive request forbids: a session that ended on the way gets NoPassive.
        if not request.user.is_authenticated and _not_blocked(request):
            pending = self.waiting_passive_request()
            if pending is not None:
                self.binding = pending.binding
                pending_login.pending_login_take(http_request=request, application=self.application)
                return self.status_response(pending, detours.passive_session_ended())
        return super().dispatch(request, *args, **kwargs)

    def waiting_passive_request(self):
        """The passive request kept in the session, else the one the signed URL carries.

        NOTE: since the SSO URL answers a passive request itself (issue 13), only
        /continue URLs minted by an earlier release carry one; they expire after
        PASSIVE_TOKEN_MAX_AGE_SECONDS, so this can go one release later.
        """
        pending = pending_login.pending_login_peek(
            http_request=self.request, application=self.application
        )
        if pending is None:
            pending = pending_login.passive_token_read(
                application=self.application,
                token=self.request.GET.get(pending_login.PASSIVE_TOKEN_PARAMETER, ""),
            )
        return pending if pending is not None and pending.is_passive else None

    def get(self, request, *args, **kwargs):
        pending = pending_login.pending_login_peek(
            http_request=request, application=self.application
        )
        if pending is None:
            return self.refuse(
                "sso.login", "There is no sign-in request waiting; start again from the app."
            )
        self.binding = pending.binding
        detour = detours.sign_in_detour(
            http_request=request, application=self.application, pending=pending
        )
        if detour == detours.DETOUR_REAUTHENTICATE and not pending.is_passive:
            # ForceAuthn: the request waits in the session while the same user re-enters
            # their password; the console sends them back here afterwards.
            self.audit("sso.reauthenticate", AuditEvent.Outcome.SUCCESS, "ForceAuthn requested.")
            continue_url = reverse("saml:continue", args=[self.application.idp_suffix])
            return HttpResponseRedirect(
                f"{reverse('console:reauthenticate')}?{urlencode({'next': continue_url})}"
            )
        if detour == detours.DETOUR_MFA and not pending.is_passive:
            if self.processor().has_access(request):
                # The request waits in the session while the user passes a second factor.
                return self.step_up_redirect(
                    reverse("saml:continue", args=[self.application.idp_suffix])
                )
            # A user the app refuses gets the 403 below, not a step-up first.
        elif detour is not None and not pending.is_passive:
            # Fail closed: a detour this page does not route (a new reason added to
            # sign_in_detour) must never be skipped by answering anyway.
            return self.refuse(
                "sso.login", "Signing in needs another step first; start again from the app.", 409
            )
        pending_login.pending_login_take(http_request=request, application=self.application)
        try:
            # The session may have changed since the request came (e.g. signed out in
            # another tab while a passive request waited).
            detours.passive_check(
                http_request=request, application=self.application, pending=pending
            )
        except SamlStatusRefusal as refusal:
            return self.status_response(pending, refusal)
        return self.respond(
            in_response_to=pending.request_id,
            acs_url=pending.acs_url,
            relay_state=pending.relay_state,
            pending=pending,
        )


@method_decorator(never_cache, name="dispatch")
class IdpInitView(ApplicationEndpointMixin, UpstreamSSOInitView):
    """IdP-initiated SSO: GET shows "Continue to APP"; the CSRF-checked POST sends it.

    Upstream sets InResponseTo="IdP_Initiated_Login" and takes the SP from a query
    parameter; an unsolicited Response must carry no InResponseTo, and the SP is the app's.
    """

    def get(self, request, *args, **kwargs):
        if not self.processor().has_access(request):
            return self.deny()
        if detours.idp_launch_resumable(http_request=request, application=self.application):
            # Back from the step-up a launch (a CSRF-checked POST) was sent to: go on.
            return self.post(request, *args, **kwargs)
        return render(request, "sso_apps/saml/launch.html", {"application": self.application})

    def post(self, request, *args, **kwargs):
        self.binding = authn.IDP_INITIATED
        if self.step_up_due(None):
            detours.idp_launch_keep(http_request=request, application=self.application)
            return self.step_up_redirect(reverse("saml:init", args=[self.application.idp_suffix]))
        return self.respond(
            in_response_to=None,
            acs_url=None,
            relay_state=self.application.saml.default_relay_state,
        )


class LogoutReplyMixin:
    """Send an SP its LogoutResponse over the app's configured SLO binding."""

    def logout_reply(self, reply: logout_flow.LogoutReply) -> HttpResponse:
        try:
            outgoing = logout_flow.logout_response_create(
                application=self.application, runtime=self.runtime, reply=reply
            )
            sp_destination_check(application=self.application, url=outgoing.destination)
        except SamlError as error:
            return self.refuse("sso.logout", error.reason, status=409)
        if outgoing.binding == BindingName.REDIRECT:
            return HttpResponseRedirect(
                outgoing.redirect_url(
                    private_key_pem=self.runtime.settings.private_key_pem,
                    signature_algorithm=self.application.saml.signature_algorithm,
                )
            )
        return self.post_form(outgoing)

    def logout_denied(self, reason: str) -> HttpResponse:
        """A 403 for an app that may not sign anyone out; nothing was ended."""
        event = self.audit("sso.logout", AuditEvent.Outcome.DENIED, reason)
        return render(self.request, "403.html", {"reason": reason, "event": event}, status=403)


# csrf_exempt: SPs POST LogoutRequests cross-site by design (SAML HTTP-POST binding).
@method_decorator([never_cache, csrf_exempt], name="dispatch")
class SloView(LogoutReplyMixin, ApplicationEndpointMixin, LogoutProcessView):
    """Single Logout: end what this app's assertions created and answer its SP."""

    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        # NOTE: deliberately skips upstream's login requirement: an SP must get its
        # LogoutResponse even when the IdP session has already ended.
        self.binding = BindingName.POST if request.method == "POST" else BindingName.REDIRECT
        user = request.user if request.user.is_authenticated else None  # before it is ended
        try:
            outcome = logout_flow.logout_receive(
                http_request=request, application=self.application, runtime=self.runtime
            )
        except logout_flow.SloDenied as error:
            return self.logout_denied(error.reason)
        except SamlError as error:
            return self.refuse("sso.logout", error.reason)
        self.audit("sso.logout", AuditEvent.Outcome.SUCCESS, outcome.reason, actor=user)
        if outcome.chain is not None:
            # Other apps first; the chain answers this one (if it asked) at its end.
            return HttpResponseRedirect(logout_chain.chain_url(outcome.chain))
        if outcome.reply is None:
            return HttpResponseRedirect(reverse("console:login"))
        if outcome.confirm:
            return render(
                request, "sso_apps/saml/logout_confirm.html", {"application": self.application}
            )
        return self.logout_reply(outcome.reply)


@method_decorator(never_cache, name="dispatch")
class SloConfirmView(LogoutReplyMixin, ApplicationEndpointMixin, View):
    """The user's CSRF-checked "yes, sign me out" to an unsigned LogoutRequest."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        user = request.user if request.user.is_authenticated else None  # before it is ended
        try:
            outcome = logout_flow.logout_confirmed(
                http_request=request, application=self.application
            )
        except logout_flow.SloDenied as error:
            return self.logout_denied(error.reason)
        except SamlError as error:
            return self.refuse("sso.logout", error.reason)
        self.binding = outcome.reply.binding
        self.audit("sso.logout", AuditEvent.Outcome.SUCCESS, outcome.reason, actor=user)
        if outcome.chain is not None:
            return HttpResponseRedirect(logout_chain.chain_url(outcome.chain))
        return self.logout_reply(outcome.reply)


def _not_blocked(request) -> bool:
    # A suspended user's session is the mixin's to refuse (RequestDenied when passive).
    user = _session_user(request)
    return user is None or user.is_active


def _session_user(request):
    """Return the user a session was opened for, whatever their state now."""
    user_id = request.session.get(SESSION_KEY)
    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id).first()


@never_cache
def metadata(request, suffix):
    """Serve this application's IdP metadata (replaces upstream's single global one)."""
    application = endpoint_application(suffix)
    return HttpResponse(idp_metadata_xml(application), content_type="application/samlmetadata+xml")
