from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.forms import ConsoleLoginForm


@login_required
def console_home(request):
    """Show the signed-in user's home: their name and their applications."""
    return render(request, "userconsole/home.html", {"applications": []})


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
