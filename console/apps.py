from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    """The User Console: where end users sign in and open their applications."""

    name = "console"
    verbose_name = _("User Console")
