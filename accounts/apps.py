from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("User Management")

    def connect_roles_sync(self):
        # NOTE: imported here because roles imports auth's models, which cannot load
        # before the app registry is ready (this module is read while it is populated).
        from accounts.roles import roles_sync_permissions

        # Permissions only exist after every app has migrated, so the roles created
        # by the data migration get their permissions here, on every migrate.
        post_migrate.connect(roles_sync_permissions, dispatch_uid="accounts.roles_sync")

    def ready(self):
        self.connect_roles_sync()
        # NOTE: imported here, once the models are loaded, for their @receiver side
        # effect: they connect the session signals.
        from accounts import middleware, sessions  # noqa: F401
