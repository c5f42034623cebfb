"""Upload an admin's own IdP key pair."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from sso_apps.models import Application, IdpKeyPair
from sso_apps.saml.errors import KeyPairError
from sso_apps.saml.keys import certificate_info, check_key_pair
from sso_apps.services.key_pairs import key_pair_upload

MAX_PEM_BYTES = 64 * 1024


class NeverRenderedTextarea(forms.Textarea):
    """A textarea that comes back empty after an error: a private key is never echoed."""

    def format_value(self, value):
        return None


class KeyPairUploadForm(forms.Form):
    """A PEM private key and its certificate, pasted or as files; they must match."""

    private_key = forms.CharField(
        label=_("Private key (PEM)"),
        required=False,
        strip=True,
        widget=NeverRenderedTextarea(
            attrs={"rows": 5, "class": "sso-mono", "spellcheck": "false", "autocomplete": "off"}
        ),
        help_text=_("Unencrypted RSA key of at least 2048 bits. It is stored encrypted."),
    )
    private_key_file = forms.FileField(label=_("or key file"), required=False)
    certificate = forms.CharField(
        label=_("Certificate (PEM)"),
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 5, "class": "sso-mono", "spellcheck": "false"}),
    )
    certificate_file = forms.FileField(label=_("or certificate file"), required=False)

    def clean(self):
        cleaned = super().clean()
        private_key = self._text(cleaned, "private_key")
        certificate = self._text(cleaned, "certificate")
        if not private_key:
            self.add_error("private_key", _("Paste the private key or choose its file."))
        if not certificate:
            self.add_error("certificate", _("Paste the certificate or choose its file."))
        if self.errors:
            return cleaned
        try:
            check_key_pair(private_key_pem=private_key, certificate_pem=certificate)
            not_after = certificate_info(certificate).not_after
        except KeyPairError as error:
            raise ValidationError(error.reason) from None
        if not_after <= timezone.now():
            raise ValidationError(
                _("The certificate expired on %(date)s; upload a current one.")
                % {"date": date_format(not_after, "j M Y")}
            )
        cleaned["private_key"], cleaned["certificate"] = private_key, certificate
        return cleaned

    def _text(self, cleaned, name: str) -> str:
        upload = cleaned.get(f"{name}_file")
        if upload:
            if upload.size > MAX_PEM_BYTES:
                self.add_error(f"{name}_file", _("The file is too large for a PEM file."))
                return ""
            try:
                return upload.read().decode("ascii").strip()
            except UnicodeDecodeError:
                self.add_error(f"{name}_file", _("The file is not a PEM text file."))
                return ""
        return (cleaned.get(name) or "").strip()

    def save(self, *, application: Application, request=None) -> IdpKeyPair:
        return key_pair_upload(
            application=application,
            private_key_pem=self.cleaned_data["private_key"],
            certificate_pem=self.cleaned_data["certificate"],
            request=request,
        )
