"""The SSO tab: SAML settings, IdP details, certificate and SP metadata import."""

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.debug import sensitive_post_parameters

from sso_apps.admin.application_views import ApplicationPageView, admin_url
from sso_apps.admin.display import certificate_badge, certificate_label
from sso_apps.forms.certificates import KeyPairUploadForm
from sso_apps.forms.errors import form_add_service_error
from sso_apps.forms.metadata import SpMetadataImportForm, SpMetadataUrlForm
from sso_apps.forms.saml import (
    SamlConfigForm,
    acs_initial,
    acs_url_formset,
    attribute_formset,
    attribute_initial,
    error_summary,
    template_note,
)
from sso_apps.idp.metadata import idp_metadata_xml
from sso_apps.models import Application, IdpKeyPair
from sso_apps.saml.errors import KeyPairError
from sso_apps.selectors.placeholders import placeholders_of, template_notes
from sso_apps.selectors.sso_tab import sso_tab_context
from sso_apps.services.key_pairs import key_pair_generate
from sso_apps.services.saml_configs import SamlConfigSaved
from sso_apps.services.sp_metadata_urls import MetadataRefreshed, sp_metadata_refresh


class SsoTabView(ApplicationPageView):
    """Show and save every SAML setting of an application."""

    tab = "sso"

    def get_queryset(self):
        return Application.objects.select_related("connector", "saml")

    def get_object(self, pk=None, **kwargs):
        application = super().get_object(pk=pk)
        if not application.is_saml:
            raise Http404(_("Bookmark applications have no SSO settings."))
        return application

    @property
    def title(self):
        return _("%(app)s · SSO") % {"app": self.object}

    def sso_url(self, anchor: str = "") -> str:
        return admin_url("sso", self.object.pk) + (f"#{anchor}" if anchor else "")

    def config_forms(self, data=None):
        editable = self.has_permission("change")
        config = self.object.saml
        form = SamlConfigForm(
            data,
            instance=config,
            placeholders=placeholders_of(self.object),
            read_only=not editable,
            notes=self.notes,
        )
        # NOTE: a bound formset gets no initial rows on purpose. With them, a posted row
        # equal to its initial value counts as "unchanged" and an extra (JS-added) row
        # like that would be dropped; without them every non-empty row is kept.
        bound = data is not None
        acs = acs_url_formset(editable=editable)(
            data, prefix="acs", initial=None if bound else acs_initial(config)
        )
        attributes = attribute_formset(editable=editable)(
            data, prefix="attr", initial=None if bound else attribute_initial(config)
        )
        if not editable:
            _formsets_disable(acs, attributes)
        return form, acs, attributes

    @cached_property
    def notes(self) -> dict:
        return template_notes(self.object.saml)

    def get(self, request, pk):
        return self.render_tab()

    def post(self, request, pk):
        form, acs, attributes = self.config_forms(request.POST)
        # Validate all three so every error shows at once.
        valid = [form.is_valid(), acs.is_valid(), attributes.is_valid()]
        if all(valid):
            try:
                saved = form.save(
                    request=request, acs_urls=acs.inputs(), attributes=attributes.inputs()
                )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                self.saved_messages(saved)
                return redirect(self.sso_url())
        return self.render_tab(form=form, acs=acs, attributes=attributes)

    def saved_messages(self, saved: SamlConfigSaved) -> None:
        request = self.request
        messages.success(request, _("SSO settings saved for %(app)s.") % {"app": self.object})
        if saved.placeholders_remaining:
            messages.warning(request, _placeholder_warning(saved.placeholders_remaining))
        if saved.deactivated:
            messages.warning(
                request,
                _("SSO was switched off: %(problems)s")
                % {"problems": " ".join(saved.activation_problems)},
            )

    def render_tab(
        self,
        *,
        form=None,
        acs=None,
        attributes=None,
        import_form=None,
        upload_form=None,
        metadata_url_form=None,
    ):
        if form is None:
            form, acs, attributes = self.config_forms()
        context = sso_tab_context(application_id=self.object.pk)
        _rows_note(acs, "url", self.notes["acs_urls"])
        _rows_note(attributes, "name", self.notes["attributes"])
        return self.render(
            "admin/sso_apps/application/sso.html",
            form=form,
            groups={
                name: helpers.AdminForm(form, fieldsets, {}, model_admin=self.model_admin)
                for name, fieldsets in form.groups.items()
            },
            signing_open=form.group_has_errors("signing"),
            error_summary=error_summary(form, acs, attributes) if form.is_bound else [],
            acs_formset=acs,
            attribute_formset=attributes,
            import_form=import_form or SpMetadataImportForm(),
            metadata_url_form=metadata_url_form
            or SpMetadataUrlForm(
                initial={"url": context["metadata_url"].url if context["metadata_url"] else ""}
            ),
            upload_form=upload_form or KeyPairUploadForm(),
            open_import=import_form is not None or metadata_url_form is not None,
            open_upload=upload_form is not None,
            can_change=self.has_permission("change"),
            **context,
            **_certificate_context(context["active_key_pair"]),
        )


def _rows_note(formset, key: str, notes: dict) -> None:
    # The note beside a row the Domain fills; a posted row shows the saved row's note.
    for row in formset.forms:
        value = row.initial.get(key) if not row.is_bound else row.data.get(row.add_prefix(key))
        state_template = notes.get(value or "")
        row.template_note = template_note(*state_template) if state_template else ""


def _formsets_disable(*formsets) -> None:
    # A read-only admin sees the rows but cannot post them.
    for formset in formsets:
        for row in formset.forms:
            for field in row.fields.values():
                field.disabled = True


def _certificate_context(active: IdpKeyPair | None) -> dict:
    badge_text, badge_modifier = certificate_label(active)
    return {
        "certificate_badge": certificate_badge(active),
        "certificate_badge_text": badge_text,
        "certificate_badge_modifier": badge_modifier,
        "certificate_until": date_format(active.not_after, "j M Y") if active else "",
    }


def _placeholder_warning(remaining: dict[str, list[str]]) -> str:
    fields = "; ".join(f"{label} ({', '.join(names)})" for label, names in remaining.items())
    return _(
        "Placeholders remain in: %(fields)s. SSO cannot be activated until they are replaced."
    ) % {"fields": fields}


class MetadataImportView(SsoTabView):
    """Fill the SP settings from pasted or uploaded SP metadata; bad XML saves nothing."""

    http_method_names = ["post"]

    def post(self, request, pk):
        form = SpMetadataImportForm(
            request.POST, request.FILES, allow_http=self.object.saml.allow_http_sp_urls
        )
        if form.is_valid():
            try:
                form.save(application=self.object, request=request)
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                metadata = form.metadata
                messages.success(
                    request,
                    ngettext(
                        "SP metadata imported: SP Entity ID %(entity)s and %(count)d ACS URL.",
                        "SP metadata imported: SP Entity ID %(entity)s and %(count)d ACS URLs.",
                        len(metadata.acs_urls),
                    )
                    % {"entity": metadata.entity_id, "count": len(metadata.acs_urls)},
                )
                return redirect(self.sso_url())
        return self.render_tab(import_form=form)


class MetadataUrlView(SsoTabView):
    """Save the SP metadata URL: fetch it and import it at once; a refused fetch saves nothing."""

    http_method_names = ["post"]

    def post(self, request, pk):
        form = SpMetadataUrlForm(request.POST)
        if form.is_valid():
            try:
                form.save(application=self.object, request=request)
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                if form.cleaned_data["url"].strip():
                    messages.success(
                        request,
                        _("SP metadata fetched from %(url)s and imported.")
                        % {"url": form.cleaned_data["url"].strip()},
                    )
                else:
                    messages.success(request, _("The SP metadata URL was removed."))
                return redirect(self.sso_url("import"))
        return self.render_tab(metadata_url_form=form)


class MetadataRefreshView(SsoTabView):
    """ "Refresh metadata now": fetch the SP metadata URL again and apply what changed."""

    http_method_names = ["post"]

    def post(self, request, pk):
        result = sp_metadata_refresh(application_id=self.object.pk, request=request)
        if result is None:
            messages.error(request, _("This application has no SP metadata URL to refresh."))
        elif not result.ok:
            messages.error(
                request,
                _("The SP metadata could not be refreshed; the last good values stay: %(reason)s")
                % {"reason": result.error},
            )
        else:
            messages.success(request, _refresh_message(result))
        return redirect(self.sso_url("import"))


# The audit diff's keys, as the SSO tab labels them.
_CHANGE_LABELS = {
    "sp_entity_id": gettext_lazy("SP Entity ID"),
    "sp_certificate_sha256": gettext_lazy("SP certificate"),
    "acs_urls": gettext_lazy("ACS URLs"),
    "sp_logout_url": gettext_lazy("SP Logout URL"),
    "sp_logout_binding": gettext_lazy("SP Logout binding"),
    "nameid_format": gettext_lazy("NameID format"),
    "require_signed_requests": gettext_lazy("Require signed AuthnRequests"),
}


def _refresh_message(result: MetadataRefreshed) -> str:
    if not result.changes:
        return _("SP metadata refreshed: nothing changed.")
    labels = [str(_CHANGE_LABELS.get(key, key)) for key in result.changes]
    return _("SP metadata refreshed; changed: %(fields)s.") % {"fields": ", ".join(labels)}


class CertificateDownloadView(SsoTabView):
    """Return the active IdP certificate (public) as certificate.pem."""

    http_method_names = ["get", "head"]

    def get(self, request, pk):
        pair = self.object.key_pairs.filter(status=IdpKeyPair.Status.ACTIVE).first()
        if pair is None:
            raise Http404(_("This application has no active IdP certificate."))
        response = HttpResponse(pair.certificate_pem, content_type="application/x-pem-file")
        response["Content-Disposition"] = 'attachment; filename="certificate.pem"'
        return response


class MetadataExportView(SsoTabView):
    """Return the IdP metadata XML of this application as a download."""

    http_method_names = ["get", "head"]

    def get(self, request, pk):
        response = HttpResponse(
            idp_metadata_xml(self.object), content_type="application/samlmetadata+xml"
        )
        filename = f"{self.object.idp_suffix}-idp-metadata.xml"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class RegenerateView(SsoTabView):
    """Confirm, then replace the key pair; the old one stays listed as inactive."""

    get_permission = "change"

    @property
    def title(self):
        return _("Regenerate the IdP certificate")

    def get(self, request, pk):
        return self.render(
            "admin/sso_apps/application/regenerate.html",
            active_key_pair=self.object.key_pairs.filter(status=IdpKeyPair.Status.ACTIVE).first(),
        )

    def post(self, request, pk):
        key_pair_generate(application=self.object, request=request)
        messages.success(
            request,
            _(
                "A new IdP certificate is active for %(app)s. Send the new certificate.pem "
                "to the service provider; the old one is kept as inactive."
            )
            % {"app": self.object},
        )
        return redirect(self.sso_url("certificate"))


@method_decorator(sensitive_post_parameters("private_key"), name="dispatch")
class KeyPairUploadView(SsoTabView):
    """Install the admin's own key pair; a mismatch is shown, and the key never echoed."""

    http_method_names = ["post"]

    def post(self, request, pk):
        form = KeyPairUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                form.save(application=self.object, request=request)
            except KeyPairError as error:
                form.add_error(None, error.reason)
            else:
                messages.success(
                    request,
                    _("Your key pair is now the active IdP certificate of %(app)s.")
                    % {"app": self.object},
                )
                return redirect(self.sso_url("certificate"))
        return self.render_tab(upload_form=form)
