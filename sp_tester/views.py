"""The tester's pages: start SSO or logout, consume the IdP's answers, show the outcome.

It keeps only what the current browser session needs (the IDs it is waiting for, and the
NameID and SessionIndex a logout must name); a Response is rendered from the ACS POST
and never stored, logged or written anywhere.
"""

import base64
import functools

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from onelogin.saml2.authn_request import OneLogin_Saml2_Authn_Request
from onelogin.saml2.logout_response import OneLogin_Saml2_Logout_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from sp_tester.conf import tester_settings
from sp_tester.idp import IdpUnavailable, idp_metadata_xml, idp_settings
from sp_tester.keys import sp_key_pair
from sp_tester.saml import (
    RSA_SHA256,
    SHA256,
    auth_for,
    onelogin_settings,
    request_data,
    response_summarize,
)

SESSION_KEY = "sp_tester"


def tester_enabled(view):
    """Answer 404 unless the tester is enabled (it is off in production by default)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not tester_settings().enabled:
            raise Http404("The SAML tester is not enabled.")
        return view(request, *args, **kwargs)

    return wrapper


def _settings(*, sign_requests: bool = True) -> dict:
    tester = tester_settings()
    metadata = idp_metadata_xml(path=tester.idp_metadata_path, base_url=tester.base_url)
    return onelogin_settings(
        tester=tester,
        keys=sp_key_pair(tester.key_file),
        idp=idp_settings(metadata),
        sign_requests=sign_requests,
    )


def _home_url() -> str:
    # The RelayState of the tester's own requests: where a developer would go next.
    return f"{tester_settings().base_url}/sp-tester/"


def _state(request) -> dict:
    return dict(request.session.get(SESSION_KEY, {}))


def _state_save(request, **values) -> None:
    state = _state(request)
    state.update(values)
    request.session[SESSION_KEY] = state


def _unavailable(request, error: IdpUnavailable) -> HttpResponse:
    context = {"tester": tester_settings(), "idp_error": str(error)}
    return render(request, "sp_tester/home.html", context, status=503)


@require_GET
@tester_enabled
def tester_home(request):
    """Show the tester's SP values, the IdP it trusts, and the actions it can start."""
    tester = tester_settings()
    try:
        settings = _settings()
    except IdpUnavailable as error:
        return _unavailable(request, error)
    context = {"tester": tester, "idp": settings["idp"], "signed_in": _state(request)}
    return render(request, "sp_tester/home.html", context)


@require_POST
@tester_enabled
def tester_login(request):
    """Send an AuthnRequest to the IdP, over Redirect or POST, signed or not."""
    binding = request.POST.get("binding")
    if binding not in {"redirect", "post"}:
        return HttpResponse("Choose the Redirect or the POST binding.", status=400)
    signed = request.POST.get("signed") == "on"
    try:
        settings = _settings(sign_requests=signed)
    except IdpUnavailable as error:
        return _unavailable(request, error)
    if binding == "redirect":
        auth = auth_for(request, settings)
        url = auth.login(return_to=_home_url())
        _state_save(request, authn_request_id=auth.get_last_request_id())
        return HttpResponseRedirect(url)
    authn = OneLogin_Saml2_Authn_Request(OneLogin_Saml2_Settings(settings, sp_validation_only=True))
    xml = authn.get_xml()
    if signed:
        xml = OneLogin_Saml2_Utils.add_sign(
            xml,
            settings["sp"]["privateKey"],
            settings["sp"]["x509cert"],
            sign_algorithm=RSA_SHA256,
            digest_algorithm=SHA256,
        )
    if isinstance(xml, bytes):
        xml = xml.decode()
    _state_save(request, authn_request_id=authn.get_id())
    context = {
        "action": settings["idp"]["singleSignOnService"]["url"],
        "saml_request": base64.b64encode(xml.encode()).decode(),
        "relay_state": _home_url(),
    }
    return render(request, "sp_tester/post_form.html", context)


# NOTE: the HTTP-POST binding has the IdP's page post the Response across to us, without our
# CSRF token; the Response's own signature, Destination and InResponseTo are its protection.
@csrf_exempt
@require_POST
@tester_enabled
def tester_acs(request):
    """Validate the posted Response with python3-saml and show what it says."""
    try:
        settings = _settings()
    except IdpUnavailable as error:
        return _unavailable(request, error)
    state = _state(request)
    summary = response_summarize(
        request=request, settings=settings, request_id=state.pop("authn_request_id", None)
    )
    if summary.valid:
        state.update(
            name_id=summary.name_id,
            name_id_format=summary.name_id_format,
            session_index=summary.session_index,
        )
    request.session[SESSION_KEY] = state
    context = {
        "tester": tester_settings(),
        "summary": summary,
        "relay_state": request.POST.get("RelayState", ""),
    }
    return render(request, "sp_tester/result.html", context, status=200 if summary.valid else 400)


@require_POST
@tester_enabled
def tester_logout(request):
    """Start SP-initiated logout for the NameID and session the last assertion gave."""
    state = _state(request)
    if not state.get("name_id"):
        return HttpResponse(
            "Nothing to log out: no assertion accepted in this session.", status=400
        )
    try:
        settings = _settings()
    except IdpUnavailable as error:
        return _unavailable(request, error)
    auth = auth_for(request, settings)
    url = auth.logout(
        return_to=_home_url(),
        name_id=state["name_id"],
        session_index=state.get("session_index") or None,
        name_id_format=state.get("name_id_format") or None,
    )
    _state_save(request, logout_request_id=auth.get_last_request_id())
    return HttpResponseRedirect(url)


@require_GET
@tester_enabled
def tester_sls(request):
    """Take the IdP's LogoutResponse, or answer its LogoutRequest (Redirect binding)."""
    try:
        settings = _settings()
    except IdpUnavailable as error:
        return _unavailable(request, error)
    state = _state(request)
    auth = auth_for(request, settings)
    url = auth.process_slo(
        request_id=state.get("logout_request_id"),
        delete_session_cb=lambda: request.session.pop(SESSION_KEY, None),
        keep_local_session=False,
    )
    errors = auth.get_errors()
    if url and not errors:
        return HttpResponseRedirect(url)
    if not errors:
        request.session.pop(SESSION_KEY, None)
    context = {
        "tester": tester_settings(),
        "errors": errors,
        "reason": _logout_error_reason(request, auth, state.get("logout_request_id")),
    }
    return render(request, "sp_tester/logout.html", context, status=400 if errors else 200)


def _logout_error_reason(request, auth, request_id: str | None) -> str:
    # python3-saml's process_slo drops the LogoutResponse's own reason; ask it again.
    if auth.get_last_error_reason():
        return auth.get_last_error_reason()
    if "invalid_logout_response" not in auth.get_errors():
        return ""
    response = OneLogin_Saml2_Logout_Response(auth.get_settings(), request.GET["SAMLResponse"])
    response.is_valid(request_data(request), request_id, raise_exceptions=False)
    return str(response.get_error() or "")


@require_GET
@tester_enabled
def tester_metadata(request):
    """Serve the tester's SP metadata, for pasting into any IdP."""
    tester = tester_settings()
    keys = sp_key_pair(tester.key_file)
    # AuthnRequestsSigned="false": the tester sends signed and unsigned requests alike, so
    # an IdP importing this metadata must not require signatures.
    settings = onelogin_settings(tester=tester, keys=keys, idp={}, sign_requests=False)
    sp = OneLogin_Saml2_Settings(settings, sp_validation_only=True)
    return HttpResponse(sp.get_sp_metadata(), content_type="application/samlmetadata+xml")
