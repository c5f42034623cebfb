import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sso_apps.models.catalog import ConnectorTemplate, ConnectorType, initials_of
from sso_apps.saml.constants import (
    MFA_CONTEXT_URIS,
    BindingName,
    DataEncryptionName,
    MfaContextName,
    NameIdFormatName,
)
from sso_apps.saml.sp_urls import sp_url_problem

# Defence in depth under sso_apps.saml.sp_urls, which gives the real rule and the messages:
# even a raw UPDATE cannot store a URL that is not http(s) with a bare host (no userinfo).
_SP_URL_REGEX = r"^https?://[A-Za-z0-9._:\[\]-]+([/?#]|$)"


def _sp_url_in_db(field: str, *, optional: bool) -> models.Q:
    valid = models.Q(**{f"{field}__regex": _SP_URL_REGEX}) & ~models.Q(**{f"{field}__regex": r"\s"})
    return (models.Q(**{field: ""}) | valid) if optional else valid


class PortalImageKind(models.TextChoices):
    LOGO = "logo", _("Connector logo")
    UPLOAD = "upload", _("Uploaded image")
    COLOR = "color", _("Colour indicator")


class Application(models.Model):
    """An SSO application configured by an admin from a catalog connector."""

    connector = models.ForeignKey(
        ConnectorTemplate,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("connector"),
    )
    # The connector's type, copied when the app is created (a connector never changes
    # type) so that filters and is_saml need no join.
    connector_type = models.CharField(
        _("type"), max_length=16, choices=ConnectorType.choices, editable=False, db_index=True
    )
    display_label = models.CharField(
        _("Display Label"), max_length=150, help_text=_("Your name for the application.")
    )
    description = models.CharField(
        _("Description"),
        max_length=300,
        blank=True,
        help_text=_("Optional; shown to users in the User Console."),
    )
    portal_image_kind = models.CharField(
        _("User Portal Image"),
        max_length=8,
        choices=PortalImageKind.choices,
        default=PortalImageKind.LOGO,
    )
    portal_image = models.ImageField(_("uploaded image"), upload_to="portal-images/", blank=True)
    portal_color = models.CharField(
        _("indicator colour"),
        max_length=7,
        default="#2f5bea",
        help_text=_("Background of the colour indicator, as #RRGGBB."),
    )
    show_in_portal = models.BooleanField(_("Show in User Portal"), default=True)
    bookmark_url = models.URLField(
        _("Bookmark URL"), max_length=1000, blank=True, help_text=_("http or https only.")
    )
    open_in_new_tab = models.BooleanField(_("open in a new tab"), default=True)
    idp_suffix = models.SlugField(
        _("IdP URL suffix"),
        max_length=100,
        unique=True,
        help_text=_("The app's IdP URL ends with this. It cannot be changed after creation."),
    )
    sso_active = models.BooleanField(_("SSO active"), default=False, db_index=True)
    # Set when an admin deactivates SSO, cleared when one activates it: a configuration
    # that becomes complete turns SSO on by itself only if nobody switched it off.
    sso_deactivated_at = models.DateTimeField(null=True, blank=True, editable=False)
    authorized_groups = models.ManyToManyField(
        "accounts.UserGroup",
        related_name="applications",
        blank=True,
        verbose_name=_("authorised user groups"),
    )
    # Bumped on every configuration change; SAML caches key on it so that every
    # worker process sees a change on its very next request.
    config_version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("SSO application")
        verbose_name_plural = _("SSO applications")
        ordering = ["display_label", "pk"]
        # The admin list's order: lets PostgreSQL read the first page off the index
        # instead of sorting every app.
        indexes = [models.Index(fields=["display_label", "id"], name="sso_apps_app_label_id_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(idp_suffix=""), name="sso_apps_application_suffix_not_empty"
            ),
            models.CheckConstraint(
                condition=models.Q(bookmark_url="") | models.Q(bookmark_url__regex=r"^https?://"),
                name="sso_apps_application_bookmark_http",
            ),
        ]

    def __str__(self):
        return self.display_label

    def get_absolute_url(self):
        return reverse("admin:sso_apps_application_change", args=[self.pk])

    @property
    def is_saml(self) -> bool:
        return self.connector_type in (ConnectorType.SAML, ConnectorType.CUSTOM_SAML)

    @property
    def is_bookmark(self) -> bool:
        return self.connector_type == ConnectorType.BOOKMARK

    @property
    def initials(self) -> str:
        return initials_of(self.display_label)

    @property
    def idp_sso_url(self) -> str:
        return f"{settings.TESSERA_BASE_URL}/saml2/{self.idp_suffix}"

    @property
    def idp_slo_url(self) -> str:
        return f"{self.idp_sso_url}/slo"

    @property
    def idp_metadata_url(self) -> str:
        return f"{self.idp_sso_url}/metadata"

    @property
    def idp_init_url(self) -> str:
        return f"{self.idp_sso_url}/init"

    def bump_config_version(self):
        """Mark the configuration changed, atomically across concurrent saves."""
        Application.objects.filter(pk=self.pk).update(config_version=F("config_version") + 1)
        self.refresh_from_db(fields=["config_version"])


# The values are the SAML layer's short names (sso_apps.saml.constants); these add the labels.
class Binding(models.TextChoices):
    REDIRECT = BindingName.REDIRECT.value, _("HTTP-Redirect")
    POST = BindingName.POST.value, _("HTTP-POST")


class NameIdFormat(models.TextChoices):
    EMAIL = NameIdFormatName.EMAIL.value, _("emailAddress")
    UNSPECIFIED = NameIdFormatName.UNSPECIFIED.value, _("unspecified")
    PERSISTENT = NameIdFormatName.PERSISTENT.value, _("persistent")
    TRANSIENT = NameIdFormatName.TRANSIENT.value, _("transient")


class UserField(models.TextChoices):
    EMAIL = "email", _("Email")
    USERNAME = "username", _("Username")
    FIRST_NAME = "first_name", _("First name")
    LAST_NAME = "last_name", _("Last name")
    DISPLAY_NAME = "display_name", _("Display name")
    DEPARTMENT = "department", _("Department")
    JOB_TITLE = "job_title", _("Job title")
    EMPLOYEE_ID = "employee_id", _("Employee ID")


class SignatureAlgorithm(models.TextChoices):
    RSA_SHA256 = "rsa-sha256", _("RSA-SHA256")
    RSA_SHA512 = "rsa-sha512", _("RSA-SHA512")
    RSA_SHA1 = "rsa-sha1", _("RSA-SHA1 (legacy, insecure)")


class DataEncryption(models.TextChoices):
    AES256_GCM = DataEncryptionName.AES256_GCM.value, _("AES-256-GCM")
    AES256_CBC = DataEncryptionName.AES256_CBC.value, _("AES-256-CBC (for older SPs)")


class MfaContext(models.TextChoices):
    REFEDS_MFA = MfaContextName.REFEDS_MFA.value, _("REFEDS MFA (https://refeds.org/profile/mfa)")
    MOBILE_TWO_FACTOR = MfaContextName.MOBILE_TWO_FACTOR.value, _("MobileTwoFactorContract")


# SamlConfig fields holding an SP endpoint URL (ACS URLs are AcsUrl rows).
SP_URL_FIELDS = ("sp_login_url", "sp_logout_url")


# A domain or tenant name as a hostname fragment: DNS labels joined by dots, no scheme,
# port, path, spaces or quotes, because it is pasted into URLs the IdP posts assertions to.
_DOMAIN_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
DOMAIN_PATTERN = re.compile(rf"^(?=.{{1,253}}\Z){_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})*\Z")


def validate_domain(value: str) -> None:
    """Refuse anything but a DNS label or hostname fragment ("acme", "acme.example.com")."""
    if value and not DOMAIN_PATTERN.match(value):
        raise ValidationError(
            _("Enter the domain only, e.g. “acme” or “acme.example.com”, without https://."),
            code="invalid_domain",
        )


# Another named placeholder's value (an org id, a region): one token, nothing that could
# end the URL part it is pasted into or start another.
PLACEHOLDER_VALUE_PATTERN = re.compile(r"^[^\s<>\"'`/\\?#@%:;&=+]{1,200}\Z")


def validate_placeholder_value(value: str) -> None:
    """Refuse a placeholder value holding spaces, quotes, slashes or other URL syntax."""
    if value and not PLACEHOLDER_VALUE_PATTERN.match(value):
        raise ValidationError(
            _("Enter the value only, without spaces, quotes, slashes or URL parts."),
            code="invalid_placeholder_value",
        )


class SamlConfig(models.Model):
    """The SAML settings of one application: what its SP expects and how we sign."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, primary_key=True, related_name="saml"
    )
    idp_entity_id = models.CharField(_("IdP Entity ID"), max_length=500)
    sp_entity_id = models.CharField(_("SP Entity ID"), max_length=500, blank=True)
    sp_login_url = models.CharField(
        _("SP Login URL"),
        max_length=1000,
        blank=True,
        help_text=_("Where SP-initiated SSO starts."),
    )
    sp_logout_url = models.CharField(_("SP Logout URL"), max_length=1000, blank=True)
    sp_logout_binding = models.CharField(
        _("SP Logout binding"), max_length=8, choices=Binding.choices, default=Binding.POST
    )
    nameid_format = models.CharField(
        _("SAMLSubject NameID Format"),
        max_length=16,
        choices=NameIdFormat.choices,
        default=NameIdFormat.EMAIL,
    )
    nameid_source = models.CharField(
        _("SAMLSubject NameID"), max_length=16, choices=UserField.choices, default=UserField.EMAIL
    )
    # NOTE: off by default: the SP is not trusted to choose what identifies the user to it;
    # an SP asking for emailAddress of an app configured persistent would otherwise learn
    # every user's email. Requests for unspecified (or the configured format) always pass.
    allow_requested_nameid_format = models.BooleanField(
        _("Let the SP choose the NameID format"),
        default=False,
        help_text=_(
            "Issue the format an AuthnRequest's NameIDPolicy asks for (transient, persistent, "
            "emailAddress) instead of the one above. Unticked, a request for another format "
            "is answered InvalidNameIDPolicy."
        ),
    )
    signature_algorithm = models.CharField(
        _("Signature Algorithm"),
        max_length=16,
        choices=SignatureAlgorithm.choices,
        default=SignatureAlgorithm.RSA_SHA256,
    )
    sign_response = models.BooleanField(_("Sign Response"), default=True)
    sign_assertion = models.BooleanField(_("Sign Assertion"), default=True)
    require_signed_requests = models.BooleanField(_("Require signed AuthnRequests"), default=False)
    accept_sha1_requests = models.BooleanField(
        _("Accept SHA-1 signed requests (legacy, insecure)"),
        default=False,
        help_text=_(
            "SHA-1 signatures can be forged. Tick this only if the service provider cannot "
            "sign its requests with RSA-SHA256; it is independent of the algorithm we sign with."
        ),
    )
    sp_certificate = models.TextField(
        _("SP certificate"),
        blank=True,
        help_text=_("PEM; verifies signed AuthnRequests and encrypts assertions."),
    )
    encrypt_assertions = models.BooleanField(_("Encrypt assertions"), default=False)
    data_encryption = models.CharField(
        _("Data encryption"),
        max_length=16,
        choices=DataEncryption.choices,
        default=DataEncryption.AES256_GCM,
        help_text=_(
            "How an encrypted assertion's content is encrypted; the key is always wrapped with "
            "RSA-OAEP for the SP certificate. Choose AES-256-CBC only for a service provider "
            "that cannot read AES-256-GCM (XML Encryption 1.1)."
        ),
    )
    allow_http_sp_urls = models.BooleanField(
        _("Allow http:// SP URLs (local testing only)"),
        default=False,
        help_text=_(
            "Assertions sent over http:// can be read and replayed by anyone on the network. "
            "Tick only for a service provider on your own machine."
        ),
    )
    default_relay_state = models.CharField(_("Default RelayState"), max_length=1000, blank=True)
    mfa_required = models.BooleanField(
        _("Require MFA for this application"),
        default=False,
        help_text=_(
            "Users signed in with a password only are asked for their second factor (or to "
            "enrol one) before the application receives an assertion."
        ),
    )
    mfa_context = models.CharField(
        _("AuthnContextClassRef after a second factor"),
        max_length=20,
        choices=MfaContext.choices,
        default=MfaContext.REFEDS_MFA,
        help_text=_(
            "What assertions state when the user signed in with a password and a second "
            "factor. A password alone always states PasswordProtectedTransport."
        ),
    )
    include_group_attribute = models.BooleanField(_("Include group attribute"), default=False)
    group_attribute_name = models.CharField(
        _("Group attribute name"), max_length=200, blank=True, default="memberOf"
    )
    domain = models.CharField(
        _("Domain"),
        max_length=253,
        blank=True,
        validators=[validate_domain],
        help_text=_("Your domain at the vendor; replaces every YOURDOMAIN placeholder on save."),
    )
    # What each placeholder was last filled with: a field still equal to that fill is
    # re-filled when a value changes (see value_templates).
    placeholder_values = models.JSONField(default=dict, blank=True, editable=False)
    # The connector's values that hold placeholders, kept as written (YOURDOMAIN and all)
    # so a later Domain re-fills them: {"sp_entity_id": "...", "acs_urls": [...],
    # "attributes": {name: "..."}}. Copied at creation; never edited by the admin.
    value_templates = models.JSONField(default=dict, blank=True, editable=False)
    # The djangosaml2idp row mirroring this config (kept in sync by
    # sso_apps.services.service_providers); persistent NameIDs hang off it.
    service_provider = models.OneToOneField(
        "djangosaml2idp.ServiceProvider",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="tessera_config",
    )

    class Meta:
        verbose_name = _("SAML configuration")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(encrypt_assertions=False) | ~models.Q(sp_certificate=""),
                name="sso_apps_saml_encrypt_needs_cert",
            ),
            models.CheckConstraint(
                condition=models.Q(require_signed_requests=False) | ~models.Q(sp_certificate=""),
                name="sso_apps_saml_signed_requests_need_cert",
            ),
            models.CheckConstraint(
                condition=models.Q(data_encryption__in=DataEncryption.values),
                name="sso_apps_saml_data_encryption_known",
            ),
            models.CheckConstraint(
                condition=models.Q(mfa_context__in=MfaContext.values),
                name="sso_apps_saml_mfa_context_known",
            ),
            models.CheckConstraint(
                condition=models.Q(sign_response=True) | models.Q(sign_assertion=True),
                name="sso_apps_saml_something_signed",
            ),
            models.CheckConstraint(
                condition=_sp_url_in_db("sp_login_url", optional=True)
                & _sp_url_in_db("sp_logout_url", optional=True),
                name="sso_apps_saml_sp_urls_http",
            ),
            models.CheckConstraint(
                condition=models.Q(allow_http_sp_urls=True)
                | ~(
                    models.Q(sp_login_url__startswith="http://")
                    | models.Q(sp_logout_url__startswith="http://")
                ),
                name="sso_apps_saml_http_only_if_allowed",
            ),
        ]

    def __str__(self):
        return f"SAML for {self.application}"

    @property
    def mfa_class_ref(self) -> str:
        """The AuthnContextClassRef this app's Responses state after a second factor."""
        return MFA_CONTEXT_URIS[self.mfa_context]

    def clean(self):
        errors = {}
        for name in SP_URL_FIELDS:
            value = getattr(self, name)
            problem = value and sp_url_problem(value, allow_http=self.allow_http_sp_urls)
            if problem:
                errors[name] = problem
        if errors:
            raise ValidationError(errors)


# AssertionConsumerServiceIndex is an xs:unsignedShort (SAML core 3.4.1).
MAX_ACS_INDEX = 65535


class AcsUrl(models.Model):
    """One Assertion Consumer Service endpoint of an application's SP."""

    config = models.ForeignKey(SamlConfig, on_delete=models.CASCADE, related_name="acs_urls")
    url = models.CharField(_("ACS URL"), max_length=1000)
    is_default = models.BooleanField(_("default"), default=False)
    # The SP's own number for the endpoint (metadata "index"); an AuthnRequest may name it
    # with AssertionConsumerServiceIndex instead of giving the URL.
    index = models.PositiveIntegerField(
        _("index"),
        help_text=_("The SP's AssertionConsumerServiceIndex for this URL (0 to 65535)."),
    )
    # Only HTTP-POST is imported or offered: it is the one binding Tessera delivers
    # Responses with, so an endpoint of another binding could never be answered.
    binding = models.CharField(
        _("binding"),
        max_length=20,
        choices=[(Binding.POST.value, Binding.POST.label)],
        default=Binding.POST,
    )

    class Meta:
        verbose_name = _("ACS URL")
        verbose_name_plural = _("ACS URLs")
        ordering = ["-is_default", "index", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=_sp_url_in_db("url", optional=False), name="sso_apps_acs_url_http"
            ),
            models.UniqueConstraint(fields=["config", "url"], name="sso_apps_acs_url_unique"),
            models.UniqueConstraint(
                fields=["config"],
                condition=models.Q(is_default=True),
                name="sso_apps_acs_one_default",
            ),
            models.UniqueConstraint(fields=["config", "index"], name="sso_apps_acs_index_unique"),
            models.CheckConstraint(
                condition=models.Q(index__lte=MAX_ACS_INDEX), name="sso_apps_acs_index_range"
            ),
        ]

    def __str__(self):
        return self.url

    def save(self, *args, **kwargs):
        # A row made without an index (a script, the shell) takes the next free one;
        # the unique constraint still refuses a clash from a concurrent writer.
        if self.index is None:
            self.index = next_acs_index(AcsUrl.objects.filter(config_id=self.config_id))
        super().save(*args, **kwargs)

    def clean(self):
        # The config decides whether http:// is allowed; without one only https:// is.
        allow_http = self.config_id is not None and self.config.allow_http_sp_urls
        problem = self.url and sp_url_problem(self.url, allow_http=allow_http)
        if problem:
            raise ValidationError({"url": problem})
        if self.index is not None and not 0 <= self.index <= MAX_ACS_INDEX:
            raise ValidationError(
                {"index": _("The index must be between 0 and %(max)d.") % {"max": MAX_ACS_INDEX}}
            )


def next_acs_index(rows) -> int:
    """Return one more than the highest index among the ACS rows (0 when there are none)."""
    highest = rows.aggregate(highest=models.Max("index"))["highest"]
    return 0 if highest is None else highest + 1


class SamlAttribute(models.Model):
    """One attribute sent to the SP: a user field or a constant value."""

    CONSTANT = "constant"
    SOURCE_CHOICES = [*UserField.choices, (CONSTANT, _("Constant value"))]

    config = models.ForeignKey(SamlConfig, on_delete=models.CASCADE, related_name="attributes")
    name = models.CharField(_("Service Provider Attribute Name"), max_length=200)
    source = models.CharField(_("User attribute"), max_length=16, choices=SOURCE_CHOICES)
    value = models.CharField(_("constant value"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("attribute")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["config", "name"], name="sso_apps_attribute_unique"),
        ]

    def __str__(self):
        return self.name
