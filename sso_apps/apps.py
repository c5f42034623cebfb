from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoAppsConfig(AppConfig):
    name = "sso_apps"
    verbose_name = _("User Authentication")

    def ready(self):
        # NOTE: imported in ready(), as Django's signals docs advise: connecting the receivers
        # needs the app registry, which is not ready while this module is imported.
        from sso_apps import receivers  # noqa: F401  (records accounts' signals as audit events)
