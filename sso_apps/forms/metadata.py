"""Import SP metadata on the SSO tab (pasted, uploaded or from its URL) through the service."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sso_apps.models import Application
from sso_apps.saml.errors import SpMetadataError
from sso_apps.saml.sp_metadata import MAX_METADATA_BYTES, SpMetadata, parse_sp_metadata
from sso_apps.services.saml_configs import SamlConfigSaved, saml_config_metadata_apply
from sso_apps.services.sp_metadata_urls import MetadataRefreshed, sp_metadata_url_set


class SpMetadataImportForm(forms.Form):
    """Pasted or uploaded SP metadata; nothing is saved unless all of it parses."""

    xml = forms.CharField(
        label=_("Paste SP metadata XML"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "sso-mono", "spellcheck": "false"}),
    )
    xml_file = forms.FileField(
        label=_("or upload the metadata file"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".xml,application/xml,text/xml"}),
    )

    metadata: SpMetadata | None = None

    def __init__(self, *args, allow_http: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # The app's "Allow http:// SP URLs" setting; https:// only unless it is ticked.
        self.allow_http = allow_http

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("xml_file")
        if upload:
            if upload.size > MAX_METADATA_BYTES:
                raise ValidationError(_("The metadata file is larger than 1 MB."))
            data = upload.read()
        else:
            data = (cleaned.get("xml") or "").strip()
        if not data:
            raise ValidationError(_("Paste the SP metadata XML or choose a file."))
        try:
            self.metadata = parse_sp_metadata(data, allow_http=self.allow_http)
        except SpMetadataError as error:
            raise ValidationError(
                _("The SP metadata could not be imported: %(reason)s") % {"reason": error.reason}
            ) from None
        return cleaned

    def save(self, *, application: Application, request) -> SamlConfigSaved:
        """Copy what the metadata says into the SAML config, through the service."""
        return saml_config_metadata_apply(
            application=application, metadata=self.metadata, request=request
        )


class SpMetadataUrlForm(forms.Form):
    """The URL where the SP publishes its metadata; fetched and imported when saved."""

    url = forms.CharField(
        label=_("SP metadata URL"),
        required=False,
        max_length=1000,
        help_text=_(
            "Fetched now and again every day; a changed SP certificate or ACS URL is applied. "
            "Leave empty to stop fetching (the imported settings stay)."
        ),
        widget=forms.TextInput(
            attrs={"class": "vLargeTextField", "spellcheck": "false", "inputmode": "url"}
        ),
    )

    def save(self, *, application: Application, request) -> MetadataRefreshed:
        """Fetch and apply the metadata at the URL (or remove the URL), through the service."""
        return sp_metadata_url_set(
            application=application, url=self.cleaned_data["url"], request=request
        )
