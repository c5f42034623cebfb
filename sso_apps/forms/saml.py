"""The SSO tab: SAML settings, ACS URLs, attributes and SP metadata import."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sso_apps.models import SamlAttribute, SamlConfig
from sso_apps.models.applications import (
    MAX_ACS_INDEX,
    SignatureAlgorithm,
    validate_placeholder_value,
)
from sso_apps.saml.errors import KeyPairError
from sso_apps.saml.keys import load_certificate
from sso_apps.saml.sp_urls import sp_url_problem
from sso_apps.selectors.placeholders import DOMAIN_PLACEHOLDER
from sso_apps.services.saml_configs import (
    AcsUrlInput,
    AttributeInput,
    SamlConfigInput,
    SamlConfigSaved,
    saml_config_update,
)

PLACEHOLDER_PREFIX = "placeholder_"


def validate_acs_row_url(value: str) -> None:
    # A row does not know the app's "Allow http://" setting: it refuses what no setting
    # allows, and saml_config_update applies the rest of the SP URL rule.
    problem = value and sp_url_problem(value, allow_http=True)
    if problem:
        raise ValidationError(problem)


class SamlConfigForm(forms.ModelForm):
    """Every SAML setting of one application; saving hands off to saml_config_update."""

    legacy_sha1 = forms.BooleanField(
        label=_("Allow legacy SHA-1"),
        required=False,
        help_text=_(
            "SHA-1 signatures can be forged. Tick this only if the service provider cannot "
            "verify RSA-SHA256."
        ),
    )

    class Meta:
        model = SamlConfig
        fields = [
            "domain",
            "idp_entity_id",
            "sp_entity_id",
            "sp_login_url",
            "sp_logout_url",
            "sp_logout_binding",
            "nameid_format",
            "nameid_source",
            "allow_requested_nameid_format",
            "signature_algorithm",
            "sign_response",
            "sign_assertion",
            "require_signed_requests",
            "accept_sha1_requests",
            "encrypt_assertions",
            "data_encryption",
            "sp_certificate",
            "default_relay_state",
            "mfa_required",
            "mfa_context",
            "allow_http_sp_urls",
            "include_group_attribute",
            "group_attribute_name",
        ]
        widgets = {
            "sp_certificate": forms.Textarea(
                attrs={"rows": 6, "class": "sso-mono", "spellcheck": "false"}
            ),
            "idp_entity_id": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "sp_entity_id": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "sp_login_url": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "sp_logout_url": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "default_relay_state": forms.TextInput(attrs={"class": "vLargeTextField"}),
        }

    def __init__(self, *args, placeholders=(), read_only=False, notes=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (state, template) in ((notes or {}).get("fields") or {}).items():
            if name in self.fields:
                self.fields[name].help_text = template_note(state, template)
        self.fields["domain"].help_text = _(
            "Your domain or tenant name at the vendor, e.g. “acme”. Saving fills every "
            "YOURDOMAIN in the fields marked “Filled from the Domain”; enter a new one to "
            "fill them again. A field you edited by hand keeps your value."
        )
        self.fields["legacy_sha1"].initial = (
            self.instance.signature_algorithm == SignatureAlgorithm.RSA_SHA1
        )
        for name in self.extra_placeholders(placeholders):
            self.fields[PLACEHOLDER_PREFIX + name] = forms.CharField(
                label=name,
                required=False,
                max_length=200,
                initial=self.instance.placeholder_values.get(name, ""),
                help_text=_("Saving replaces every %(name)s placeholder with this value.")
                % {"name": name},
            )
        if read_only:
            for field in self.fields.values():
                field.disabled = True

    @staticmethod
    def extra_placeholders(placeholders) -> list[str]:
        return [name for name in placeholders if name != DOMAIN_PLACEHOLDER]

    @property
    def placeholder_names(self) -> list[str]:
        return [
            name.removeprefix(PLACEHOLDER_PREFIX)
            for name in self.fields
            if name.startswith(PLACEHOLDER_PREFIX)
        ]

    @property
    def groups(self) -> dict[str, list]:
        """Return the SSO tab's groups of settings, each as admin fieldsets (no headings)."""
        placeholders = [PLACEHOLDER_PREFIX + name for name in self.placeholder_names]
        return {
            # Domain first: the seed's step 3 is the one thing most apps need.
            "domain": [(None, {"fields": ["domain", *placeholders]})],
            "service_provider": [
                (
                    None,
                    {
                        "fields": [
                            "sp_entity_id",
                            "sp_login_url",
                            ("sp_logout_url", "sp_logout_binding"),
                            "default_relay_state",
                            "allow_http_sp_urls",
                        ]
                    },
                )
            ],
            "subject": [
                (
                    None,
                    {
                        "fields": [
                            ("nameid_format", "nameid_source"),
                            "allow_requested_nameid_format",
                        ]
                    },
                )
            ],
            "group_attribute": [
                (None, {"fields": [("include_group_attribute", "group_attribute_name")]})
            ],
            "assurance": [(None, {"fields": ["mfa_required", "mfa_context"]})],
            "signing": [
                (
                    None,
                    {
                        "fields": [
                            "idp_entity_id",
                            "signature_algorithm",
                            ("legacy_sha1", "accept_sha1_requests"),
                            ("sign_response", "sign_assertion"),
                            ("require_signed_requests", "encrypt_assertions"),
                            "data_encryption",
                            "sp_certificate",
                        ]
                    },
                )
            ],
        }

    def group_has_errors(self, group: str) -> bool:
        # NOTE: Django's Fieldset.is_collapsible compares error names with its `fields`
        # entries, which are tuples for side-by-side fields, so it misses their errors;
        # flatten the lines here.
        names = set()
        for _name, options in self.groups[group]:
            for line in options["fields"]:
                names.update(line if isinstance(line, tuple) else [line])
        return any(name in self.errors for name in names)

    def clean_domain(self):
        # The model field's validator (validate_domain) has run; the service checks again.
        return self.cleaned_data["domain"].strip()

    def clean_sp_certificate(self):
        pem = self.cleaned_data["sp_certificate"].strip()
        if not pem:
            return ""
        try:
            load_certificate(pem)
        except KeyPairError as error:
            raise ValidationError(error.reason) from None
        return pem + "\n"

    def clean(self):
        cleaned = super().clean()
        for name in self.placeholder_names:
            value = (cleaned.get(PLACEHOLDER_PREFIX + name) or "").strip()
            try:
                validate_placeholder_value(value)
            except ValidationError as error:
                self.add_error(PLACEHOLDER_PREFIX + name, error)
        sha1 = cleaned.get("signature_algorithm") == SignatureAlgorithm.RSA_SHA1
        if sha1 and not cleaned.get("legacy_sha1"):
            self.add_error(
                "legacy_sha1",
                _("RSA-SHA1 is a legacy algorithm: tick “Allow legacy SHA-1” to use it anyway."),
            )
        has_certificate = bool(cleaned.get("sp_certificate"))
        if "sp_certificate" not in self.errors and not has_certificate:
            if cleaned.get("encrypt_assertions"):
                self.add_error(
                    "encrypt_assertions",
                    _("Encrypting assertions needs the SP certificate; paste it below."),
                )
            if cleaned.get("require_signed_requests"):
                self.add_error(
                    "require_signed_requests",
                    _("Verifying signed AuthnRequests needs the SP certificate; paste it below."),
                )
        if not cleaned.get("sign_response") and not cleaned.get("sign_assertion"):
            self.add_error(
                "sign_assertion", _("Sign the response, the assertion, or both; never neither.")
            )
        if cleaned.get("include_group_attribute") and not cleaned.get("group_attribute_name"):
            self.add_error("group_attribute_name", _("Name the group attribute."))
        return cleaned

    @property
    def placeholder_values(self) -> dict[str, str]:
        return {
            name: self.cleaned_data.get(PLACEHOLDER_PREFIX + name, "").strip()
            for name in self.placeholder_names
        }

    def save(self, *, request, acs_urls, attributes) -> SamlConfigSaved:
        """Save through saml_config_update, which also fills in the placeholders."""
        changes = {name: self.cleaned_data[name] for name in self._meta.fields}
        return saml_config_update(
            application=self.instance.application,
            changes=SamlConfigInput(**changes),
            acs_urls=acs_urls,
            attributes=attributes,
            placeholder_values=self.placeholder_values,
            request=request,
        )


def template_note(state: str, template: str) -> str:
    """Return the note beside a value the Domain fills (or filled before a hand edit)."""
    if state == "filled":
        return _("Filled from the Domain: %(template)s") % {"template": template}
    return _(
        "Edited by hand, so a new Domain leaves it as it is (the connector's value: %(template)s)."
    ) % {"template": template}


def error_summary(form, acs, attributes) -> list[tuple[str, str, str]]:
    """Return (field id, label, message) for every error of a failed SSO tab save."""
    items = []
    for message in form.non_field_errors():
        items.append(("sso-form", _("Settings"), message))
    for name, errors in form.errors.items():
        if name == forms.forms.NON_FIELD_ERRORS or name not in form.fields:
            continue
        field = form[name]
        for message in errors:
            items.append((field.id_for_label, str(field.label), message))
    for formset, anchor, row_label in (
        (acs, "acs-urls", _("ACS URL row %(row)d")),
        (attributes, "attributes", _("Attribute row %(row)d")),
    ):
        for message in formset.non_form_errors():
            items.append((anchor, _("ACS URLs") if formset is acs else _("Attributes"), message))
        for position, row in enumerate(formset.forms, start=1):
            for name, errors in row.errors.items():
                target = row[name].id_for_label if name in row.fields else anchor
                label = (
                    f"{row_label % {'row': position}}, {row.fields[name].label}"
                    if name in row.fields
                    else row_label % {"row": position}
                )
                for message in errors:
                    items.append((target, label, message))
    return items


class AcsUrlForm(forms.Form):
    url = forms.CharField(
        label=_("ACS URL"),
        max_length=1000,
        required=False,
        validators=[validate_acs_row_url],
        widget=forms.TextInput(attrs={"class": "vLargeTextField", "spellcheck": "false"}),
    )
    index = forms.IntegerField(
        label=_("Index"),
        required=False,
        min_value=0,
        max_value=MAX_ACS_INDEX,
        help_text=_("The SP's AssertionConsumerServiceIndex; left empty, the next free number."),
        widget=forms.NumberInput(attrs={"class": "sso-index"}),
    )


class BaseAcsUrlFormSet(forms.BaseFormSet):
    """ACS URL rows; the default is one radio button shared by every row."""

    @property
    def default_field_name(self) -> str:
        return f"{self.prefix}-default"

    @property
    def default_index(self) -> int:
        if not self.is_bound:
            return 0
        try:
            return int(self.data.get(self.default_field_name, 0))
        except (TypeError, ValueError):
            return 0

    def clean(self):
        if any(self.errors):
            return
        rows = list(self._rows())
        urls = [url for _position, url, _index in rows]
        duplicates = sorted({url for url in urls if urls.count(url) > 1})
        if duplicates:
            raise ValidationError(
                _("Each ACS URL may appear only once: %(urls)s") % {"urls": ", ".join(duplicates)}
            )
        indexes = [index for _position, _url, index in rows if index is not None]
        taken = sorted({index for index in indexes if indexes.count(index) > 1})
        if taken:
            raise ValidationError(
                _("Each ACS index may be used only once: %(indexes)s")
                % {"indexes": ", ".join(map(str, taken))}
            )

    def _rows(self):
        for position, form in enumerate(self.forms):
            if self.can_delete and self._should_delete_form(form):
                continue
            url = (form.cleaned_data.get("url") or "").strip()
            if url:
                yield position, url, form.cleaned_data.get("index")

    def inputs(self) -> list[AcsUrlInput]:
        """Return the rows as service input, the chosen row (or else the first) as default."""
        return [
            AcsUrlInput(url=url, is_default=position == self.default_index, index=index)
            for position, url, index in self._rows()
        ]


class AttributeForm(forms.Form):
    name = forms.CharField(
        label=_("Service Provider Attribute Name"), max_length=200, required=False
    )
    source = forms.ChoiceField(
        label=_("User attribute"), choices=SamlAttribute.SOURCE_CHOICES, initial="email"
    )
    value = forms.CharField(label=_("Constant value"), max_length=500, required=False)

    def clean(self):
        cleaned = super().clean()
        name = (cleaned.get("name") or "").strip()
        if not name:
            return cleaned
        if cleaned.get("source") == SamlAttribute.CONSTANT and not cleaned.get("value"):
            self.add_error("value", _("Enter the constant value to send."))
        return cleaned


class BaseAttributeFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        names = [item.name for item in self.inputs()]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValidationError(
                _("Attribute names must be unique: %(names)s") % {"names": ", ".join(duplicates)}
            )

    def inputs(self) -> list[AttributeInput]:
        rows = []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            name = (form.cleaned_data.get("name") or "").strip()
            if name:
                source = form.cleaned_data["source"]
                value = form.cleaned_data.get("value", "") if source == "constant" else ""
                rows.append(AttributeInput(name=name, source=source, value=value))
        return rows


def acs_url_formset(*, editable: bool):
    return forms.formset_factory(
        AcsUrlForm, formset=BaseAcsUrlFormSet, extra=1 if editable else 0, can_delete=editable
    )


def attribute_formset(*, editable: bool):
    return forms.formset_factory(
        AttributeForm,
        formset=BaseAttributeFormSet,
        extra=1 if editable else 0,
        can_delete=editable,
    )


def acs_initial(config: SamlConfig) -> list[dict]:
    # Default first: the radio of row 0 starts checked.
    return [
        {"url": acs.url, "index": acs.index}
        for acs in config.acs_urls.order_by("-is_default", "index", "pk")
    ]


def attribute_initial(config: SamlConfig) -> list[dict]:
    return [
        {"name": attribute.name, "source": attribute.source, "value": attribute.value}
        for attribute in config.attributes.all()
    ]
