from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.forms import ConsoleLoginForm, ConsolePasswordChangeForm
from sso_apps.selectors import console_tiles


@login_required
@never_cache
def console_home(request):
    """Show the signed-in user's applications as tiles, filtered by ?q= when given."""
    query = request.GET.get("q", "")[:100]
    return render(
        request,
        "userconsole/home.html",
        {"applications": console_tiles(user=request.user, query=query), "query": query},
    )


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def console_account(request):
    """Show the user's name, email and groups; let them change their password."""
    form = ConsolePasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # Keep this session signed in; other sessions of the user end.
        update_session_auth_hash(request, user)
        messages.success(request, "Your password was changed.")
        return redirect("userconsole:account")
    groups = request.user.user_groups.order_by("name").values_list("name", flat=True)
    return render(request, "userconsole/account.html", {"form": form, "groups": list(groups)})


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def console_login(request):
    """Sign a user in to the User Console, then send them where they were going."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if request.user.is_authenticated and request.method == "GET":
        return redirect(next_url or "userconsole:home")
    form = ConsoleLoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.get_user())
        return redirect(next_url or "userconsole:home")
    return render(request, "userconsole/login.html", {"form": form, "next": next_url})


# NOTE: GET is allowed on purpose: vendors send users to this URL as their
# "Sign-out page url" after their own logout, and that arrives as a plain GET.
@require_http_methods(["GET", "POST"])
def console_logout(request):
    """End the console (and so the IdP) session and return to the sign-in page."""
    logout(request)
    return redirect("userconsole:login")
