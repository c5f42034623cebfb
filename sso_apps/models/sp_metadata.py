from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from sso_apps.models.applications import SamlConfig, _sp_url_in_db
from sso_apps.saml.sp_urls import sp_url_problem


class SpMetadataUrl(models.Model):
    """Where an application's SP publishes its metadata, and how the last fetches went.

    The SAML settings it fills live on SamlConfig and AcsUrl as for pasted metadata; this
    row keeps only the address, the values last applied (so an unchanged document is not
    applied again over an admin's later edits) and the last failure, which the SSO tab shows.
    """

    config = models.OneToOneField(
        SamlConfig, on_delete=models.CASCADE, primary_key=True, related_name="metadata_url"
    )
    url = models.CharField(_("SP metadata URL"), max_length=1000)
    # The parsed metadata last applied, as SpMetadata.to_dict(); {} before the first.
    applied = models.JSONField(default=dict, blank=True, editable=False)
    fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True, editable=False)
    refreshed_at = models.DateTimeField(
        _("last fetched successfully"), null=True, blank=True, editable=False
    )
    changed_at = models.DateTimeField(_("last changed"), null=True, blank=True, editable=False)
    error = models.TextField(_("last error"), blank=True, editable=False)
    error_at = models.DateTimeField(_("last error at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("SP metadata URL")
        constraints = [
            models.CheckConstraint(
                condition=_sp_url_in_db("url", optional=False),
                name="sso_apps_sp_metadata_url_http",
            ),
        ]

    def __str__(self):
        return self.url

    def clean(self):
        problem = sp_url_problem(self.url, allow_http=self.config.allow_http_sp_urls)
        if problem:
            raise ValidationError({"url": problem})

    @property
    def failing(self) -> bool:
        """Whether the latest fetch failed (the values from the last good one are in use)."""
        return bool(self.error_at) and (
            self.refreshed_at is None or self.error_at > self.refreshed_at
        )
