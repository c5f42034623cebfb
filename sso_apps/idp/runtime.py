"""Per-application IdP runtime, cached per process by configuration version.

Every request reads the application's config_version (and, for a signed-in user, whether
a group authorised for the app includes them) in one indexed query; the app with its SAML
config, SP and connector rows, and the runtime built from them (pysaml2 Server, parsed
keys, ACS URLs, attributes) are cached per process under that version. A change saved in
any process bumps the version, so every process reloads on its very next request.
"""

import copy
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.http import Http404
from saml2.server import Server

from accounts.mfa.selectors import user_mfa_group_exists
from accounts.models import UserGroup
from sso_apps.models import Application, IdpKeyPair, SamlAttribute
from sso_apps.saml.errors import SamlConfigurationError
from sso_apps.saml.idp_server import IdpSettings, build_idp_server
from sso_apps.saml.requests import SamlRequestError
from sso_apps.selectors.service_providers import sp_descriptor_for
from tessera.compiled import CompiledQuery

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


class VersionedCache:
    """A small thread-safe LRU keyed by (application id, config version).

    `build(application)` makes the value for a version missing from the cache.
    """

    def __init__(self, build, maxsize: int = _CACHE_SIZE):
        self._build = build
        self._items: OrderedDict[tuple[int, int], object] = OrderedDict()
        self._lock = threading.Lock()
        self.maxsize = maxsize
        self.builds = 0

    def get(self, application: Application):
        return self.lookup(application.pk, application.config_version, application)

    def lookup(self, pk: int, version: int, source):
        """Return the value for (pk, version), building it from `source` when missing.

        `source` is the application, or a callable returning it (loaded only on a miss).
        """
        key = (pk, version)
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
                return value
        value = self._build(source() if callable(source) else source)
        with self._lock:
            self.builds += 1
            self._items[key] = value
            # Older versions of the same app can never be asked for again.
            for stale in [k for k in self._items if k[0] == key[0] and k[1] < key[1]]:
                del self._items[stale]
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return value

    def clear(self):
        with self._lock:
            self._items.clear()


def _application_load(pk: int) -> Application:
    # The four-table join, once per configuration version and process.
    return Application.objects.select_related("saml", "saml__service_provider", "connector").get(
        pk=pk
    )


def _identity(application: Application) -> Application:
    return application


applications = VersionedCache(_identity)


def _endpoint_rows(*, suffix, user_id=None):
    rows = Application.objects.filter(idp_suffix=suffix)
    fields = ["pk", "config_version", "sso_active"]
    if user_id is not None:
        rows = rows.annotate(
            user_allowed=_user_allowed(user_id),
            # Whether a group of the user requires MFA: read here, in the same query, so
            # the step-up check (detours.mfa_step_up_needed) costs no query of its own.
            user_in_mfa_group=Exists(user_mfa_group_exists(user_id=user_id)),
        )
        fields += ["user_allowed", "user_in_mfa_group"]
    # No ORDER BY: the suffix is unique, and Application's default ordering would sort.
    return rows.order_by().values(*fields)


# NOTE: compiled once per process: building and compiling this queryset cost more than
# PostgreSQL takes to answer it, on every SSO (tessera.compiled).
_endpoint_row = CompiledQuery(
    Application, lambda suffix: _endpoint_rows(suffix=suffix), slots={"suffix": str}
)
_endpoint_row_for_user = CompiledQuery(
    Application, _endpoint_rows, slots={"suffix": str, "user_id": int}
)


def endpoint_application(suffix: str, *, user=None) -> Application:
    """Return the SAML application served at /saml2/<suffix>, or raise Http404.

    One indexed query per request reads the version (and `sso_active`, so a switch-off
    applies even if some path forgot to bump the version); for a signed-in `user` the same
    query answers whether a group authorised for the app includes them, which the copy
    returned carries as `user_allowed` (see TesseraProcessor.has_access).
    """
    if user is not None and user.is_authenticated:
        row = _endpoint_row_for_user.first(suffix=suffix, user_id=user.pk)
    else:
        row = _endpoint_row.first(suffix=suffix)
    if row is None:
        raise Http404("No SAML application is served at this address.")
    cached = applications.lookup(
        row["pk"], row["config_version"], lambda: _application_load(row["pk"])
    )
    if not cached.is_saml:
        raise Http404("No SAML application is served at this address.")
    # A copy per request: the cached rows are shared by every request of this process and
    # must not carry one request's values into another.
    application = copy.copy(cached)
    application.sso_active = row["sso_active"]
    if "user_allowed" in row:
        application.user_allowed = bool(user.is_active and row["user_allowed"])
        application.user_in_mfa_group = bool(row["user_in_mfa_group"])
    return application


def _user_allowed(user_id) -> Exists:
    """EXISTS: a group authorised for the outer application has the user as a member."""
    # Through the two link tables only: the group rows themselves are never needed.
    links = Application.authorized_groups.through.objects
    memberships = UserGroup.members.through.objects.filter(user_id=user_id)
    return Exists(
        links.filter(
            application_id=OuterRef("pk"),
            usergroup_id__in=memberships.values("usergroup_id"),
        )
    )


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


runtimes = VersionedCache(_build)
