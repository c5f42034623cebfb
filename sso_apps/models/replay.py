from django.db import models
from django.utils.translation import gettext_lazy as _


class SeenSamlRequest(models.Model):
    """A request ID already accepted for an app; a second use is a replay.

    The store without Redis, and the fallback while Redis fails (sso_apps.idp.request_ids):
    the database, not a per-process cache, so replay protection holds across every
    worker. Rows expire once the request could no longer pass the clock check.
    """

    # db_index=False: the unique constraint's index starts with the application and serves
    # the cascade; a second index would be one more write on every SSO.
    application = models.ForeignKey(
        "sso_apps.Application", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    request_id = models.CharField(_("request ID"), max_length=256)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("seen SAML request")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "request_id"], name="sso_apps_saml_request_once"
            ),
        ]

    def __str__(self):
        return self.request_id
