from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.mfa.selectors import user_has_second_factor, user_mfa_factors, user_mfa_required
from accounts.sessions import session_reauthenticated
from console.forms import ConsoleLoginForm, ConsolePasswordChangeForm, ConsoleReauthenticateForm
from console.mfa.signin import password_step_done
from sso_apps.idp.logout_chain import SESSION_KEY as CHAIN_SESSION_KEY
from sso_apps.idp.logout_chain import browser_chain, chain_url, logout_everywhere_start
from sso_apps.models import AuditEvent
from sso_apps.selectors import console_tiles, logout_chain_steps
from sso_apps.services.audit import audit_record


@login_required
@never_cache
def console_home(request):
    """Show the signed-in user's applications as tiles, filtered by ?q= when given."""
    query = request.GET.get("q", "")[:100]
    return render(
        request,
        "console/home.html",
        {"applications": console_tiles(user=request.user, query=query), "query": query},
    )


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def console_account(request):
    """Show the user's name, email, groups and factors; let them change their password."""
    form = ConsolePasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # Keep this session signed in; other sessions of the user end.
        update_session_auth_hash(request, user)
        messages.success(request, "Your password was changed.")
        return redirect("console:account")
    groups = request.user.user_groups.order_by("name").values_list("name", flat=True)
    return render(
        request,
        "console/account.html",
        {
            "form": form,
            "groups": list(groups),
            "factors": user_mfa_factors(user=request.user),
            "mfa_required": user_mfa_required(user=request.user),
        },
    )


class ConsoleLoginView(LoginView):
    """Sign a user in to the User Console, then send them where they were going.

    Django's view supplies the safe-next check (same host, https when we are), CSRF,
    never-cache and sensitive-parameter handling; the form adds the state messages.
    """

    template_name = "console/login.html"
    authentication_form = ConsoleLoginForm
    # HEAD and OPTIONS were never served here; keep them a 405.
    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        # NOTE: not redirect_authenticated_user, which redirects a POST too: a signed-in
        # user who posts this form signs in again (perhaps as someone else), as before.
        if request.user.is_authenticated:
            return HttpResponseRedirect(self.get_success_url())
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        # NOTE: one transaction for the sign-in's writes (the UserSession row, django-axes'
        # access log and reset, last_login, a database-backed session): one commit where
        # autocommit made one each, and none of them left behind if another fails.
        with transaction.atomic():
            # A second step, when due, signs the user in later (console.mfa.signin).
            second_step = password_step_done(
                self.request, user=form.get_user(), next_url=self.get_redirect_url()
            )
            return second_step or super().form_valid(form)


@sensitive_post_parameters("password")
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def console_reauthenticate(request):
    """The sign-in page in re-authentication mode: the signed-in user enters their password.

    An SP's ForceAuthn sends the user here; the request it sent waits in the session and
    continues at `next` once the password is right (which stamps a new AuthnInstant), and
    the second factor after it when the user has one.
    """
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("console:home")
    form = ConsoleReauthenticateForm(request, request.POST if request.method == "POST" else None)
    # An empty POST only shows the field's error; a typed password is an attempt to audit.
    if request.method == "POST" and request.POST.get("password"):
        valid = form.is_valid()
        audit_record(
            action="console.reauthenticate",
            request=request,
            outcome=AuditEvent.Outcome.SUCCESS if valid else AuditEvent.Outcome.FAILURE,
            target=request.user,
            reason="" if valid else "Wrong password.",
        )
        if valid:
            session_reauthenticated(request=request)
            if user_has_second_factor(user=request.user):
                # Re-authentication is the whole sign-in again: the factor too, which the
                # step-up records (and the SAML side checks came after the request).
                query = urlencode({"next": next_url})
                return HttpResponseRedirect(f"{reverse('console:mfa_step_up')}?{query}")
            return HttpResponseRedirect(next_url)
    return render(
        request, "console/login.html", {"form": form, "next": next_url, "reauthenticate": True}
    )


# NOTE: GET is allowed on purpose: vendors send users to this URL as their
# "Sign-out page url" after their own logout, and that arrives as a plain GET. A GET
# only asks: signing out on any cross-site GET would let every page sign users out.
@never_cache
@require_http_methods(["GET", "POST"])
def console_logout(request):
    """End the IdP session on POST, then every other app's; on GET ask first if signed in."""
    if request.method == "GET" and request.user.is_authenticated:
        return render(request, "console/logout_confirm.html")
    if not request.user.is_authenticated:
        # NOTE: no flush: a signed-out browser may be in the middle of logging out
        # everywhere, and a vendor's "Sign-out page url" GET must not lose its place.
        return redirect("console:login")
    user, session_key = request.user, request.session.session_key
    logout(request)
    chain = logout_everywhere_start(http_request=request, user=user, session_keys={session_key})
    if chain is None:
        return redirect("console:login")
    return redirect(chain_url(chain))


@never_cache
@require_http_methods(["GET"])
def console_signed_out(request):
    """Say the user is signed out, naming the apps that may still have a session."""
    held = request.session.get(CHAIN_SESSION_KEY) or {}
    chain = browser_chain(http_request=request, chain_id=held.get("chain")) if held else None
    if chain is None:
        return redirect("console:login")
    if chain.finished_at is None:
        return redirect(chain_url(chain))
    steps = list(logout_chain_steps(chain))
    return render(
        request,
        "console/signed_out.html",
        {
            "signed_out": [s for s in steps if not s.may_still_be_signed_in],
            "still_signed_in": [s for s in steps if s.may_still_be_signed_in],
        },
    )
