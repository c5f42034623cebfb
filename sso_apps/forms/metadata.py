"""Import SP metadata on the SSO tab: parse it fully first, then save through the service."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sso_apps.models import Application
from sso_apps.saml.errors import SpMetadataError
from sso_apps.saml.sp_metadata import MAX_METADATA_BYTES, SpMetadata, parse_sp_metadata
from sso_apps.services.saml_configs import (
    AcsUrlInput,
    SamlConfigInput,
    SamlConfigSaved,
    saml_config_update,
)


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
        metadata = self.metadata
        # One SP certificate serves both checks; the signing one matters for requests.
        certificate = metadata.signing_certificate_pem or metadata.encryption_certificate_pem
        signed_requests = bool(certificate) and metadata.authn_requests_signed
        changes = SamlConfigInput(
            sp_entity_id=metadata.entity_id,
            sp_logout_url=metadata.slo_url or None,
            sp_logout_binding=metadata.slo_binding if metadata.slo_url else None,
            sp_certificate=certificate or None,
            require_signed_requests=True if signed_requests else None,
            nameid_format=metadata.nameid_format or None,
            data_encryption=metadata.data_encryption,
        )
        acs_urls = [
            AcsUrlInput(url=url, is_default=index == 0)
            for index, url in enumerate(metadata.acs_urls)
        ]
        return saml_config_update(
            application=application, changes=changes, acs_urls=acs_urls, request=request
        )
