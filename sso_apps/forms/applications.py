"""General Info of an application: the add wizard, the Details tab and bulk delete."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import RegexValidator, URLValidator
from django.utils.translation import gettext_lazy as _

from sso_apps.images import portal_image_clean
from sso_apps.models import Application, ConnectorTemplate
from sso_apps.models.applications import PortalImageKind
from sso_apps.models.catalog import ConnectorType
from sso_apps.selectors.applications import idp_suffix_suggest
from sso_apps.services.applications import application_create

# Django's URLValidator also allows ftp; a bookmark must open in a browser tab, and any
# other scheme (javascript:, data:) would run in the User Console's origin.
http_url_validator = URLValidator(
    schemes=["http", "https"], message=_("Enter a web address starting with https:// or http://.")
)
color_validator = RegexValidator(r"^#[0-9a-fA-F]{6}\Z", _("Enter a colour as #RRGGBB."))
IMAGE_ACCEPT = "image/png,image/jpeg,image/webp"


class ConnectorSearchForm(forms.Form):
    """The catalog's search box."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Search applications by name, category or keyword"),
                "autocomplete": "off",
            }
        ),
    )

    @property
    def query(self) -> str:
        return self.cleaned_data.get("q", "").strip() if self.is_valid() else ""


class ConnectorChoiceForm(forms.Form):
    """Which catalog connector the wizard continues with."""

    connector = forms.ModelChoiceField(
        queryset=ConnectorTemplate.objects.all(),
        to_field_name="slug",
        error_messages={"required": _("Select an application first.")},
    )


class PortalImageMixin:
    """Validation shared by every form that sets a User Portal Image."""

    def clean_portal_image(self):
        upload = self.cleaned_data.get("portal_image")
        if isinstance(upload, UploadedFile):
            return portal_image_clean(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("portal_image_kind")
        if (
            kind == PortalImageKind.UPLOAD
            and not cleaned.get("portal_image")
            and "portal_image" not in self.errors
        ):
            self.add_error(
                "portal_image",
                _("Upload an image, or choose the connector logo or a colour indicator."),
            )
        return cleaned


def _portal_image_field():
    return forms.FileField(
        label=_("Image to upload"),
        required=False,
        help_text=_("PNG, JPEG or WebP, at most 1 MB. SVG is not accepted."),
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}),
    )


def _bookmark_url_field():
    return forms.URLField(
        label=_("Bookmark URL"),
        max_length=1000,
        assume_scheme="https",
        validators=[http_url_validator],
        widget=forms.URLInput(attrs={"class": "vURLField"}),
        help_text=_("The address the User Console opens, starting with https:// or http://."),
    )


class ApplicationCreateForm(PortalImageMixin, forms.Form):
    """General Info of the add wizard; saving creates the app with its SAML config and key."""

    display_label = forms.CharField(
        label=_("Display Label"),
        max_length=150,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional; shown to users in the User Console."),
    )
    portal_image_kind = forms.ChoiceField(
        label=_("User Portal Image"),
        choices=PortalImageKind.choices,
        initial=PortalImageKind.LOGO,
        widget=forms.RadioSelect,
    )
    portal_image = _portal_image_field()
    portal_color = forms.CharField(
        label=_("Indicator colour"),
        max_length=7,
        validators=[color_validator],
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    show_in_portal = forms.BooleanField(
        label=_("Show in User Portal"), required=False, initial=True
    )
    bookmark_url = _bookmark_url_field()
    idp_suffix = forms.SlugField(
        label=_("IdP URL suffix"),
        max_length=100,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
        help_text=_(
            "The application's IdP URL ends with /saml2/<suffix>. It cannot be changed "
            "after the application is saved."
        ),
    )

    def __init__(self, *args, connector: ConnectorTemplate, **kwargs):
        super().__init__(*args, **kwargs)
        self.connector = connector
        self.fields["display_label"].initial = connector.name
        self.fields["portal_color"].initial = connector.color
        self.fields["idp_suffix"].initial = idp_suffix_suggest(connector.name)
        if connector.type != ConnectorType.BOOKMARK:
            del self.fields["bookmark_url"]

    def clean_display_label(self):
        label = self.cleaned_data["display_label"].strip()
        if not label:
            raise ValidationError(_("Enter a Display Label."))
        return label

    def clean_idp_suffix(self):
        suffix = self.cleaned_data["idp_suffix"].lower()
        if Application.objects.filter(idp_suffix=suffix).exists():
            raise ValidationError(
                _("Another application already uses “%(suffix)s”; try “%(free)s”.")
                % {"suffix": suffix, "free": idp_suffix_suggest(suffix)}
            )
        return suffix

    @property
    def fieldsets(self):
        general = [
            "display_label",
            "description",
            "portal_image_kind",
            "portal_image",
            "portal_color",
            "show_in_portal",
        ]
        if "bookmark_url" in self.fields:
            general.append("bookmark_url")
        return [
            (_("General Info"), {"fields": general}),
            (_("Advanced"), {"fields": ["idp_suffix"], "classes": ["collapse"]}),
        ]

    def save(self, *, request) -> Application:
        """Create the application through the service; raise its ValidationError as is."""
        data = self.cleaned_data
        details = {
            "description": data["description"],
            "portal_image_kind": data["portal_image_kind"],
            "portal_color": data["portal_color"],
            "show_in_portal": data["show_in_portal"],
        }
        # An image picked and then abandoned for another choice is not worth storing.
        if data["portal_image_kind"] == PortalImageKind.UPLOAD:
            details["portal_image"] = data["portal_image"]
        if "bookmark_url" in data:
            details["bookmark_url"] = data["bookmark_url"]
        return application_create(
            connector=self.connector,
            display_label=data["display_label"],
            actor=request.user,
            request=request,
            idp_suffix=data["idp_suffix"],
            **details,
        )


class ApplicationDetailsForm(PortalImageMixin, forms.ModelForm):
    """The Details tab; the admin saves it through application_update_details."""

    portal_image = _portal_image_field()
    bookmark_url = _bookmark_url_field()
    portal_color = forms.CharField(
        label=_("Indicator colour"),
        max_length=7,
        validators=[color_validator],
        widget=forms.TextInput(attrs={"type": "color"}),
    )

    class Meta:
        model = Application
        fields = [
            "display_label",
            "description",
            "portal_image_kind",
            "portal_image",
            "portal_color",
            "show_in_portal",
            "bookmark_url",
            "open_in_new_tab",
        ]
        widgets = {
            "display_label": forms.TextInput(attrs={"class": "vTextField"}),
            "portal_image_kind": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The admin builds this form with the fields its fieldsets show; declared fields
        # would otherwise stay in (and be required) even when not shown.
        for name in list(self.fields):
            if name not in self._meta.fields:
                del self.fields[name]
        if "bookmark_url" in self.fields and not self.instance.is_bookmark:
            del self.fields["bookmark_url"]

    def clean_display_label(self):
        label = self.cleaned_data["display_label"].strip()
        if not label:
            raise ValidationError(_("Enter a Display Label."))
        return label


class ApplicationDeleteForm(forms.Form):
    """The typed count that confirms a deletion; the service checks it against the rows."""

    confirmation_count = forms.IntegerField(
        label=_("Enter the number of the applications you are deleting"),
        min_value=0,
        widget=forms.NumberInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
