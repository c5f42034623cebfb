"""Read the trusted IdP's metadata the way any SP would: from its metadata URL.

NOTE: the tester runs inside the IdP's own process, and a dev server calling itself over
HTTP would need a second free worker (and tests have no server at all). So the metadata
URL is resolved through the URLconf and its view called with a plain GET request: the
tester still sees only the published XML, and imports none of the IdP's code.
"""

from urllib.parse import urlsplit

from django.http import Http404
from django.test import RequestFactory
from django.urls import Resolver404, resolve
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser


class IdpUnavailable(Exception):
    """The trusted IdP publishes no usable metadata at the configured URL."""


def idp_metadata_xml(*, path: str, base_url: str) -> str:
    """Return the metadata XML served at `path`, as a GET from outside would get it."""
    origin = urlsplit(base_url)
    request = RequestFactory().get(
        path, secure=origin.scheme == "https", headers={"host": origin.netloc}
    )
    try:
        match = resolve(path)
        response = match.func(request, *match.args, **match.kwargs)
    except (Resolver404, Http404) as error:
        raise IdpUnavailable(f"No IdP metadata at {path}.") from error
    if response.status_code != 200:
        raise IdpUnavailable(f"The IdP metadata at {path} answered {response.status_code}.")
    return response.content.decode()


def idp_settings(metadata_xml: str) -> dict:
    """Return python3-saml's "idp" settings from metadata XML."""
    parsed = OneLogin_Saml2_IdPMetadataParser.parse(
        metadata_xml,
        required_sso_binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
        required_slo_binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
    )
    if "idp" not in parsed:
        raise IdpUnavailable("The IdP metadata names no IdP.")
    return parsed["idp"]
