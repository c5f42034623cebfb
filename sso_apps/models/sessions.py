from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SpSession(models.Model):
    """A service provider session: one assertion issued to an app for one IdP session.

    Single Logout may end only sessions that the app's own assertions created, so each
    Response is recorded here, in the database (any worker can answer the LogoutRequest),
    with the NameID and SessionIndex exactly as the SP received them. Logging out
    everywhere walks these rows to find the other apps a session reached.
    """

    session_key = models.CharField(_("IdP session key"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sp_sessions"
    )
    # db_index=False: both composite indexes below start with the application and serve
    # its lookups and the cascade; a third would be one more write on every SSO.
    application = models.ForeignKey(
        "sso_apps.Application",
        on_delete=models.CASCADE,
        related_name="sp_sessions",
        db_index=False,
    )
    name_id = models.CharField(_("NameID as issued"), max_length=512)
    name_id_format = models.CharField(_("NameID format"), max_length=256)
    session_index = models.CharField(_("SessionIndex"), max_length=128)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("service provider session")
        indexes = [
            models.Index(fields=["application", "name_id"], name="sso_apps_spsession_nameid"),
            models.Index(fields=["session_key"], name="sso_apps_spsession_key"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "session_index"], name="sso_apps_spsession_index_once"
            ),
        ]

    def __str__(self):
        return f"{self.name_id} at {self.application_id}"


class IssuedLogoutRequest(models.Model):
    """A LogoutRequest the IdP sent to an SP; its LogoutResponse is accepted once, in time.

    Without this, any LogoutResponse (even unsolicited, by a cross-site GET) would sign
    the user out.
    """

    application = models.ForeignKey(
        "sso_apps.Application", on_delete=models.CASCADE, related_name="+"
    )
    request_id = models.CharField(_("request ID"), max_length=256)
    session_key = models.CharField(_("IdP session key"), max_length=64, blank=True)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("issued logout request")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "request_id"], name="sso_apps_logout_request_once"
            ),
        ]

    def __str__(self):
        return self.request_id
