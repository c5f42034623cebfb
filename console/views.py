from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.mfa.selectors import user_mfa_factors, user_mfa_required
from console.forms import ConsoleLoginForm, ConsolePasswordChangeForm
from console.mfa.signin import password_step_done
from sso_apps.selectors import console_tiles


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
        # A second step, when due, signs the user in later (console.mfa.signin).
        second_step = password_step_done(
            self.request, user=form.get_user(), next_url=self.get_redirect_url()
        )
        return second_step or super().form_valid(form)


# NOTE: GET is allowed on purpose: vendors send users to this URL as their
# "Sign-out page url" after their own logout, and that arrives as a plain GET. A GET
# only asks: signing out on any cross-site GET would let every page sign users out.
@never_cache
@require_http_methods(["GET", "POST"])
def console_logout(request):
    """End the console (and so the IdP) session on POST; on GET ask first if signed in."""
    if request.method == "GET" and request.user.is_authenticated:
        return render(request, "console/logout_confirm.html")
    logout(request)
    return redirect("console:login")
