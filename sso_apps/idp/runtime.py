"""Per-application IdP runtime, cached per process by configuration version.

Every request reads the application row (and so its config_version) from the database;
the cache only saves rebuilding the pysaml2 Server and re-parsing keys. A change saved
in any process bumps the version, so every process rebuilds on its very next request.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.http import Http404
from saml2.server import Server

from sso_apps.models import Application, IdpKeyPair, SamlAttribute
from sso_apps.saml.errors import SamlConfigurationError
from sso_apps.saml.idp_server import IdpSettings, build_idp_server
from sso_apps.saml.requests import SamlRequestError
from sso_apps.selectors.service_providers import sp_descriptor_for

_CACHE_SIZE = 512
NO_ACS_URL_REASON = (
    "This application has no ACS URL, so there is nowhere to send the sign-in. "
    "An administrator must add one on the application's SSO tab."
)


@dataclass(frozen=True)
class Attribute:
    name: str
    source: str
    value: str


@dataclass(frozen=True)
class AppRuntime:
    """Everything an IdP endpoint needs for one version of one application's config."""

    application_id: int
    config_version: int
    server: Server
    settings: IdpSettings
    acs_urls: tuple[str, ...]
    attributes: tuple[Attribute, ...]
    # Each ACS URL by its AssertionConsumerServiceIndex.
    acs_by_index: dict[int, str] = field(default_factory=dict)

    @property
    def default_acs_url(self) -> str:
        # Activation needs an ACS URL, but a row edited in the database can still lack one.
        if not self.acs_urls:
            raise SamlConfigurationError(NO_ACS_URL_REASON)
        return self.acs_urls[0]

    def acs_url_for(self, *, url: str | None, index: int | None) -> str:
        """Return where an AuthnRequest's Response goes: its URL, its index, else the default.

        The request's URL or index was already checked against the registered ones
        (check_message); an unknown index is refused here too, never replaced by the default.
        """
        if url:
            return url
        if index is not None:
            try:
                return self.acs_by_index[index]
            except KeyError:
                raise SamlRequestError(
                    f"The requested AssertionConsumerServiceIndex {index} is not registered "
                    "for this application."
                ) from None
        return self.default_acs_url


class RuntimeCache:
    """A small thread-safe LRU of AppRuntime keyed by (application id, config version)."""

    def __init__(self, maxsize: int = _CACHE_SIZE):
        self._items: OrderedDict[tuple[int, int], AppRuntime] = OrderedDict()
        self._lock = threading.Lock()
        self.maxsize = maxsize
        self.builds = 0

    def get(self, application: Application) -> AppRuntime:
        key = (application.pk, application.config_version)
        with self._lock:
            runtime = self._items.get(key)
            if runtime is not None:
                self._items.move_to_end(key)
                return runtime
        runtime = _build(application)
        with self._lock:
            self.builds += 1
            self._items[key] = runtime
            # Older versions of the same app can never be asked for again.
            for stale in [k for k in self._items if k[0] == key[0] and k[1] < key[1]]:
                del self._items[stale]
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return runtime

    def clear(self):
        with self._lock:
            self._items.clear()


runtimes = RuntimeCache()


def endpoint_application(suffix: str) -> Application:
    """Return the SAML application served at /saml2/<suffix>, or raise Http404."""
    application = (
        Application.objects.select_related("saml", "saml__service_provider", "connector")
        .filter(idp_suffix=suffix)
        .first()
    )
    if application is None or not application.is_saml:
        raise Http404("No SAML application is served at this address.")
    return application


def _build(application: Application) -> AppRuntime:
    config = application.saml
    key_pair = application.key_pairs.filter(status=IdpKeyPair.Status.ACTIVE).first()
    if key_pair is None:
        raise Http404("This application has no active IdP certificate.")
    acs_rows = list(config.acs_urls.order_by("-is_default", "index", "pk"))
    acs_urls = tuple(acs.url for acs in acs_rows)
    settings = IdpSettings(
        entity_id=config.idp_entity_id,
        sso_url=application.idp_sso_url,
        slo_url=application.idp_slo_url,
        certificate_pem=key_pair.certificate_pem,
        private_key_pem=key_pair.private_key_pem,
        sp=sp_descriptor_for(config, list(acs_urls)),
        signature_algorithm=config.signature_algorithm,
        data_encryption=config.data_encryption,
    )
    attributes = tuple(
        Attribute(name=row.name, source=row.source, value=row.value)
        for row in SamlAttribute.objects.filter(config=config).order_by("pk")
    )
    return AppRuntime(
        application_id=application.pk,
        config_version=application.config_version,
        server=build_idp_server(settings),
        settings=settings,
        acs_urls=acs_urls,
        attributes=attributes,
        acs_by_index={acs.index: acs.url for acs in acs_rows},
    )
